package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An accumulator width to check a layer against ({@code --acc-bits}). Any width from 8 to 64 bits
 * can be checked against the exact bound; only 16 to 48 bits can also be simulated ({@code
 * MachineConfig}'s range).
 */
public record AccumulatorWidth(int bits) {
  public static final int MIN_BITS = 8;
  public static final int MAX_BITS = 64;

  public AccumulatorWidth {
    checkArgument(
        bits >= MIN_BITS && bits <= MAX_BITS,
        "accumulator width %s is outside %s..%s",
        bits,
        MIN_BITS,
        MAX_BITS);
  }

  /**
   * @throws AccumulatorWidthException for a width outside 8..64 (user input: a typed error with one
   *     clear message, not an IllegalArgumentException)
   */
  public static AccumulatorWidth of(int bits) throws AccumulatorWidthException {
    if (bits < MIN_BITS || bits > MAX_BITS) {
      throw new AccumulatorWidthException(bits);
    }
    return new AccumulatorWidth(bits);
  }

  /** Spare bits over the narrowest safe width; negative when the width can overflow. */
  public int marginOver(int minSafeBits) {
    return bits - minSafeBits;
  }
}
