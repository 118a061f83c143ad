package dev.npusim.golden.reference;

import static dev.npusim.golden.reference.RequantArithmetic.multiplyByQuantizedMultiplier;
import static dev.npusim.golden.reference.RequantArithmetic.roundHalfToEven;
import static dev.npusim.golden.reference.RequantArithmetic.roundingDivideByPowerOfTwo;
import static dev.npusim.golden.reference.RequantArithmetic.saturatingRoundingDoublingHighMul;
import static dev.npusim.golden.reference.RequantArithmetic.scaleInFloat32;
import static dev.npusim.golden.reference.RequantArithmetic.shiftLeftWrapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The reference's scalar arithmetic against values worked out by hand from the spec. */
class RequantArithmeticTest {
  private static final int INT_MIN = Integer.MIN_VALUE;
  private static final int INT_MAX = Integer.MAX_VALUE;
  private static final int HALF = 1 << 30; // Q31 0.5

  @Test
  void srdhmSaturatesTheOneProductThatDoesNotFit() {
    // (-2^31) * (-2^31) * 2 / 2^32 = 2^31, one more than INT_MAX.
    assertEquals(INT_MAX, saturatingRoundingDoublingHighMul(INT_MIN, INT_MIN));
  }

  @Test
  void srdhmRoundsNegativeTiesTowardZero() {
    // -1 * 2^30 / 2^31 = -0.5: (-2^30 + 1 - 2^30) / 2^31 = -0.99.. truncates to 0.
    assertEquals(0, saturatingRoundingDoublingHighMul(-1, HALF));
    // -3 * 2^30 / 2^31 = -1.5 -> -1 (the tie goes up, not away from zero).
    assertEquals(-1, saturatingRoundingDoublingHighMul(-3, HALF));
  }

  @Test
  void srdhmRoundsPositiveTiesUp() {
    // 3 * 2^30 / 2^31 = 1.5 -> 2;  1 * 2^30 / 2^31 = 0.5 -> 1.
    assertEquals(2, saturatingRoundingDoublingHighMul(3, HALF));
    assertEquals(1, saturatingRoundingDoublingHighMul(1, HALF));
  }

  @Test
  void srdhmOfLargeValues() {
    // 2^30 * 2^30 / 2^31 = 2^29 exactly.
    assertEquals(1 << 29, saturatingRoundingDoublingHighMul(HALF, HALF));
    // (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31 -> 2^31 - 2.
    assertEquals(INT_MAX - 1, saturatingRoundingDoublingHighMul(INT_MAX, INT_MAX));
    // -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1).
    assertEquals(-INT_MAX, saturatingRoundingDoublingHighMul(INT_MIN, INT_MAX));
  }

  @Test
  void rdbpotRoundsHalfAwayFromZero() {
    assertEquals(-1, roundingDivideByPowerOfTwo(-1, 1)); // -0.5 -> -1
    assertEquals(-2, roundingDivideByPowerOfTwo(-3, 1)); // -1.5 -> -2
    assertEquals(3, roundingDivideByPowerOfTwo(5, 1)); // 2.5 -> 3
    assertEquals(2, roundingDivideByPowerOfTwo(6, 2)); // 1.5 -> 2
    assertEquals(-2, roundingDivideByPowerOfTwo(-6, 2)); // -1.5 -> -2
  }

  @Test
  void rdbpotRoundsNonTiesToNearest() {
    assertEquals(-1, roundingDivideByPowerOfTwo(-5, 2)); // -1.25 -> -1
    assertEquals(2, roundingDivideByPowerOfTwo(7, 2)); // 1.75 -> 2
    assertEquals(-2, roundingDivideByPowerOfTwo(-7, 2)); // -1.75 -> -2
    assertEquals(1, roundingDivideByPowerOfTwo(5, 2)); // 1.25 -> 1
  }

  @Test
  void rdbpotAtTheExponentLimits() {
    assertEquals(-17, roundingDivideByPowerOfTwo(-17, 0)); // no division
    assertEquals(-1, roundingDivideByPowerOfTwo(INT_MIN, 31)); // exactly -1
    assertEquals(1, roundingDivideByPowerOfTwo(INT_MAX, 31)); // 0.99.. -> 1
    assertEquals(0, roundingDivideByPowerOfTwo(1 << 29, 31)); // 0.25 -> 0
    assertThrows(IllegalArgumentException.class, () -> roundingDivideByPowerOfTwo(1, 32));
  }

  @Test
  void leftShiftWrapsIn32Bits() {
    // 2^30 * 2 = 2^31, which as int32 is -2^31.
    assertEquals(INT_MIN, shiftLeftWrapping(HALF, 1));
    // (2^30 + 1) * 4 = 2^32 + 4: the 2^32 bit is lost.
    assertEquals(4, shiftLeftWrapping(HALF + 1, 2));
    // -3 * 8 = -24: negative values shift like multiplication while they fit.
    assertEquals(-24, shiftLeftWrapping(-3, 3));
  }

  @Test
  void mbqmWrapsTheLeftShiftBeforeTheMultiply() {
    // shift 1: 2^30 << 1 wraps to -2^31; SRDHM(-2^31, 2^30) = -2^61 / 2^31 = -2^30.
    // Without the wrap the true value would be 2^30 * 2 * 0.5 = +2^30.
    assertEquals(-(1 << 30), multiplyByQuantizedMultiplier(HALF, HALF, 1));
  }

  @Test
  void mbqmRoundsTwice() {
    // 5 * 0.5 * 2^-1 = 1.25, but TFLite rounds twice: SRDHM(5, 2^30) = 2.5 -> 3, then
    // RDBPOT(3, 1) = 1.5 -> 2. A single rounding would give 1.
    assertEquals(2, multiplyByQuantizedMultiplier(5, HALF, -1));
    // 100 * 0.5 = 50, 50 / 2 = 25: exact.
    assertEquals(25, multiplyByQuantizedMultiplier(100, HALF, -1));
    // shift +1 with multiplier 0.5 is the identity: (7 << 1) * 0.5 = 7.
    assertEquals(7, multiplyByQuantizedMultiplier(7, HALF, 1));
    // multiplier 0 maps everything to 0.
    assertEquals(0, multiplyByQuantizedMultiplier(INT_MAX, 0, 5));
  }

  @Test
  void float32TiesRoundToEven() {
    assertEquals(2.0, roundHalfToEven(scaleInFloat32(5, 0.5f))); // 2.5 -> 2
    assertEquals(4.0, roundHalfToEven(scaleInFloat32(7, 0.5f))); // 3.5 -> 4
    assertEquals(-2.0, roundHalfToEven(scaleInFloat32(-5, 0.5f))); // -2.5 -> -2
    assertEquals(-4.0, roundHalfToEven(scaleInFloat32(-7, 0.5f))); // -3.5 -> -4
    assertEquals(0.0, roundHalfToEven(scaleInFloat32(1, 0.5f))); // 0.5 -> 0
  }

  @Test
  void accumulatorIsRoundedToFloat32First() {
    // 2^24 + 1 is halfway between the float32 neighbours 2^24 and 2^24 + 2; ties to even give
    // 2^24 (mantissa ...000), so the output is 16777216 and not 16777217.
    assertEquals(16777216.0, roundHalfToEven(scaleInFloat32((1 << 24) + 1, 1.0f)));
  }

  @Test
  void productIsRoundedToFloat32BeforeTheHalfEvenRounding() {
    // scale bits 0x3F955555 = 9786709 / 2^23 (the float32 nearest 7/6).
    // 3 * 9786709 / 2^23 = 29360127 / 2^23 = 3.49999988..: in exact arithmetic this rounds to 3.
    // In float32, [2, 4) has a spacing of 2^-22 and 29360127 / 2^23 = 14680063.5 * 2^-22 is a
    // tie between 14680063 and 14680064 (even) * 2^-22 = 3.5, and round_half_to_even(3.5) = 4.
    float scale = Float.intBitsToFloat(0x3F955555);
    assertEquals(9786709.0 / (1 << 23), (double) scale);
    assertEquals(3.5f, scaleInFloat32(3, scale));
    assertEquals(4.0, roundHalfToEven(scaleInFloat32(3, scale)));
  }
}
