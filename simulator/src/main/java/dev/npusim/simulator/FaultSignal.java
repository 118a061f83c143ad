package dev.npusim.simulator;

/**
 * Raised inside an instruction's semantics; the run loop catches it and attaches the pc and the
 * instruction text to make a {@link SimulationFault}. Unchecked so that the datapath methods stay
 * plain; it never escapes the simulator. No stack trace: it is control flow, not a bug.
 */
final class FaultSignal extends RuntimeException {
  final FaultKind kind;

  FaultSignal(FaultKind kind, String reason) {
    super(reason, null, false, false);
    this.kind = kind;
  }
}
