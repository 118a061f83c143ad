package dev.npusim.isa;

import java.util.List;

/** Operand lists shared by several {@link Opcode} forms. */
final class Operands {
  private Operands() {}

  static List<Operand> none() {
    return List.of();
  }

  static List<Operand> of(Operand... operands) {
    return List.of(operands);
  }

  static Operand xreg(String name, Slot slot) {
    return new Operand(OperandKind.XREG, slot, name);
  }

  static Operand vreg(String name, Slot slot) {
    return new Operand(OperandKind.VREG, slot, name);
  }

  static Operand spad(Slot slot) {
    return new Operand(OperandKind.SPAD, slot, "spad");
  }

  static Operand xd() {
    return xreg("xd", Slot.S1);
  }

  static Operand accd() {
    return new Operand(OperandKind.AREG, Slot.S1, "accd");
  }

  static Operand imm(String name) {
    return new Operand(OperandKind.IMM, Slot.IMM, name);
  }

  static Operand uimm(String name) {
    return new Operand(OperandKind.UIMM, Slot.IMM, name);
  }

  static Operand target(String name) {
    return new Operand(OperandKind.TARGET, Slot.IMM, name);
  }

  /** {@code op xd, xa, xb}. */
  static List<Operand> rrr() {
    return of(xd(), xreg("xa", Slot.S2), xreg("xb", Slot.S3));
  }

  /** {@code op xd, xa, imm}. */
  static List<Operand> rri() {
    return of(xd(), xreg("xa", Slot.S2), imm("imm"));
  }

  /** {@code op xd, xa, shamt}. */
  static List<Operand> rrs() {
    return of(xd(), xreg("xa", Slot.S2), new Operand(OperandKind.SHAMT, Slot.IMM, "shamt"));
  }

  /** {@code op xa, xb, target}. */
  static List<Operand> branch() {
    return of(xreg("xa", Slot.S1), xreg("xb", Slot.S2), target("target"));
  }

  /** {@code op vd, spad, xa, inc}. */
  static List<Operand> load() {
    return of(vreg("vd", Slot.S1), spad(Slot.S2), xreg("xa", Slot.S3), imm("inc"));
  }

  /** {@code op vd, spad, xa, xs, inc}. */
  static List<Operand> stridedLoad() {
    return of(
        vreg("vd", Slot.S1), spad(Slot.S2), xreg("xa", Slot.S3), xreg("xs", Slot.S4), imm("inc"));
  }

  /** {@code op spad, xspad, xdram}. */
  static List<Operand> dma() {
    return of(spad(Slot.S1), xreg("xspad", Slot.S2), xreg("xdram", Slot.S3));
  }
}
