package dev.npusim.isa;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints a program as assembly text that {@link Assembler} accepts again and that assembles to the
 * same words. Targets get the program's label names, or {@code L<pc>} where it has none; each line
 * carries its pc and word as a comment.
 */
public final class Disassembler {
  private Disassembler() {}

  public static String disassemble(Program program) {
    Map<Integer, String> names = new TreeMap<>(program.labels());
    Set<String> used = new HashSet<>(names.values());
    for (Instruction insn : program.instructions()) {
      if (insn.opcode().hasTarget() && !names.containsKey(insn.target())) {
        String name = "L" + insn.target();
        while (used.contains(name)) {
          name = name + "_";
        }
        names.put(insn.target(), name);
        used.add(name);
      }
    }
    StringBuilder sb = new StringBuilder();
    int n = program.size();
    for (int pc = 0; pc <= n; pc++) {
      String label = names.get(pc);
      if (label != null) {
        sb.append(label).append(":\n");
      }
      if (pc == n) {
        break;
      }
      String comment = program.comments().get(pc);
      if (comment != null) {
        for (String line : comment.split("\n")) {
          sb.append("    # ").append(line).append('\n');
        }
      }
      Instruction insn = program.get(pc);
      String text = "    " + insn.format(names::get);
      sb.append(text);
      sb.append(" ".repeat(Math.max(1, 40 - text.length())));
      sb.append(String.format("# %04d  %016x%n", pc, Encoding.encode(insn)));
    }
    return sb.toString();
  }
}
