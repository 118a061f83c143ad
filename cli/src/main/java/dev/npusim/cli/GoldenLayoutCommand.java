package dev.npusim.cli;

import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.layout.CaseLayout;
import dev.npusim.golden.layout.LayoutException;
import dev.npusim.golden.layout.Region;
import dev.npusim.simulator.MachineConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code npusim golden layout}: a case's DRAM image by the kernel ABI (docs/kernel-abi.md). */
@Command(
    name = "layout",
    mixinStandardHelpOptions = true,
    description = {
      "Lay a case out in DRAM by the kernel ABI (docs/kernel-abi.md) and write",
      "dram.bin, dram.hex ($readmemh) and layout.json (every region's address, size,",
      "dtype and shape)."
    })
final class GoldenLayoutCommand implements Callable<Integer> {
  @Parameters(paramLabel = "CASE", description = "A case file (npusim.case.v1).")
  Path caseFile;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Folder to write into.")
  Path output;

  @Option(
      names = "--word-bits",
      defaultValue = "32",
      paramLabel = "N",
      description = "Word width of dram.hex: 8, 16, 32 or 64 (default: ${DEFAULT-VALUE}).")
  int wordBits;

  @Mixin MachineOption machine;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError {
    int wordBytes = ExportCommand.wordBytes(wordBits);
    MachineConfig config = machine.load();
    GoldenCase c = CaseFiles.load(caseFile);
    CaseLayout layout = CaseLayout.of(c);
    try {
      layout.checkFits(config.dramBytes(), caseFile.toString());
    } catch (LayoutException e) {
      throw new UserError(e.getMessage());
    }
    try {
      layout.writeTo(output, wordBytes);
    } catch (IOException e) {
      throw new UserError(output + ": cannot write: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "%s: %,d bytes of DRAM by the kernel ABI (docs/kernel-abi.md)%n",
        caseFile,
        (long) layout.dramBytes());
    out.printf("  %-18s %10s %10s  %-8s %s%n", "region", "address", "bytes", "dtype", "shape");
    for (Region r : layout.regions()) {
      out.printf(
          Locale.ROOT,
          "  %-18s %10s %,10d  %-8s %s%n",
          r.name(),
          String.format("0x%x", r.address()),
          (long) r.bytes(),
          r.dtype(),
          r.shape());
    }
    for (String f : new String[] {"dram.bin", "dram.hex", "layout.json"}) {
      out.println("wrote " + output.resolve(f));
    }
    return 0;
  }
}
