package dev.npusim.cli;

import dev.npusim.isa.IsaReference;
import dev.npusim.isa.Opcode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "isa",
    mixinStandardHelpOptions = true,
    description = "Print the instruction set (syntax and one-line semantics), or its full manual.")
final class IsaCommand implements Callable<Integer> {
  @Option(names = "--markdown", description = "Print the full manual (isa/README.md).")
  boolean markdown;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    if (markdown) {
      out.print(IsaReference.markdown());
      return 0;
    }
    for (Opcode op : Opcode.values()) {
      out.printf("%-40s %s%n", op.syntax(), op.doc());
    }
    return 0;
  }
}
