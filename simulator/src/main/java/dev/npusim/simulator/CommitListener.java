package dev.npusim.simulator;

/**
 * Receives a run's commit log: one {@link CommitRecord} per retired instruction, in order, and at
 * most one fault at the end. Attached with {@link Machine#run(dev.npusim.isa.Program, long,
 * CommitListener)}; the run then takes the traced path, so a run without a listener is unchanged.
 */
public interface CommitListener {
  void retired(CommitRecord record);

  /** The run stopped with a fault instead of {@code halt}; no record follows. */
  default void faulted(SimulationFault fault) {}
}
