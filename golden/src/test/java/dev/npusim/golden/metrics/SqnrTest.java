package dev.npusim.golden.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SqnrTest {
  @Test
  void sumsOverEveryElementBeforeTheRatio() {
    // Signal 1² + 2² = 5, noise 0² + 1² = 1, then a second accumulator: signal 3² = 9, noise 2² =
    // 4.
    // Together 14 / 5: 10 log10(2.8) = 4.4715803134 dB (not the mean of the two ratios).
    Sqnr a = new Sqnr();
    a.add(1, 1);
    a.add(2, 3);
    assertEquals(6.9897000434, a.db(), 1e-9);
    Sqnr b = new Sqnr();
    b.add(3, 5);
    a.add(b);
    assertEquals(4.4715803134, a.db(), 1e-9);
  }

  @Test
  void edgeCases() {
    assertEquals(Double.NaN, new Sqnr().db());
    Sqnr exact = new Sqnr();
    exact.add(0, 0);
    assertEquals(Double.POSITIVE_INFINITY, exact.db());
    assertEquals(Double.NEGATIVE_INFINITY, Sqnr.db(0, 1));
  }

  @Test
  void bulkAddSumsTheSameElementsByHand() {
    // Signal 1² + 2² = 5, noise 0² + 1² = 1: 10 log10(5) = 6.9897000434 dB, as one element at a
    // time above; then 3 against 5 on top of what is there: 14 / 5, 4.4715803134 dB.
    Sqnr a = new Sqnr();
    a.add(new double[] {1, 2}, new double[] {1, 3});
    assertEquals(6.9897000434, a.db(), 1e-9);
    a.add(new double[] {3}, new double[] {5});
    assertEquals(4.4715803134, a.db(), 1e-9);
    Sqnr none = new Sqnr();
    none.add(new double[0], new double[0]);
    assertEquals(Double.NaN, none.db());
  }

  @Test
  void bulkAddIsBitForBitTheElementLoop() {
    // Magnitudes spread over twelve decades, so that any other summation order (pairwise, two
    // interleaved partial sums, a fused multiply-add) rounds differently somewhere.
    Random rnd = new Random(11);
    int differentOrderDiffers = 0;
    for (int trial = 0; trial < 200; trial++) {
      int n = rnd.nextInt(300);
      double[] ref = new double[n];
      double[] act = new double[n];
      for (int i = 0; i < n; i++) {
        ref[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 6);
        act[i] = ref[i] + rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 8);
      }
      Sqnr one = new Sqnr();
      Sqnr bulk = new Sqnr();
      one.add(0.3, 0.7);
      bulk.add(0.3, 0.7);
      for (int i = 0; i < n; i++) {
        one.add(ref[i], act[i]);
      }
      bulk.add(ref, act);
      assertEquals(
          Double.doubleToRawLongBits(one.db()),
          Double.doubleToRawLongBits(bulk.db()),
          "trial " + trial);
      Sqnr reversed = new Sqnr();
      reversed.add(0.3, 0.7);
      for (int i = n - 1; i >= 0; i--) {
        reversed.add(ref[i], act[i]);
      }
      if (Double.doubleToRawLongBits(reversed.db()) != Double.doubleToRawLongBits(one.db())) {
        differentOrderDiffers++;
      }
    }
    // The data can tell orders apart (about a fifth of the trials give another dB when summed in
    // reverse): the test would catch a bulk add that sums in another order.
    assertTrue(differentOrderDiffers > 20, "only " + differentOrderDiffers + " trials differ");
  }

  @Test
  void bulkAddThroughAccessorsReadsOnlyTheFirstElements() {
    // Only 1 against 1 and 2 against 3 count: 5 / 1, 6.9897000434 dB; the third elements would
    // make it 14 / 5.
    double[] ref = {1, 2, 3};
    int[] act = {1, 3, 5};
    Sqnr a = new Sqnr();
    a.add(2, i -> ref[i], i -> act[i]);
    assertEquals(6.9897000434, a.db(), 1e-9);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Sqnr().add(-1, i -> 0, i -> 0));
    assertEquals("negative length -1", e.getMessage());
  }

  @Test
  void bulkAddRefusesArraysOfDifferentLength() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Sqnr().add(new double[2], new double[3]));
    assertEquals("reference has 2 elements but actual has 3", e.getMessage());
  }
}
