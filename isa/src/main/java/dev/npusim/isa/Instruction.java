package dev.npusim.isa;

import java.util.Arrays;
import java.util.List;

/**
 * One instruction: an opcode and its operand values in assembly order. Immutable and valid by
 * construction: {@link #of} applies every operand check, so an {@code Instruction} always encodes.
 */
public final class Instruction {
  private final Opcode opcode;
  private final int[] operands;

  private Instruction(Opcode opcode, int[] operands) {
    this.opcode = opcode;
    this.operands = operands;
  }

  /**
   * Builds an instruction.
   *
   * @throws IllegalArgumentException naming the operand and the reason if a value is illegal
   */
  public static Instruction of(Opcode opcode, int... operands) {
    List<Operand> spec = opcode.operands();
    if (operands.length != spec.size()) {
      throw new IllegalArgumentException(
          opcode.mnemonic()
              + " takes "
              + spec.size()
              + " operand(s) ("
              + opcode.syntax()
              + "), got "
              + operands.length);
    }
    for (int i = 0; i < operands.length; i++) {
      String why = spec.get(i).kind().check(operands[i]);
      if (why != null) {
        throw new IllegalArgumentException(
            opcode.mnemonic() + " operand " + spec.get(i).name() + ": " + why);
      }
    }
    return new Instruction(opcode, operands.clone());
  }

  public Opcode opcode() {
    return opcode;
  }

  public int operandCount() {
    return operands.length;
  }

  /** Value of the i-th operand in assembly order. */
  public int operand(int i) {
    return operands[i];
  }

  /** Value of the operand held in the given slot, or 0 if the opcode leaves it unused. */
  public int slot(Slot slot) {
    List<Operand> spec = opcode.operands();
    for (int i = 0; i < spec.size(); i++) {
      if (spec.get(i).slot() == slot) {
        return operands[i];
      }
    }
    return 0;
  }

  /** The branch or loop target, or -1 if the opcode has none. */
  public int target() {
    int i = opcode.indexOf(OperandKind.TARGET);
    return i < 0 ? -1 : operands[i];
  }

  /** A copy with the target replaced. */
  public Instruction withTarget(int target) {
    int i = opcode.indexOf(OperandKind.TARGET);
    if (i < 0) {
      throw new IllegalStateException(opcode.mnemonic() + " has no target");
    }
    int[] copy = operands.clone();
    copy[i] = target;
    return of(opcode, copy);
  }

  /** Assembly text with numeric targets. */
  @Override
  public String toString() {
    return format(null);
  }

  /**
   * Assembly text.
   *
   * @param targetName maps a target to a label name; null prints the instruction index
   */
  public String format(java.util.function.IntFunction<String> targetName) {
    StringBuilder sb = new StringBuilder(opcode.mnemonic());
    List<Operand> spec = opcode.operands();
    for (int i = 0; i < operands.length; i++) {
      sb.append(i == 0 ? " " : ", ");
      OperandKind kind = spec.get(i).kind();
      if (kind == OperandKind.TARGET && targetName != null) {
        sb.append(targetName.apply(operands[i]));
      } else {
        sb.append(kind.format(operands[i]));
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Instruction other
        && other.opcode == opcode
        && Arrays.equals(other.operands, operands);
  }

  @Override
  public int hashCode() {
    return opcode.hashCode() * 31 + Arrays.hashCode(operands);
  }
}
