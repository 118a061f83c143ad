package dev.npusim.isa;

import java.util.List;

/**
 * The binary encoding: one 64-bit word per instruction, laid out as in {@link Slot}. Decoding
 * rejects unknown opcode bytes, set bits outside the opcode's fields, and field values the
 * operand's kind does not allow.
 */
public final class Encoding {
  private Encoding() {}

  public static long encode(Instruction insn) {
    Opcode op = insn.opcode();
    long word = op.match();
    List<Operand> spec = op.operands();
    for (int i = 0; i < spec.size(); i++) {
      word |= spec.get(i).slot().insert(insn.operand(i));
    }
    return word;
  }

  public static Instruction decode(long word) throws DecodeException {
    int code = (int) (word >>> Slot.OPCODE_SHIFT);
    Opcode op = Opcode.byCode(code);
    if (op == null) {
      throw new DecodeException(word, String.format("unknown opcode byte 0x%02x", code));
    }
    long stray = word & ~op.usedBits();
    if (stray != 0) {
      throw new DecodeException(
          word, String.format("%s: bits 0x%016x must be zero", op.mnemonic(), stray));
    }
    List<Operand> spec = op.operands();
    int[] values = new int[spec.size()];
    for (int i = 0; i < spec.size(); i++) {
      Operand o = spec.get(i);
      long raw = o.slot().extract(word);
      values[i] = (int) raw;
      String why = o.kind().check(values[i]);
      if (why != null) {
        throw new DecodeException(word, op.mnemonic() + " operand " + o.name() + ": " + why);
      }
    }
    return Instruction.of(op, values);
  }
}
