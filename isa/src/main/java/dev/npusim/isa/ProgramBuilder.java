package dev.npusim.isa;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Emits a program instruction by instruction, with forward labels, as a code generator needs. Every
 * instruction goes through {@link Instruction#of}, so the operand checks are the assembler's.
 */
public final class ProgramBuilder {
  /** A position in the program, bound once. */
  public static final class Label {
    private final String name;
    private int pc = -1;

    private Label(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }
  }

  private record Fixup(int pc, Label label) {}

  private final List<Instruction> instructions = new ArrayList<>();
  private final List<Fixup> fixups = new ArrayList<>();
  private final Map<String, Integer> nameCounts = new HashMap<>();
  private final Map<Integer, String> labelNames = new TreeMap<>();
  private final Map<Integer, String> comments = new TreeMap<>();

  /** A new unbound label; names are made unique by a numeric suffix. */
  public Label newLabel(String name) {
    int n = nameCounts.merge(name, 1, Integer::sum);
    return new Label(n == 1 ? name : name + "_" + n);
  }

  /** Binds a label to the next instruction. */
  public ProgramBuilder bind(Label label) {
    checkState(label.pc < 0, "label %s is already bound", label.name);
    label.pc = instructions.size();
    labelNames.putIfAbsent(label.pc, label.name);
    return this;
  }

  /** Attaches a comment to the next instruction (for listings). */
  public ProgramBuilder comment(String text) {
    comments.merge(instructions.size(), text, (a, b) -> a + "\n" + b);
    return this;
  }

  /** Emits an instruction without a target. */
  public ProgramBuilder emit(Opcode op, int... operands) {
    checkArgument(!op.hasTarget(), "%s needs a target label: use emit(op, label, ...)", op);
    instructions.add(Instruction.of(op, operands));
    return this;
  }

  /**
   * Emits a branch or loop; {@code operands} are the other operands in assembly order, without the
   * target.
   */
  public ProgramBuilder emit(Opcode op, Label target, int... operands) {
    int ti = op.indexOf(OperandKind.TARGET);
    checkArgument(ti >= 0, "%s takes no target", op);
    int[] all = new int[operands.length + 1];
    for (int i = 0, j = 0; i < all.length; i++) {
      all[i] = i == ti ? 0 : operands[j++];
    }
    fixups.add(new Fixup(instructions.size(), target));
    instructions.add(Instruction.of(op, all));
    return this;
  }

  /** Number of instructions emitted so far. */
  public int size() {
    return instructions.size();
  }

  public Program build() {
    List<Instruction> out = new ArrayList<>(instructions);
    for (Fixup f : fixups) {
      checkState(f.label.pc >= 0, "label %s is never bound", f.label.name);
      out.set(f.pc, out.get(f.pc).withTarget(f.label.pc));
    }
    try {
      return Program.of(out, labelNames, comments);
    } catch (ProgramException e) {
      throw new IllegalStateException(
          "code generator produced an invalid program: " + e.getMessage(), e);
    }
  }
}
