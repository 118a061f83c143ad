package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The exact range of one accumulator: {@code accMin} and {@code accMax} are each reached by some
 * input, bias included.
 */
public record AccumulatorRange(long accMin, long accMax) {
  public AccumulatorRange {
    checkArgument(accMin <= accMax, "acc_min %s > acc_max %s", accMin, accMax);
  }

  /** The narrowest two's-complement width that holds both extremes. */
  public int bits() {
    return Math.max(bitsFor(accMin), bitsFor(accMax));
  }

  /**
   * The narrowest two's-complement width that holds {@code v}: a width w holds v exactly when
   * {@code -2^(w-1) <= v <= 2^(w-1) - 1}, that is when {@code v ^ (v >> 63)} (v for v >= 0, -v - 1
   * below) is below {@code 2^(w-1)}; so w is that value's bit length plus the sign bit.
   */
  public static int bitsFor(long v) {
    long magnitude = v ^ (v >> 63);
    return 65 - Long.numberOfLeadingZeros(magnitude);
  }
}
