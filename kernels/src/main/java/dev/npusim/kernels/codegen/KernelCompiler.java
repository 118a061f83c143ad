package dev.npusim.kernels.codegen;

import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.QuantizedLayer;

/**
 * Compiles a quantized layer into a program and a DRAM memory plan for a target. It emits programs
 * only through the {@code isa} API and knows nothing of how instructions execute.
 */
public final class KernelCompiler {
  private KernelCompiler() {}

  public static CompiledLayer compile(QuantizedLayer layer, CompilerTarget target)
      throws CompileException {
    CompiledLayer compiled =
        switch (layer.kind()) {
          case DEPTHWISE_CONV2D -> DepthwiseKernel.compile(layer, target);
          case CONV2D, FULLY_CONNECTED -> ConvKernel.compile(layer, target);
        };
    if (compiled.plan().dramBytes() > target.dramBytes()) {
      throw new CompileException(
          "dram_bytes",
          String.format(
              "%d bytes of DRAM cannot hold the layer's %d bytes of input, output and constants",
              target.dramBytes(), compiled.plan().dramBytes()));
    }
    return compiled;
  }

  /** Compiles an average or max pooling layer ({@link PoolKernel}). */
  public static CompiledOperator compile(PoolLayer layer, CompilerTarget target)
      throws CompileException {
    return checkDram(PoolKernel.compile(layer, target), target);
  }

  /** Compiles an element-wise ADD ({@link AddKernel}). */
  public static CompiledOperator compile(AddLayer layer, CompilerTarget target)
      throws CompileException {
    return checkDram(AddKernel.compile(layer, target), target);
  }

  private static CompiledOperator checkDram(CompiledOperator compiled, CompilerTarget target)
      throws CompileException {
    if (compiled.dramBytes() > target.dramBytes()) {
      throw new CompileException(
          "dram_bytes",
          String.format(
              "%d bytes of DRAM cannot hold the layer's %d bytes of inputs, output and constants",
              target.dramBytes(), compiled.dramBytes()));
    }
    return compiled;
  }
}
