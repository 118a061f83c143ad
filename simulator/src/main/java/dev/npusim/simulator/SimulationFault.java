package dev.npusim.simulator;

/**
 * A run stopped by a fault: the pc, the disassembled instruction and the reason. The machine state
 * is left as it was when the faulting instruction began (except for the fault itself).
 */
public final class SimulationFault extends Exception {
  private final FaultKind kind;
  private final int pc;
  private final String instruction;
  private final String reason;
  private final long steps;

  public SimulationFault(FaultKind kind, int pc, String instruction, String reason, long steps) {
    super(
        "fault "
            + kind.name().toLowerCase(java.util.Locale.ROOT)
            + " at pc "
            + pc
            + (instruction.isEmpty() ? "" : " (" + instruction + ")")
            + ": "
            + reason);
    this.kind = kind;
    this.pc = pc;
    this.instruction = instruction;
    this.reason = reason;
    this.steps = steps;
  }

  public FaultKind kind() {
    return kind;
  }

  public int pc() {
    return pc;
  }

  public String instruction() {
    return instruction;
  }

  public String reason() {
    return reason;
  }

  /** Instructions retired before the fault. */
  public long steps() {
    return steps;
  }
}
