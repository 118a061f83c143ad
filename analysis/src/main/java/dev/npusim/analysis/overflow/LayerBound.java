package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;

/**
 * The exact accumulator ranges of a layer, per output channel, and the narrowest accumulator that
 * holds all of them.
 *
 * @param channels one per output channel, in channel order
 * @param minSafeBits the smallest two's-complement width holding every channel's range
 * @param worst the extreme that needs {@code minSafeBits} (the first such channel, its maximum on a
 *     tie): where a witness aims
 */
public record LayerBound(ImmutableList<ChannelBound> channels, int minSafeBits, Extreme worst) {
  public LayerBound {
    checkArgument(!channels.isEmpty(), "a layer has output channels");
    checkArgument(
        worst.bits() == minSafeBits,
        "worst extreme %s needs %s bits, not %s",
        worst,
        worst.bits(),
        minSafeBits);
  }

  public ImmutableList<AccumulatorRange> ranges() {
    return channels.stream().map(ChannelBound::range).collect(ImmutableList.toImmutableList());
  }
}
