package dev.npusim.cli;

import dev.npusim.isa.Program;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a program instruction by instruction and print its counters.",
      "Exit code 1 if the program faults (the fault names the pc, the instruction and the reason)."
    })
final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PROGRAM", description = "Assembly (.s) or binary (.bin) program.")
  Path program;

  @Option(
      names = "--dram",
      paramLabel = "FILE[@ADDR]",
      description = "Load a file into DRAM before the run, at ADDR (default 0). Repeatable.")
  List<String> dram = new ArrayList<>();

  @picocli.CommandLine.Mixin MachineOption machine;

  @picocli.CommandLine.Mixin EngineOption engine;

  @Option(names = "--trace", description = "Print one line per retired instruction.")
  boolean trace;

  @Option(
      names = "--max-steps",
      paramLabel = "N",
      defaultValue = "1000000000",
      description = "Stop with a fault after N instructions (default: ${DEFAULT-VALUE}).")
  long maxSteps;

  @Option(
      names = "--dump",
      paramLabel = "ADDR:LENGTH:FILE",
      description = "After the run, write DRAM[ADDR, ADDR+LENGTH) to FILE. Repeatable.")
  List<String> dumps = new ArrayList<>();

  @Option(
      names = "--commit-log",
      paramLabel = "FILE.jsonl",
      description =
          "Write one JSON object per retired instruction (docs/commit-log.md); kept, ending with"
              + " the fault, when the program faults.")
  Path commitLog;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError, UsageError {
    if (maxSteps < 1) {
      throw new UsageError("--max-steps " + maxSteps + ": must be at least 1");
    }
    engine.apply();
    MachineConfig config = machine.load();
    Program p = ProgramFiles.load(program);
    Machine m = new Machine(config);
    for (String d : dram) {
      int at = d.lastIndexOf('@');
      Path file = Path.of(at < 0 ? d : d.substring(0, at));
      // In long: an address past 32 bits must not wrap to a small one (issue 12).
      long addr = at < 0 ? 0 : Numbers.parse(d.substring(at + 1), "--dram " + d);
      byte[] bytes = ProgramFiles.read(file);
      if (addr < 0 || addr + bytes.length > m.dramSize()) {
        throw new UserError(
            "--dram "
                + d
                + ": "
                + bytes.length
                + " bytes at "
                + addr
                + " do not fit in the "
                + m.dramSize()
                + " bytes of DRAM");
      }
      m.writeDram((int) addr, bytes);
    }
    List<long[]> ranges = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (String d : dumps) {
      String[] parts = d.split(":", 3);
      if (parts.length != 3) {
        throw new UserError("--dump " + d + ": expected ADDR:LENGTH:FILE");
      }
      long addr = Numbers.parse(parts[0], "--dump " + d);
      long len = Numbers.parse(parts[1], "--dump " + d);
      if (addr < 0 || len < 0 || addr > m.dramSize() || addr + len > m.dramSize()) {
        throw new UserError(
            "--dump " + d + ": range is outside the " + m.dramSize() + " bytes of DRAM");
      }
      if (parts[2].isEmpty()) {
        throw new UsageError("--dump " + d + ": an empty name is not a file name");
      }
      ranges.add(new long[] {addr, len});
      files.add(Path.of(parts[2]));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (commitLog != null && trace) {
      throw new UserError("--trace and --commit-log cannot be combined: use one or the other");
    }
    RunResult r;
    try {
      r =
          commitLog != null
              ? CommitLogs.run(m, p, maxSteps, commitLog, out)
              : m.run(p, maxSteps, trace ? out : null, null);
    } catch (SimulationFault f) {
      out.flush();
      throw new UserError(program + ": " + f.getMessage());
    }
    out.print(Reports.counters(r, config));
    if (commitLog != null) {
      out.printf("wrote commit log to %s%n", commitLog);
    }
    // All dumps or none (issue 12): a failure on the second leaves the first unwritten.
    Map<Path, byte[]> outputs = new LinkedHashMap<>();
    for (int i = 0; i < ranges.size(); i++) {
      outputs.put(files.get(i), m.readDram((int) ranges.get(i)[0], (int) ranges.get(i)[1]));
    }
    AtomicFiles.writeAll(outputs);
    for (int i = 0; i < ranges.size(); i++) {
      out.printf(
          "wrote dram[0x%x..0x%x) to %s%n",
          ranges.get(i)[0], ranges.get(i)[0] + ranges.get(i)[1], files.get(i));
    }
    return 0;
  }
}
