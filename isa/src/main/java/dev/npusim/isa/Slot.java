package dev.npusim.isa;

/**
 * A bit field of the 64-bit instruction word.
 *
 * <pre>
 *  63      56 55   51 50   46 45   41 40   36 35  32 31                              0
 * +----------+-------+-------+-------+-------+------+---------------------------------+
 * |  opcode  |  s1   |  s2   |  s3   |  s4   | 0000 |              imm                |
 * +----------+-------+-------+-------+-------+------+---------------------------------+
 * </pre>
 *
 * <p>Register-like operands sit in the 5-bit slots s1..s4 in assembly order; at most one operand
 * uses the 32-bit immediate. Bits an opcode does not use must be zero, so a word decodes to at most
 * one instruction and stray bits are rejected.
 */
public enum Slot {
  S1(51, 5),
  S2(46, 5),
  S3(41, 5),
  S4(36, 5),
  IMM(0, 32);

  /** Position of the opcode byte. */
  public static final int OPCODE_SHIFT = 56;

  public static final long OPCODE_MASK = 0xFFL << OPCODE_SHIFT;

  private final int shift;
  private final int width;

  Slot(int shift, int width) {
    this.shift = shift;
    this.width = width;
  }

  public int shift() {
    return shift;
  }

  public int width() {
    return width;
  }

  /** The field's bits in place within the word. */
  public long mask() {
    return ((1L << width) - 1) << shift;
  }

  /** Raw (unsigned) field value. */
  long extract(long word) {
    return (word >>> shift) & ((1L << width) - 1);
  }

  long insert(long value) {
    return (value & ((1L << width) - 1)) << shift;
  }
}
