package dev.npusim.golden.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.npusim.kernels.TensorShape;
import org.junit.jupiter.api.Test;

/** Hand calculations for the pooling, ADD and SOFTMAX references, written out in each test. */
class HostOperatorReferenceTest {
  @Test
  void averagePoolRoundsHalfAwayFromZeroAndCountsOnlyTheInput() {
    // 2x2 input, 2x2 window, stride 1, SAME-style padding of 1 at the bottom/right is not counted.
    TensorShape in = new TensorShape(1, 2, 2, 1);
    TensorShape out = new TensorShape(1, 2, 2, 1);
    PoolingReference.Parameters p =
        new PoolingReference.Parameters(in, out, 2, 2, 1, 1, 0, 0, -128, 127);
    // (0,0): {1, 2, 3, 5} sum 11 / 4 = 2.75 -> 3; (0,1): {2, 5} = 3.5 -> 4;
    // (1,0): {3, 5} = 4; (1,1): {5}.
    assertArrayEquals(new int[] {3, 4, 4, 5}, PoolingReference.average(p, new int[] {1, 2, 3, 5}));
    // Negated: -2.75 -> -3, -3.5 -> -4 (away from zero), -4, -5.
    assertArrayEquals(
        new int[] {-3, -4, -4, -5}, PoolingReference.average(p, new int[] {-1, -2, -3, -5}));
    assertArrayEquals(new int[] {5, 5, 5, 5}, PoolingReference.max(p, new int[] {1, 2, 3, 5}));
  }

  @Test
  void addRescalesBothInputsAndRoundsTiesAwayFromZero() {
    // Input scales 1 and 1: each multiplier 1/2 = 2^30 * 2^(0-31), shift 0.
    // Output scale 2: 2 * 1 / (2^20 * 2) = 2^-20 = 2^30 * 2^(-19-31), shift -19.
    AddReference.Parameters p =
        new AddReference.Parameters(20, 0, 1 << 30, 0, 0, 1 << 30, 0, 0, 1 << 30, -19, -128, 127);
    // (3 + 4) / 2 = 3.5 -> 4; (1 + 0) / 2 = 0.5 -> 1; (-1 + 0) / 2 = -0.5 -> -1; 254 / 2 = 127.
    assertArrayEquals(
        new int[] {4, 1, -1, 127},
        AddReference.add(p, new int[] {3, 1, -1, 127}, new int[] {4, 0, 0, 127}));
  }

  @Test
  void softmaxOfEqualInputsIsOneHalfAndFarInputsAreZero() {
    // Any multiplier: equal inputs have difference 0, exp(0) = 1, so each gets 1/2 = 128/256,
    // which is 0 with the output zero point -128.
    SoftmaxReference.Parameters p = new SoftmaxReference.Parameters(1 << 30, 20, -10);
    assertArrayEquals(new int[] {0, 0}, SoftmaxReference.softmax(p, new int[] {5, 5}, 2));
    // A difference below diff_min contributes nothing: the maximum gets 256/256, saturated to 127.
    assertArrayEquals(new int[] {127, -128}, SoftmaxReference.softmax(p, new int[] {0, -20}, 2));
  }
}
