package dev.npusim.isa;

/** A program that is not valid as a whole: a target outside it, an empty loop body. */
public final class ProgramException extends Exception {
  private final int pc;

  public ProgramException(int pc, Instruction insn, String reason) {
    super("pc " + pc + " (" + insn + "): " + reason);
    this.pc = pc;
  }

  public ProgramException(int pc, String reason) {
    super("pc " + pc + ": " + reason);
    this.pc = pc;
  }

  public int pc() {
    return pc;
  }
}
