package dev.npusim.golden.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.LayerBuilder;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import org.junit.jupiter.api.Test;

/**
 * Small layers whose outputs are worked out by hand in the comments. {@code SRDHM} rounds ties up
 * (toward +infinity), {@code RDBPOT} rounds ties away from zero, float-requant rounds ties to even;
 * see {@link RequantArithmeticTest}.
 */
class IntegerReferenceTest {
  private static final int HALF = 1 << 30; // Q31 multiplier 0.5

  /**
   * conv2d tflite-int8, 3x3 input, 2x2 kernel, no padding, zx = -1, bias 10, scale 0.5, zo = 3.
   *
   * <pre>
   * x - zx = 2 3 4     w = 1 -1
   *          5 6 7         2  0
   *          8 9 10
   * (0,0): 2 - 3 + 10 + 0 = 9,  +10 = 19, *0.5 = 9.5  -> 10, +3 = 13
   * (0,1): 3 - 4 + 12     = 11, +10 = 21, *0.5 = 10.5 -> 11, +3 = 14
   * (1,0): 5 - 6 + 16     = 15, +10 = 25, *0.5 = 12.5 -> 13, +3 = 16
   * (1,1): 6 - 7 + 18     = 17, +10 = 27, *0.5 = 13.5 -> 14, +3 = 17
   * </pre>
   */
  static QuantizedLayer conv3x3() {
    return LayerBuilder.conv2d(Semantics.TFLITE_INT8)
        .input(1, 3, 3, 1)
        .outputChannels(1)
        .kernel(2, 2)
        .zeroPoints(-1, 3)
        .filter(1, -1, 2, 0)
        .bias(10)
        .q31(new int[] {HALF}, new int[] {0})
        .build();
  }

  static final ImmutableIntArray CONV3X3_INPUT = ImmutableIntArray.of(1, 2, 3, 4, 5, 6, 7, 8, 9);

  @Test
  void conv2dInt8() {
    assertArrayEquals(new int[] {13, 14, 16, 17}, IntegerReference.run(conv3x3(), CONV3X3_INPUT));
  }

  @Test
  void conv2dInt8Accumulators() {
    IntegerReference.Accumulators acc = IntegerReference.accumulators(conv3x3(), CONV3X3_INPUT);
    assertEquals(ImmutableIntArray.of(19, 21, 25, 27), acc.wrapped());
    assertEquals(19L, acc.exact().get(0));
    assertFalse(acc.overflowed(3));
  }

  /**
   * conv2d tflite-uint8 with a non-zero filter zero point and top/left padding.
   *
   * <pre>
   * input 2x2 [5 6; 7 8], zx = 4  -> real [1 2; 3 4]
   * filter [11 9; 12 10], zw = 10 -> real [1 -1; 2 0]
   * padding [top 1, bottom 0, left 1, right 0]: padded real input
   *   0 0 0
   *   0 1 2
   *   0 3 4
   * output 2x2, bias 1:
   *   (0,0): [0 0; 0 1] . w = 0            -> acc 1
   *   (0,1): [0 0; 1 2] . w = 2            -> acc 3
   *   (1,0): [0 1; 0 3] . w = -1           -> acc 0
   *   (1,1): [1 2; 3 4] . w = 1 - 2 + 6 = 5 -> acc 6
   * multiplier 0.5, shift -1 (scale 0.25), rounded twice:
   *   1: SRDHM 0.5 -> 1, RDBPOT(1, 1) = 0.5 -> 1
   *   3: SRDHM 1.5 -> 2, RDBPOT(2, 1) = 1
   *   0: 0
   *   6: SRDHM 3,        RDBPOT(3, 1) = 1.5 -> 2
   * + zo 100: [101, 101, 100, 102]
   * </pre>
   */
  @Test
  void conv2dUint8WithFilterZeroPointAndPadding() {
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.TFLITE_UINT8)
            .input(1, 2, 2, 1)
            .outputChannels(1)
            .kernel(2, 2)
            .padding(1, 0, 1, 0)
            .zeroPoints(4, 100, 10)
            .filter(11, 9, 12, 10)
            .bias(1)
            .q31(new int[] {HALF}, new int[] {-1})
            .build();
    assertArrayEquals(
        new int[] {101, 101, 100, 102},
        IntegerReference.run(layer, ImmutableIntArray.of(5, 6, 7, 8)));
  }

  /**
   * conv2d with dilation (1, 3): a 1x2 kernel spans 4 columns of a 1x5 input, 2 outputs.
   *
   * <pre>
   * x = [1 2 3 4 5], w = [2 -1], scale 1 (multiplier 0.5, shift 1)
   * out0 = 2*x0 - x3 = 2 - 4 = -2
   * out1 = 2*x1 - x4 = 4 - 5 = -1
   * </pre>
   */
  @Test
  void conv2dWithDilation() {
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.TFLITE_INT8)
            .input(1, 1, 5, 1)
            .outputChannels(1)
            .kernel(1, 2)
            .dilation(1, 3)
            .filter(2, -1)
            .q31(new int[] {HALF}, new int[] {1})
            .build();
    assertArrayEquals(
        new int[] {-2, -1}, IntegerReference.run(layer, ImmutableIntArray.of(1, 2, 3, 4, 5)));
  }

  /**
   * conv2d with stride 2 and two output channels, SAME-style padding at the bottom/right.
   *
   * <pre>
   * input 1x3x3x1 = 1..9, zx = 0; 2x2 kernel, stride 2, padding [0, 1, 0, 1] -> output 2x2x2
   * oc0 w = [1 0; 0 0] (picks the window's top-left), oc1 w = [1 1; 1 1] (window sum)
   * windows (padding holds 0): (0,0) [1 2; 4 5]  (0,1) [3 0; 6 0]
   *                            (1,0) [7 8; 0 0]  (1,1) [9 0; 0 0]
   * oc0: 1, 3, 7, 9        oc1: 12, 9, 15, 9
   * scale 1 (multiplier 0.5, shift 1), zo 0
   * NHWC: [1, 12, 3, 9, 7, 15, 9, 9]
   * </pre>
   */
  @Test
  void conv2dWithStrideAndBottomRightPadding() {
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.TFLITE_INT8)
            .input(1, 3, 3, 1)
            .outputChannels(2)
            .kernel(2, 2)
            .stride(2, 2)
            .padding(0, 1, 0, 1)
            .filter(1, 0, 0, 0, 1, 1, 1, 1)
            .q31(new int[] {HALF}, new int[] {1})
            .build();
    assertArrayEquals(
        new int[] {1, 12, 3, 9, 7, 15, 9, 9}, IntegerReference.run(layer, CONV3X3_INPUT));
  }

  /**
   * depthwise, depth multiplier 2, per-channel Q31, with a clamp.
   *
   * <pre>
   * input 1x1x2x2: pixel0 = [1, 2], pixel1 = [3, 4], zx = 0; kernel 1x2; OC = 4 (oc = ic*2 + m)
   * filter [1, 1, 2, 4]: tap0 = [1, 2, 3, 4], tap1 = [-1, 0, 1, 2]
   * oc0 (ic0): 1*1 + 3*-1 = -2        bias 0 -> -2
   * oc1 (ic0): 1*2 + 3*0  =  2        bias 1 ->  3
   * oc2 (ic1): 2*3 + 4*1  = 10        bias 2 -> 12
   * oc3 (ic1): 2*4 + 4*2  = 16        bias 3 -> 19
   * multiplier 0.5 everywhere, shifts [1, 0, -1, -2] (scales 1, 0.5, 0.25, 0.125):
   * oc0: SRDHM(-4) = -2                          -> -2
   * oc1: SRDHM(3)  = 1.5 -> 2                    ->  2
   * oc2: SRDHM(12) = 6,   RDBPOT(6, 1) = 3       ->  3
   * oc3: SRDHM(19) = 9.5 -> 10, RDBPOT(10, 2) = 2.5 -> 3   (exact 2.375)
   * + zo -1: [-3, 1, 2, 2], clamp to [-2, 127]: [-2, 1, 2, 2]
   * </pre>
   */
  static QuantizedLayer depthwiseMultiplier2() {
    return LayerBuilder.depthwise(Semantics.TFLITE_INT8)
        .input(1, 1, 2, 2)
        .depthMultiplier(2)
        .kernel(1, 2)
        .zeroPoints(0, -1)
        .activation(-2, 127)
        .filter(1, 2, 3, 4, -1, 0, 1, 2)
        .bias(0, 1, 2, 3)
        .q31(new int[] {HALF, HALF, HALF, HALF}, new int[] {1, 0, -1, -2})
        .build();
  }

  static final ImmutableIntArray DEPTHWISE_INPUT = ImmutableIntArray.of(1, 2, 3, 4);

  @Test
  void depthwiseWithDepthMultiplier2AndPerChannelShifts() {
    assertArrayEquals(
        new int[] {-2, 1, 2, 2}, IntegerReference.run(depthwiseMultiplier2(), DEPTHWISE_INPUT));
  }

  @Test
  void depthwiseExactOutputIsUnroundedAndUnclamped() {
    // zo + acc * scale: -1 + (-2)*1 = -3, -1 + 3*0.5 = 0.5, -1 + 12*0.25 = 2,
    // -1 + 19*0.125 = 1.375; clamped to [-2, 127]: -2, 0.5, 2, 1.375.
    IntegerReference.ExactOutput exact =
        IntegerReference.exact(depthwiseMultiplier2(), DEPTHWISE_INPUT);
    assertArrayEquals(new double[] {-3, 0.5, 2, 1.375}, exact.unclamped().toArray());
    assertArrayEquals(new double[] {-2, 0.5, 2, 1.375}, exact.clamped().toArray());
    assertArrayEquals(new long[] {-2, 3, 12, 19}, exact.accumulators().toArray());
  }

  /**
   * fully_connected tflite-int8, N = 2, IC = 3, OC = 2, scale 0.5, zo 0.
   *
   * <pre>
   * x: b0 [1 -2 3], b1 [0 5 -1], zx = 1 -> real b0 [0 -3 2], b1 [-1 4 -2]
   * w: oc0 [1 1 1], oc1 [2 0 -1]; bias [4, -1]
   * b0 oc0: 0 - 3 + 2 = -1, +4 = 3  -> 1.5 -> 2
   * b0 oc1: 0 + 0 - 2 = -2, -1 = -3 -> -1.5 -> -1  (SRDHM: negative tie rounds up)
   * b1 oc0: -1 + 4 - 2 = 1, +4 = 5  -> 2.5 -> 3
   * b1 oc1: -2 + 0 + 2 = 0, -1 = -1 -> -0.5 -> 0
   * </pre>
   */
  @Test
  void fullyConnectedInt8() {
    QuantizedLayer layer =
        LayerBuilder.fullyConnected(Semantics.TFLITE_INT8)
            .input(2, 1, 1, 3)
            .outputChannels(2)
            .zeroPoints(1, 0)
            .filter(1, 1, 1, 2, 0, -1)
            .bias(4, -1)
            .q31(new int[] {HALF}, new int[] {0})
            .build();
    assertArrayEquals(
        new int[] {2, -1, 3, 0},
        IntegerReference.run(layer, ImmutableIntArray.of(1, -2, 3, 0, 5, -1)));
  }

  /**
   * conv2d 1x1 float-requant, uint8 input/output, int8 filter with per-channel zero points.
   *
   * <pre>
   * x: pixel0 [130, 126], pixel1 [128, 133], zx = 128 -> real [2, -2], [0, 5]
   * w: oc0 [3, 1] zw 1 -> [2, 0];  oc1 [-1, 2] zw -2 -> [1, 4];  bias [1, 0]
   * p0 oc0: 2*2 + -2*0 = 4, +1 = 5   * 0.5f  = 2.5  -> 2 (even)
   * p0 oc1: 2*1 + -2*4 = -6          * 0.25f = -1.5 -> -2 (even)
   * p1 oc0: 0 + 0 = 0, +1 = 1        * 0.5f  = 0.5  -> 0 (even)
   * p1 oc1: 0 + 5*4 = 20             * 0.25f = 5    -> 5
   * + zo 10: [12, 8, 10, 15]
   * </pre>
   */
  @Test
  void perChannelFloatRequantWithPerChannelFilterZeroPoints() {
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.FLOAT_REQUANT)
            .types(DataType.UINT8, DataType.INT8, DataType.UINT8)
            .input(1, 1, 2, 2)
            .outputChannels(2)
            .zeroPoints(128, 10, 1, -2)
            .filter(3, 1, -1, 2)
            .bias(1, 0)
            .floatScales(0.5f, 0.25f)
            .build();
    assertArrayEquals(
        new int[] {12, 8, 10, 15},
        IntegerReference.run(layer, ImmutableIntArray.of(130, 126, 128, 133)));
  }

  /**
   * Issue 12: huge float32 scales saturate, as ONNX Runtime's {@code MlasRequantizeOutput} clamps
   * the product in float. int8 in, int8 out, output zero point -5, filter 1, bias 0:
   *
   * <pre>
   * acc -1 * 3.4028235e38 = -3.4e38 -> clamp to -123 -> + (-5) = -128
   * acc  1 * 3.4028235e38 = +3.4e38 -> clamp to  132 -> + (-5) =  127
   * acc  0 * 3.4028235e38 = 0                        -> + (-5) =   -5
   * acc 100 * 1e14 = 1e16 (beyond int32)             ->           127
   * </pre>
   */
  @Test
  void hugeFloatScalesSaturate() {
    QuantizedLayer maxScale =
        LayerBuilder.fullyConnected(Semantics.FLOAT_REQUANT)
            .types(DataType.INT8, DataType.INT8, DataType.INT8)
            .input(3, 1, 1, 1)
            .outputChannels(1)
            .zeroPoints(0, -5)
            .filter(1)
            .bias(0)
            .floatScales(Float.MAX_VALUE)
            .build();
    assertArrayEquals(
        new int[] {-128, 127, -5}, IntegerReference.run(maxScale, ImmutableIntArray.of(-1, 1, 0)));
    QuantizedLayer e14 =
        LayerBuilder.fullyConnected(Semantics.FLOAT_REQUANT)
            .types(DataType.INT8, DataType.INT8, DataType.INT8)
            .input(2, 1, 1, 1)
            .outputChannels(1)
            .zeroPoints(0, -5)
            .filter(1)
            .bias(0)
            .floatScales(1e14f)
            .build();
    assertArrayEquals(
        new int[] {127, -128}, IntegerReference.run(e14, ImmutableIntArray.of(100, -100)));
  }

  /**
   * The accumulator wraps in 32 bits: bias 2^31 - 1 plus one product of 1 is -2^31, which
   * requantizes (scale 0.5) to -2^30 and clamps to -128. Without the wrap the output would be 127.
   */
  @Test
  void accumulatorWrapsIn32Bits() {
    QuantizedLayer layer =
        LayerBuilder.fullyConnected(Semantics.TFLITE_INT8)
            .input(1, 1, 1, 1)
            .outputChannels(1)
            .filter(1)
            .bias(Integer.MAX_VALUE)
            .q31(new int[] {HALF}, new int[] {0})
            .build();
    ImmutableIntArray input = ImmutableIntArray.of(1);
    assertArrayEquals(new int[] {-128}, IntegerReference.run(layer, input));
    IntegerReference.Accumulators acc = IntegerReference.accumulators(layer, input);
    assertEquals(Integer.MIN_VALUE, acc.wrapped().get(0));
    assertEquals(1L << 31, acc.exact().get(0));
    assertTrue(acc.overflowed(0));
  }

  @Test
  void rejectsInputOfTheWrongSizeOrRange() {
    assertThrows(
        IllegalArgumentException.class,
        () -> IntegerReference.run(conv3x3(), ImmutableIntArray.of(1, 2, 3)));
    assertThrows(
        IllegalArgumentException.class,
        () -> IntegerReference.run(conv3x3(), ImmutableIntArray.of(1, 2, 3, 4, 5, 6, 7, 8, 128)));
  }

  @Test
  void rejectsTfliteInt8WithAFilterZeroPoint() {
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.TFLITE_INT8)
            .input(1, 1, 1, 1)
            .outputChannels(1)
            .zeroPoints(0, 0, 3)
            .filter(1)
            .q31(new int[] {HALF}, new int[] {0})
            .build();
    assertThrows(
        IllegalArgumentException.class, () -> IntegerReference.run(layer, ImmutableIntArray.of(1)));
  }
}
