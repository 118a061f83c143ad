package dev.npusim.isa;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * An immutable, validated sequence of instructions, with optional label names for printing.
 *
 * <p>Validation checks what a single word cannot: every branch target lies inside the program, and
 * every hardware loop has a non-empty body ending at or before the end of the program.
 */
public final class Program {
  private final ImmutableList<Instruction> instructions;
  private final ImmutableSortedMap<Integer, String> labels;
  private final ImmutableSortedMap<Integer, String> comments;

  private Program(
      List<Instruction> instructions,
      SortedMap<Integer, String> labels,
      SortedMap<Integer, String> comments) {
    this.instructions = ImmutableList.copyOf(instructions);
    this.labels = ImmutableSortedMap.copyOfSorted(labels);
    this.comments = ImmutableSortedMap.copyOfSorted(comments);
  }

  /**
   * Validates and wraps a list of instructions.
   *
   * @param labels names for instruction indices (may be empty)
   * @throws ProgramException naming the instruction index and the reason
   */
  public static Program of(List<Instruction> instructions, Map<Integer, String> labels)
      throws ProgramException {
    return of(instructions, labels, Map.of());
  }

  /**
   * Validates and wraps a list of instructions.
   *
   * @param labels names for instruction indices (may be empty)
   * @param comments a comment printed above an instruction index (may be empty)
   * @throws ProgramException naming the instruction index and the reason
   */
  public static Program of(
      List<Instruction> instructions, Map<Integer, String> labels, Map<Integer, String> comments)
      throws ProgramException {
    int n = instructions.size();
    for (int pc = 0; pc < n; pc++) {
      String why = checkTarget(instructions.get(pc), pc, n);
      if (why != null) {
        throw new ProgramException(pc, instructions.get(pc), why);
      }
    }
    return new Program(
        instructions, ImmutableSortedMap.copyOf(labels), ImmutableSortedMap.copyOf(comments));
  }

  public static Program of(List<Instruction> instructions) throws ProgramException {
    return of(instructions, Map.of());
  }

  /** Why the instruction's target is illegal at this pc in a program of n instructions, or null. */
  static String checkTarget(Instruction insn, int pc, int n) {
    if (!insn.opcode().hasTarget()) {
      return null;
    }
    int t = insn.target();
    if (insn.opcode() == Opcode.LOOP) {
      if (t <= pc + 1) {
        return "loop end " + t + " leaves an empty body (the body is [" + (pc + 1) + ", end))";
      }
      if (t > n) {
        return "loop end " + t + " lies past the end of the program (" + n + " instructions)";
      }
    } else if (t >= n) {
      return "target " + t + " lies outside the program (" + n + " instructions)";
    }
    return null;
  }

  /** Comments by instruction index, printed above the instruction in listings. */
  public SortedMap<Integer, String> comments() {
    return comments;
  }

  public List<Instruction> instructions() {
    return instructions;
  }

  public int size() {
    return instructions.size();
  }

  public Instruction get(int pc) {
    return instructions.get(pc);
  }

  /** Label names by instruction index. */
  public SortedMap<Integer, String> labels() {
    return labels;
  }

  /** The binary image: one little-endian 64-bit word per instruction. */
  public long[] encode() {
    long[] words = new long[instructions.size()];
    for (int i = 0; i < words.length; i++) {
      words[i] = Encoding.encode(instructions.get(i));
    }
    return words;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Program p && p.instructions.equals(instructions);
  }

  @Override
  public int hashCode() {
    return instructions.hashCode();
  }

  @Override
  public String toString() {
    return Disassembler.disassemble(this);
  }
}
