package dev.npusim.kernels.codegen;

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
}
