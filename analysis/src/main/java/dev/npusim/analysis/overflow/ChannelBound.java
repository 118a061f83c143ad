package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

/** The exact accumulator range of one output channel, with where each end is reached. */
public record ChannelBound(Extreme min, Extreme max) {
  public ChannelBound {
    checkArgument(
        min.channel() == max.channel() && !min.maximum() && max.maximum(),
        "min and max of one channel: %s, %s",
        min,
        max);
  }

  public int channel() {
    return max.channel();
  }

  public AccumulatorRange range() {
    return new AccumulatorRange(min.accumulator(), max.accumulator());
  }

  /** The end that needs more bits (the maximum on a tie). */
  public Extreme widest() {
    return min.bits() > max.bits() ? min : max;
  }
}
