package dev.npusim.kernels.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** TFLite's QuantizeMultiplier, by hand and against the golden files' own multipliers. */
class QuantizedMultiplierTest {

  @Test
  void powersOfTwo() {
    // 0.5 = 0.5 * 2^0 -> (0.5 * 2^31, 0);  1.0 = 0.5 * 2^1 -> (2^30, 1)
    assertEquals(new QuantizedMultiplier(1 << 30, 0), QuantizedMultiplier.of(0.5));
    assertEquals(new QuantizedMultiplier(1 << 30, 1), QuantizedMultiplier.of(1.0));
    // 2^-32 = 0.5 * 2^-31: the smallest shift that keeps any bits.
    assertEquals(
        new QuantizedMultiplier(1 << 30, -31), QuantizedMultiplier.of(Math.scalb(1.0, -32)));
    // 2^-33 = 0.5 * 2^-32: shift -32 shifts everything out -> (0, 0).
    assertEquals(new QuantizedMultiplier(0, 0), QuantizedMultiplier.of(Math.scalb(1.0, -33)));
  }

  @Test
  void mantissaIsRoundedToQ31() {
    // 0.75 * 2^31 = 1610612736 exactly; 3.0 = 0.75 * 2^2.
    assertEquals(new QuantizedMultiplier(1610612736, 0), QuantizedMultiplier.of(0.75));
    assertEquals(new QuantizedMultiplier(1610612736, 2), QuantizedMultiplier.of(3.0));
    // 0.1 = 0.8 * 2^-3; 0.8 * 2^31 = 1717986918.4 -> 1717986918.
    assertEquals(new QuantizedMultiplier(1717986918, -3), QuantizedMultiplier.of(0.1));
  }

  @Test
  void roundingUpToTwoTo31MovesToTheNextShift() {
    // 1 - 2^-40 = q * 2^0 with q * 2^31 = 2^31 - 2^-9, which rounds to 2^31: halve, shift + 1.
    assertEquals(
        new QuantizedMultiplier(1 << 30, 1), QuantizedMultiplier.of(1 - Math.scalb(1.0, -40)));
  }

  @Test
  void zeroAndInvalidInputs() {
    assertEquals(new QuantizedMultiplier(0, 0), QuantizedMultiplier.of(0));
    assertEquals(new QuantizedMultiplier(0, 0), QuantizedMultiplier.of(Double.MIN_VALUE));
    assertThrows(IllegalArgumentException.class, () -> QuantizedMultiplier.of(-1));
    assertThrows(IllegalArgumentException.class, () -> QuantizedMultiplier.of(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> QuantizedMultiplier.of(Math.scalb(1.0, 31)));
  }

  @Test
  void realValueIsExact() {
    assertEquals(3.0, new QuantizedMultiplier(1610612736, 2).realValue());
  }
}
