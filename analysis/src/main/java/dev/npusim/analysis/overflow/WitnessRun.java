package dev.npusim.analysis.overflow;

/** What running a witness on the simulator showed, or why it was not run. */
public sealed interface WitnessRun {

  /**
   * The witness run three times on the simulator.
   *
   * @param narrowBits the width one bit too narrow: {@code min_safe_bits - 1}
   * @param wrapOverflows accumulator overflows counted at {@code narrowBits}, wrap mode
   * @param saturateOverflows accumulator overflows counted at {@code narrowBits}, saturate mode
   * @param observedBits the narrowest width holding every partial sum of a run at a width that
   *     cannot overflow ({@code Machine#trackAccumulatorWidth}): equal to {@code min_safe_bits}
   *     when the witness reaches the bound
   */
  record Ran(int narrowBits, long wrapOverflows, long saturateOverflows, int observedBits)
      implements WitnessRun {}

  /** The witness could not run, e.g. the narrow width is outside what the simulator models. */
  record NotRun(String reason) implements WitnessRun {}
}
