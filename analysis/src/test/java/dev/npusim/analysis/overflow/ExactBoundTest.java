package dev.npusim.analysis.overflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npusim.golden.LayerBuilder;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import org.junit.jupiter.api.Test;

/** Exact bounds of small layers, worked out by hand in each test. */
class ExactBoundTest {
  private static final int[] ONE = {1 << 30};
  private static final int[] NO_SHIFT = {0};

  @Test
  void fullyConnectedInt8WithBias() {
    // int8 input with zx = -1: x - zx ranges over [-128 + 1, 127 + 1] = [-127, 128].
    // Weights 3 and -2 (zw = 0), bias 10:
    //   max = 10 + 3 * 128 + (-2) * (-127) = 10 + 384 + 254 = 648
    //   min = 10 + 3 * (-127) + (-2) * 128 = 10 - 381 - 256 = -627
    // 648 needs 10 magnitude bits (512 <= 648 < 1024) plus sign: 11; -627 likewise (626 < 1024).
    QuantizedLayer layer =
        LayerBuilder.fullyConnected(Semantics.TFLITE_INT8)
            .input(1, 1, 1, 2)
            .outputChannels(1)
            .zeroPoints(-1, 0, 0)
            .filter(3, -2)
            .bias(10)
            .q31(ONE, NO_SHIFT)
            .build();
    LayerBound b = ExactBound.of(layer);
    assertEquals(new AccumulatorRange(-627, 648), b.channels().get(0).range());
    assertEquals(11, b.minSafeBits());
    assertEquals(648, b.worst().accumulator());
    assertEquals(true, b.worst().maximum());
  }

  @Test
  void depthwiseUint8WidestAtAnInteriorPosition() {
    // 3x3 depthwise, 3x3 input, padding 1: the centre output (1, 1) sees all 9 taps, a corner 4.
    // uint8, zx = 0, zw = 128, every weight 200: d = 72 > 0, so max picks x = 255 and min x = 0.
    //   max = 9 * 255 * 72 = 165240 (2^17 = 131072 <= 165240 < 2^18: 18 + 1 = 19 bits)
    //   min = 0 (no bias)
    int[] w = new int[9];
    java.util.Arrays.fill(w, 200);
    QuantizedLayer layer =
        LayerBuilder.depthwise(Semantics.TFLITE_UINT8)
            .input(1, 3, 3, 1)
            .kernel(3, 3)
            .padding(1, 1, 1, 1)
            .zeroPoints(0, 0, 128)
            .filter(w)
            .q31(ONE, NO_SHIFT)
            .build();
    LayerBound b = ExactBound.of(layer);
    ChannelBound c = b.channels().get(0);
    assertEquals(new AccumulatorRange(0, 165240), c.range());
    assertEquals(1, c.max().y());
    assertEquals(1, c.max().x());
    assertEquals(19, b.minSafeBits());
  }

  @Test
  void noPositionSeesEveryTapSoMaxAndMinComeFromDifferentPositions() {
    // A 1x3 kernel over a 1x2 input, padding 1 left and right: output column 0 sees kernel columns
    // {1, 2}, column 1 sees {0, 1}. int8, zx = zw = 0: x in [-128, 127]. Weights [10, 0, -10]:
    //   column 0: max = (-10) * (-128) = 1280, min = (-10) * 127 = -1270
    //   column 1: max = 10 * 127 = 1270,        min = 10 * (-128) = -1280
    // so the channel's range is [-1280, 1280], max at column 0 and min at column 1.
    // 1280 needs 11 magnitude bits plus sign: 12; -1280 (1279 < 2048) also 12.
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.TFLITE_INT8)
            .input(1, 1, 2, 1)
            .outputChannels(1)
            .kernel(1, 3)
            .padding(0, 0, 1, 1)
            .filter(10, 0, -10)
            .q31(ONE, NO_SHIFT)
            .build();
    ChannelBound c = ExactBound.of(layer).channels().get(0);
    assertEquals(new AccumulatorRange(-1280, 1280), c.range());
    assertEquals(0, c.max().x());
    assertEquals(1, c.min().x());
    assertEquals(12, ExactBound.of(layer).minSafeBits());
  }

  @Test
  void floatRequantPerChannelFilterZeroPointsAndDepthMultiplier() {
    // 1x1 depthwise, 1 input channel, depth multiplier 2: output channels 0 and 1 both read input
    // channel 0. int8 input, zx = 5: x - zx in [-133, 122]. uint8 weights, zero points 100 and 10;
    // weights 50 and 255: d = -50 and 245. Biases -7 and 1 << 20.
    //   channel 0: max = -7 + (-50) * (-133) = 6643,  min = -7 + (-50) * 122 = -6107
    //   channel 1: max = 2^20 + 245 * 122 = 1078466, min = 2^20 + 245 * (-133) = 1015991
    // Channel 1's max needs 21 magnitude bits (2^20 <= 1078466 < 2^21) plus sign: 22.
    QuantizedLayer layer =
        LayerBuilder.depthwise(Semantics.FLOAT_REQUANT)
            .input(1, 1, 1, 1)
            .depthMultiplier(2)
            .types(DataType.INT8, DataType.UINT8, DataType.INT8)
            .zeroPoints(5, 0, 100, 10)
            .filter(50, 255)
            .bias(-7, 1 << 20)
            .floatScales(0.5f)
            .build();
    LayerBound b = ExactBound.of(layer);
    assertEquals(new AccumulatorRange(-6107, 6643), b.channels().get(0).range());
    assertEquals(new AccumulatorRange(1015991, 1078466), b.channels().get(1).range());
    assertEquals(22, b.minSafeBits());
    assertEquals(1, b.worst().channel());
  }

  @Test
  void twosComplementWidths() {
    // A width w holds [-2^(w-1), 2^(w-1) - 1].
    assertEquals(1, AccumulatorRange.bitsFor(0));
    assertEquals(1, AccumulatorRange.bitsFor(-1));
    assertEquals(2, AccumulatorRange.bitsFor(1));
    assertEquals(16, AccumulatorRange.bitsFor(32767));
    assertEquals(17, AccumulatorRange.bitsFor(32768));
    assertEquals(16, AccumulatorRange.bitsFor(-32768));
    assertEquals(17, AccumulatorRange.bitsFor(-32769));
    assertEquals(32, AccumulatorRange.bitsFor(Integer.MIN_VALUE));
    assertEquals(64, AccumulatorRange.bitsFor(Long.MAX_VALUE));
  }

  @Test
  void accBitsOutsideEightToSixtyFourIsATypedError() throws Exception {
    AccumulatorWidthException low =
        assertThrows(AccumulatorWidthException.class, () -> AccumulatorWidth.of(7));
    assertEquals("acc-bits: expected a width in 8..64, got 7", low.getMessage());
    assertThrows(AccumulatorWidthException.class, () -> AccumulatorWidth.of(65));
    assertEquals(8, AccumulatorWidth.of(8).bits());
    assertEquals(-3, AccumulatorWidth.of(16).marginOver(19));
    assertEquals(5, AccumulatorWidth.of(64).marginOver(59));
  }
}
