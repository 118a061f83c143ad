package dev.npusim.golden.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.LayerBuilder;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import org.junit.jupiter.api.Test;

/** The float reference on the hand-computed layers of {@link IntegerReferenceTest}. */
class ExactRequantReferenceTest {

  @Test
  void conv2dIsTheUnroundedValue() {
    // Accumulators 19, 21, 25, 27 (see IntegerReferenceTest.conv3x3) times 0.5, plus zo 3.
    assertArrayEquals(
        new double[] {12.5, 13.5, 15.5, 16.5},
        ExactRequantReference.run(
            IntegerReferenceTest.conv3x3(), IntegerReferenceTest.CONV3X3_INPUT));
  }

  @Test
  void depthwiseClampsOnlyInRun() {
    // -1 + (-2)*1 = -3 (clamped to -2), -1 + 3*0.5, -1 + 12*0.25, -1 + 19*0.125.
    QuantizedLayer layer = IntegerReferenceTest.depthwiseMultiplier2();
    assertArrayEquals(
        new double[] {-3, 0.5, 2, 1.375},
        ExactRequantReference.unclamped(layer, IntegerReferenceTest.DEPTHWISE_INPUT));
    assertArrayEquals(
        new double[] {-2, 0.5, 2, 1.375},
        ExactRequantReference.run(layer, IntegerReferenceTest.DEPTHWISE_INPUT));
  }

  @Test
  void paddingIsARealZero() {
    // uint8, zx = 200, 1x1 input [201] padded by one on every side, 3x3 kernel of ones with
    // zw = 100 (real 1 each): only the centre tap sees data, so the sum is (201 - 200) * 1 = 1.
    // Scale 1 (multiplier 2^30, shift 1), zo 50: 51.
    int[] ones = new int[9];
    java.util.Arrays.fill(ones, 101);
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.TFLITE_UINT8)
            .input(1, 1, 1, 1)
            .outputChannels(1)
            .kernel(3, 3)
            .padding(1, 1, 1, 1)
            .zeroPoints(200, 50, 100)
            .filter(ones)
            .q31(new int[] {1 << 30}, new int[] {1})
            .build();
    assertArrayEquals(
        new double[] {51}, ExactRequantReference.run(layer, ImmutableIntArray.of(201)));
  }

  @Test
  void effectiveScaleOfQ31IsMultiplierTimesTwoToShiftMinus31() {
    // 1610612736 = 0.75 * 2^31; shift 2 -> 0.75 * 4 = 3.
    QuantizedLayer layer =
        LayerBuilder.conv2d(Semantics.TFLITE_INT8)
            .input(1, 1, 1, 1)
            .outputChannels(1)
            .filter(1)
            .q31(new int[] {1610612736}, new int[] {2})
            .build();
    assertEquals(3.0, ExactRequantReference.effectiveScale(layer, 0));
  }
}
