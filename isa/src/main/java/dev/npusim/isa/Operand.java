package dev.npusim.isa;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One operand of an instruction form: its kind, the field of the word that holds it, and the name
 * the syntax line uses for it ("xd", "imm", ...).
 */
public record Operand(OperandKind kind, Slot slot, String name) {
  public Operand {
    boolean immediateKind =
        kind == OperandKind.IMM
            || kind == OperandKind.UIMM
            || kind == OperandKind.TARGET
            || kind == OperandKind.SHAMT;
    checkArgument(
        immediateKind == (slot == Slot.IMM),
        "operand %s of kind %s cannot live in slot %s",
        name,
        kind,
        slot);
  }
}
