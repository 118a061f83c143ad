package dev.npusim.golden.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.kernels.TensorShape;
import org.junit.jupiter.api.Test;

/** Metrics on tensors small enough to work out by hand. */
class ComparisonTest {
  private static final TensorShape SHAPE = new TensorShape(1, 1, 2, 2);

  @Test
  void equalTensorsAreBitExactWithInfiniteSqnr() {
    Comparison c = Comparison.of(SHAPE, new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4});
    assertTrue(c.bitExact());
    assertEquals(4, c.matching());
    assertTrue(c.firstMismatch().isEmpty());
    assertEquals(0.0, c.maxAbsError());
    assertEquals(Double.POSITIVE_INFINITY, c.sqnrDb());
  }

  @Test
  void oneMismatch() {
    // Element 2 differs by 2. Flat index 2 of [1, 1, 2, 2] is (b 0, y 0, x 1, c 0).
    // Signal 1 + 4 + 9 + 16 = 30, noise 2^2 = 4: SQNR = 10 log10(7.5) = 8.7506126339 dB.
    Comparison c = Comparison.of(SHAPE, new int[] {1, 2, 3, 4}, new int[] {1, 2, 5, 4});
    assertFalse(c.bitExact());
    assertEquals(3, c.matching());
    assertEquals(4, c.total());
    Comparison.Mismatch m = c.firstMismatch().orElseThrow();
    assertEquals(2, m.index());
    assertEquals("[0, 0, 1, 0]", m.coordinate());
    assertEquals(3.0, m.expected());
    assertEquals(5.0, m.actual());
    assertEquals(2.0, c.maxAbsError());
    assertEquals(8.7506126339, c.sqnrDb(), 1e-9);
    assertTrue(
        c.summary().contains("first mismatch at index 2 [0, 0, 1, 0]: expected 3, actual 5"));
  }

  @Test
  void firstMismatchIsTheLowestIndexAndMaxErrorTheLargest() {
    Comparison c = Comparison.of(SHAPE, new int[] {0, 0, 0, 10}, new int[] {0, -1, 0, 13});
    assertEquals(1, c.firstMismatch().orElseThrow().index());
    assertEquals(3.0, c.maxAbsError());
  }

  @Test
  void integerAgainstARealReference() {
    // Reference [0.5, 2, -1.25, 4], actual [1, 2, -1, 4]: errors 0.5, 0, 0.25, 0.
    // Signal 0.25 + 4 + 1.5625 + 16 = 21.8125, noise 0.25 + 0.0625 = 0.3125:
    // SQNR = 10 log10(69.8) = 18.4385542 dB.
    Comparison c = Comparison.of(SHAPE, new double[] {0.5, 2, -1.25, 4}, new int[] {1, 2, -1, 4});
    assertEquals(2, c.matching());
    assertEquals(0, c.firstMismatch().orElseThrow().index());
    assertEquals(0.5, c.maxAbsError());
    assertEquals(18.4385542, c.sqnrDb(), 1e-6);
  }

  @Test
  void zeroPointIsRemovedFromTheSignal() {
    // uint8 codes around zp 128: reference [130, 126, 128, 128] is the real signal [2, -2, 0, 0],
    // power 8; actual [131, 126, 128, 128], noise 1: SQNR = 10 log10(8) = 9.0308999 dB.
    Comparison c =
        Comparison.of(
            SHAPE, new double[] {130, 126, 128, 128}, new double[] {131, 126, 128, 128}, 128);
    assertEquals(9.0308999, c.sqnrDb(), 1e-6);
  }

  @Test
  void zeroSignal() {
    // All zero-point on both sides: no error, +Infinity.
    assertEquals(
        Double.POSITIVE_INFINITY,
        Comparison.of(SHAPE, new int[] {0, 0, 0, 0}, new int[] {0, 0, 0, 0}).sqnrDb());
    // No signal but some error: -Infinity.
    assertEquals(
        Double.NEGATIVE_INFINITY,
        Comparison.of(SHAPE, new int[] {0, 0, 0, 0}, new int[] {0, 1, 0, 0}).sqnrDb());
  }

  @Test
  void rejectsLengthsThatDisagreeWithTheShape() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Comparison.of(SHAPE, new int[] {1, 2, 3}, new int[] {1, 2, 3}));
  }
}
