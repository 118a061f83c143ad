package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One layer's accumulator analysis.
 *
 * @param bound exact ranges per channel and the narrowest safe width
 * @param observedBits the width the study observed on real data, in the program's own accumulation
 *     order ({@code RunResult#accumulatorBitsNeeded}), when it was given
 * @param witnessRun the witness for {@code bound.worst()} on the simulator, when it was asked for
 */
public record LayerReport(
    String name,
    LayerKind kind,
    Semantics semantics,
    LayerBound bound,
    OptionalInt observedBits,
    Optional<WitnessRun> witnessRun) {

  public LayerReport {
    checkArgument(name != null && !name.isBlank(), "a layer has a name");
    // Every partial sum lies inside the bound (bias first, each term's range contains 0), so data
    // can never need more bits than the bound: more would be a bug in one of the two.
    checkArgument(
        observedBits.isEmpty() || observedBits.getAsInt() <= bound.minSafeBits(),
        "layer %s: observed %s bits exceed the proven bound of %s",
        name,
        observedBits.orElse(0),
        bound.minSafeBits());
  }

  public int minSafeBits() {
    return bound.minSafeBits();
  }

  /** Spare bits of {@code width} over the worst case; negative when it can overflow. */
  public int margin(AccumulatorWidth width) {
    return width.marginOver(minSafeBits());
  }

  /** True when some input overflows an accumulator of {@code bits}. */
  public boolean canOverflow(int bits) {
    return minSafeBits() > bits;
  }

  /** Bits between the worst case and what real data needed, when observed. */
  public OptionalInt headroomOverObserved() {
    return observedBits.isPresent()
        ? OptionalInt.of(minSafeBits() - observedBits.getAsInt())
        : OptionalInt.empty();
  }
}
