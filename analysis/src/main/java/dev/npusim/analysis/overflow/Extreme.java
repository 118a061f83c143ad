package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One extreme of an output channel's accumulator and an output position where it is reached (in
 * every batch image; the witness uses image 0).
 *
 * @param maximum true for the channel's largest accumulator, false for its smallest
 * @param y output row
 * @param x output column (for {@code fully_connected}, both are 0)
 * @param accumulator the exact value, bias included
 */
public record Extreme(int channel, boolean maximum, int y, int x, long accumulator) {
  public Extreme {
    checkArgument(channel >= 0, "channel %s is negative", channel);
    checkArgument(y >= 0 && x >= 0, "position (%s, %s) is negative", y, x);
  }

  /** The narrowest two's-complement width that holds this value. */
  public int bits() {
    return AccumulatorRange.bitsFor(accumulator);
  }

  public String describe() {
    return String.format(
        "channel %d %s %d at output (%d, %d)", channel, maximum ? "max" : "min", accumulator, y, x);
  }
}
