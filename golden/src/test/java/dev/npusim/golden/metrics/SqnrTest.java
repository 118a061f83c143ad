package dev.npusim.golden.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
