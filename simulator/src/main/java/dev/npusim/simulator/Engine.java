package dev.npusim.simulator;

/**
 * How a {@link Machine} executes a program. Both engines have the same effect, instruction by
 * instruction: the same registers, scratchpads, DRAM, counters, and faults at the same pc with the
 * same message ({@code FastEngineProperties} compares them on random programs and layers).
 */
public enum Engine {
  /**
   * The reference path: one instruction per trip around the loop, each an arm of {@link
   * Executor#execute}.
   */
  INTERPRETER,

  /**
   * Fused blocks of the instructions compiled layers spend their time in (see {@link FusedBlocks}),
   * falling back to the interpreter's own {@code execute} for everything else.
   */
  FAST,

  /**
   * {@link #FAST}, and the iterations of a hardware loop split over several threads when the loop's
   * body allows it and the split provably gives the sequential result (see {@link ParallelLoops});
   * otherwise the loop runs as on {@link #FAST}. Opt-in: it uses more than one core per machine.
   */
  PARALLEL;

  /** The name used on the command line ({@code --engine interpreter}). */
  public String cliName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
