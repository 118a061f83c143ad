package dev.npusim.cli;

import dev.npusim.isa.Disassembler;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "disasm",
    mixinStandardHelpOptions = true,
    description = "Print a binary program as assembly that 'npusim asm' accepts again.")
final class DisasmCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.bin", description = "Binary program (or assembly source).")
  Path program;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError {
    spec.commandLine().getOut().print(Disassembler.disassemble(ProgramFiles.load(program)));
    return 0;
  }
}
