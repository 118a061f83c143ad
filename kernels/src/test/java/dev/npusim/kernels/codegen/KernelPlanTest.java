package dev.npusim.kernels.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import org.junit.jupiter.api.Test;

/**
 * {@link ConvKernel} and {@link DepthwiseKernel} plans, checked against what follows from the layer
 * alone: the DRAM image holds the input and output once each (one byte per int8 value), every
 * output byte is stored exactly once, every input byte is loaded at least once, a depthwise layer
 * that fits the scratchpads runs as one tile, and a layer that does not is split. Whether the
 * programs compute the right values is checked on the simulator in the {@code tests} module.
 */
class KernelPlanTest {
  static final CompilerTarget ROOMY =
      new CompilerTarget(32, 64 << 10, 64 << 10, 32 << 10, 8 << 10, 64 << 20);

  static QuantizedLayer layer(LayerKind kind, int h, int w, int c, int oc, int k) {
    int out = h - k + 1;
    return QuantizedLayer.builder(kind, Semantics.TFLITE_INT8)
        .input(new TensorShape(1, h, w, c))
        .output(new TensorShape(1, out, w - k + 1, oc))
        .kernel(k, k)
        .types(DataType.INT8, DataType.INT8, DataType.INT8)
        .filterZeroPoints(ImmutableIntArray.of(0))
        .activation(-128, 127)
        .filter(ImmutableIntArray.copyOf(new int[QuantizedLayer.filterElements(kind, c, oc, k, k)]))
        .requant(new Requantization.Q31(ImmutableIntArray.of(1 << 30), ImmutableIntArray.of(0)))
        .build();
  }

  static void checkPlan(QuantizedLayer l, CompiledLayer c) {
    assertEquals(l.input().elements(), c.plan().inputBytes());
    assertEquals(l.output().elements(), c.plan().outputBytes());
    assertEquals(l.output().elements(), c.plannedStoreBytes(), "every output stored once");
    assertTrue(c.plannedLoadBytes() >= l.input().elements(), "every input loaded at least once");
    assertTrue(c.program().size() > 0);
  }

  @Test
  void smallConvolutionPlan() throws CompileException {
    // No tile count here: the convolution kernel may split even a small layer to overlap DMA.
    QuantizedLayer l = layer(LayerKind.CONV2D, 8, 8, 16, 32, 3);
    checkPlan(l, ConvKernel.compile(l, ROOMY));
  }

  @Test
  void smallDepthwiseIsOneTile() throws CompileException {
    QuantizedLayer l = layer(LayerKind.DEPTHWISE_CONV2D, 8, 8, 32, 32, 3);
    CompiledLayer c = DepthwiseKernel.compile(l, ROOMY);
    checkPlan(l, c);
    assertEquals(1, c.tiles());
  }

  @Test
  void inputLargerThanTheActivationScratchpadIsTiled() throws CompileException {
    // 64 x 64 x 32 = 128 KiB of input against 16 KiB of act scratchpad.
    CompilerTarget small = new CompilerTarget(32, 16 << 10, 64 << 10, 8 << 10, 8 << 10, 64 << 20);
    QuantizedLayer conv = layer(LayerKind.CONV2D, 64, 64, 32, 32, 3);
    CompiledLayer c = ConvKernel.compile(conv, small);
    checkPlan(conv, c);
    assertTrue(c.tiles() > 1, "tiles " + c.tiles());
    QuantizedLayer dw = layer(LayerKind.DEPTHWISE_CONV2D, 64, 64, 32, 32, 3);
    CompiledLayer d = DepthwiseKernel.compile(dw, small);
    checkPlan(dw, d);
    assertTrue(d.tiles() > 1, "tiles " + d.tiles());
  }

  @Test
  void aScratchpadTooSmallForAnyTileIsACompileError() {
    CompilerTarget tiny = new CompilerTarget(32, 64, 64, 64, 64, 64 << 20);
    assertThrows(
        CompileException.class,
        () -> ConvKernel.compile(layer(LayerKind.CONV2D, 8, 8, 16, 32, 3), tiny));
    assertThrows(
        CompileException.class,
        () -> DepthwiseKernel.compile(layer(LayerKind.DEPTHWISE_CONV2D, 8, 8, 32, 32, 3), tiny));
  }
}
