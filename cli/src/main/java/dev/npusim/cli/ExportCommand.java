package dev.npusim.cli;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.export.ReadmemhExport;
import dev.npusim.golden.layout.CaseLayout;
import dev.npusim.golden.layout.LayoutException;
import dev.npusim.isa.Program;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.simulator.MachineConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code npusim export}: vectors for an RTL testbench ({@code ReadmemhExport}). */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write vectors an RTL testbench loads with $readmemh: program.hex (one 64-bit",
      "instruction per line), dram.hex (@address records), expected.hex (the golden",
      "output region, for a case) and manifest.json. A case is compiled by npusim's",
      "compiler (its program and DRAM image) or, with --kernel, laid out by the kernel",
      "ABI (docs/kernel-abi.md) for that kernel; --layout abi alone exports the ABI",
      "image without a program. A program (.s, .bin) is exported with its --dram files."
    })
final class ExportCommand implements Callable<Integer> {
  enum Format {
    readmemh
  }

  enum Layout {
    compiled,
    abi
  }

  @Parameters(
      paramLabel = "CASE|PROGRAM",
      description = "A case file (.json) or a program (.s, .bin).")
  Path source;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR",
      description = "Folder to write into.")
  Path output;

  @Option(
      names = "--format",
      defaultValue = "readmemh",
      description = "File format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--word-bits",
      defaultValue = "32",
      paramLabel = "N",
      description = "Word width of dram.hex and expected.hex: 8, 16, 32 or 64 (default: 32).")
  int wordBits;

  @Option(
      names = "--layout",
      description =
          "For a case: compiled (npusim's program and image) or abi (default: compiled,"
              + " abi with --kernel).")
  Layout layout;

  @Option(
      names = "--kernel",
      paramLabel = "KERNEL",
      description = "For a case: a kernel (.s, .bin) that obeys the kernel ABI, exported with it.")
  Path kernel;

  @Option(
      names = "--dram",
      paramLabel = "FILE[@ADDR]",
      description = "For a program: a file in the DRAM image, at ADDR (default 0). Repeatable.")
  List<String> dram = new ArrayList<>();

  @Mixin MachineOption machine;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Bytes per word of a {@code --word-bits} value. */
  static int wordBytes(int wordBits) throws UserError {
    if (wordBits != 8 && wordBits != 16 && wordBits != 32 && wordBits != 64) {
      throw new UserError("--word-bits " + wordBits + ": expected 8, 16, 32 or 64");
    }
    return wordBits / 8;
  }

  @Override
  public Integer call() throws UserError {
    int wordBytes = wordBytes(wordBits);
    String name = source.getFileName().toString();
    ReadmemhExport export;
    if (name.endsWith(".json")) {
      if (!dram.isEmpty()) {
        throw new UserError("--dram is for a program; a case brings its own DRAM image");
      }
      export = forCase(wordBytes);
    } else {
      if (kernel != null || layout != null) {
        throw new UserError(
            (kernel != null ? "--kernel" : "--layout") + " is for a case (.json), not a program");
      }
      export = forProgram(wordBytes);
    }
    List<Path> written;
    try {
      written = export.writeTo(output);
    } catch (IOException e) {
      throw new UserError(output + ": cannot write: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    for (Path p : written) {
      out.println("wrote " + p);
    }
    return 0;
  }

  private ReadmemhExport forCase(int wordBytes) throws UserError {
    MachineConfig config = machine.load();
    GoldenCase c = CaseFiles.load(source);
    Layout l = layout != null ? layout : kernel != null ? Layout.abi : Layout.compiled;
    if (l == Layout.compiled) {
      if (kernel != null) {
        throw new UserError("--kernel needs --layout abi: a kernel finds its case by the ABI");
      }
      CompiledLayer compiled;
      try {
        compiled = LayerRunner.compile(c.layer(), config);
      } catch (CompileException e) {
        throw new UserError(
            source + ": does not compile for " + config.name() + ": " + e.getMessage());
      }
      return ReadmemhExport.forCompiled(compiled, c, wordBytes);
    }
    try {
      CaseLayout.of(c).checkFits(config.dramBytes(), source.toString());
    } catch (LayoutException e) {
      throw new UserError(e.getMessage());
    }
    Program p = kernel == null ? null : ProgramFiles.load(kernel);
    return ReadmemhExport.forCase(c, p, wordBytes);
  }

  private ReadmemhExport forProgram(int wordBytes) throws UserError {
    MachineConfig config = machine.load();
    Program p = ProgramFiles.load(source);
    List<byte[]> contents = new ArrayList<>();
    List<Integer> addresses = new ArrayList<>();
    long end = 0;
    for (String d : dram) {
      int at = d.lastIndexOf('@');
      byte[] bytes = ProgramFiles.read(Path.of(at < 0 ? d : d.substring(0, at)));
      long addr = at < 0 ? 0 : Numbers.parse(d.substring(at + 1), "--dram " + d);
      if (addr < 0 || addr + bytes.length > config.dramBytes()) {
        throw new UserError(
            String.format(
                "--dram %s: %,d bytes at %d do not fit in the %,d bytes of DRAM",
                d, (long) bytes.length, addr, (long) config.dramBytes()));
      }
      contents.add(bytes);
      addresses.add((int) addr);
      end = Math.max(end, addr + bytes.length);
    }
    byte[] image = new byte[(int) end];
    for (int i = 0; i < contents.size(); i++) {
      System.arraycopy(contents.get(i), 0, image, addresses.get(i), contents.get(i).length);
    }
    return ReadmemhExport.forProgram(source.toString(), p, image, wordBytes);
  }
}
