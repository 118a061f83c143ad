package dev.npusim.cli;

import dev.npusim.isa.Program;
import dev.npusim.isa.ProgramBinary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "asm",
    mixinStandardHelpOptions = true,
    description = "Assemble a program into 64-bit little-endian instruction words.")
final class AsmCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE.s", description = "Assembly source.")
  Path source;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE.bin",
      description = "Binary output, written whole or not at all.")
  Path output;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError {
    Program p = ProgramFiles.load(source);
    byte[] bin = ProgramBinary.write(p);
    AtomicFiles.write(output, bin);
    spec.commandLine()
        .getOut()
        .printf("%s: %d instructions, %d bytes%n", output, p.size(), bin.length);
    return 0;
  }
}
