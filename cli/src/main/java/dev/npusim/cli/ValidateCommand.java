package dev.npusim.cli;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.CaseFormatException;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.metrics.Comparison;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Compile each golden case (npusim.case.v1), run it instruction by instruction and compare",
      "the output bit for bit. Folders are searched recursively for *.json.",
      "Ends with 'N passed, M failed'; exit code 1 if any failed."
    })
final class ValidateCommand implements Callable<Integer> {
  enum Engine {
    simulator,
    reference
  }

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Case files or folders.")
  List<Path> paths;

  @Option(
      names = "--engine",
      defaultValue = "simulator",
      description = "simulator (compile and run) or reference (the integer reference only).")
  Engine engine;

  @picocli.CommandLine.Mixin MachineOption machine;

  @Option(
      names = "--kernel",
      paramLabel = "KERNEL",
      description =
          "Run this kernel (.s or .bin) on each case laid out by the kernel ABI"
              + " (docs/kernel-abi.md) instead of compiling the case.")
  Path kernel;

  @Option(
      names = "--max-steps",
      paramLabel = "N",
      defaultValue = "50000000",
      description =
          "With --kernel: stop a kernel with a fault after N instructions (default:"
              + " ${DEFAULT-VALUE}).")
  long maxSteps;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The outcome of one case, rendered as text. */
  record Outcome(Status status, String text) {}

  enum Status {
    PASS,
    FAIL,
    SKIP
  }

  @Override
  public Integer call() throws UserError {
    MachineConfig config = machine.load();
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(f -> f.toString().endsWith(".json") && Files.isRegularFile(f))
              .sorted()
              .forEach(files::add);
        } catch (IOException e) {
          throw new UserError(p + ": cannot list: " + e.getMessage());
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new UserError(p + ": no such file or folder");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    java.util.function.Function<Path, Outcome> check = f -> validate(f, config);
    if (kernel != null) {
      check = KernelOutcomes.checker(kernel, engine == Engine.reference, config, maxSteps);
    }
    java.util.function.Function<Path, Outcome> checkFile = check;
    // Cases run in parallel (one machine per case); lines print in file order.
    List<Outcome> outcomes = files.parallelStream().map(checkFile).toList();
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    for (Outcome o : outcomes) {
      out.print(o.text());
      switch (o.status()) {
        case PASS -> passed++;
        case FAIL -> failed++;
        case SKIP -> skipped++;
      }
    }
    if (skipped > 0) {
      out.printf(
          "%d skipped: not runnable bit-exactly on %s (see SKIP lines)%n", skipped, config.name());
    }
    out.printf("%d passed, %d failed%n", passed, failed);
    return failed > 0 ? 1 : 0;
  }

  private Outcome validate(Path file, MachineConfig config) {
    String name = file.toString();
    GoldenCase c;
    try {
      c = CaseReader.read(file);
    } catch (CaseFormatException e) {
      return new Outcome(Status.FAIL, String.format("FAIL  %s%n      %s%n", name, e.getMessage()));
    } catch (IOException e) {
      return new Outcome(
          Status.FAIL, String.format("FAIL  %s%n      cannot read: %s%n", name, e.getMessage()));
    }
    if (engine == Engine.reference) {
      int[] actual = IntegerReference.run(c.layer(), c.input());
      return compare(name, c, actual, "-", c.layer().macs());
    }
    String why = notBitExact(c.layer().semantics(), config);
    if (why != null) {
      return new Outcome(Status.SKIP, String.format("SKIP  %s: %s%n", name, why));
    }
    CompiledLayer compiled;
    try {
      compiled = LayerRunner.compile(c.layer(), config);
    } catch (CompileException e) {
      return new Outcome(
          Status.SKIP,
          String.format("SKIP  %s: does not fit %s: %s%n", name, config.name(), e.getMessage()));
    }
    Machine m =
        new Machine(
            config.withDram(
                (int)
                    Math.min(config.dramBytes(), Math.max(1 << 20, compiled.plan().dramBytes()))));
    LayerRunner.Run run;
    try {
      run = LayerRunner.run(m, compiled, c.input());
    } catch (SimulationFault f) {
      return new Outcome(Status.FAIL, String.format("FAIL  %s%n      %s%n", name, f.getMessage()));
    }
    return compare(
        name,
        c,
        run.output(),
        String.format(Locale.ROOT, "%,d", run.result().cycles()),
        run.result().macs());
  }

  /**
   * Why this machine cannot reproduce the semantics bit for bit, or null. Every semantics
   * accumulates in exact 32-bit two's complement; TFLite's additionally rounds half away from zero.
   */
  static String notBitExact(Semantics s, MachineConfig m) {
    if (m.accumulatorBits() != 32) {
      return s.caseName()
          + " needs a 32-bit accumulator, the machine has "
          + m.accumulatorBits()
          + " bits";
    }
    if (m.accumulatorMode() != AccumulatorMode.WRAP) {
      return s.caseName() + " needs a wrapping accumulator, the machine saturates";
    }
    if (s != Semantics.FLOAT_REQUANT && m.roundingMode() != RoundingMode.TFLITE) {
      return s.caseName()
          + " needs TFLite rounding (half away from zero), the machine rounds "
          + m.roundingMode().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return null;
  }

  private static Outcome compare(
      String name, GoldenCase c, int[] actual, String cycles, long macs) {
    Comparison cmp = Comparison.of(c.layer().output(), c.expectedOutput().toArray(), actual);
    String line =
        String.format(
            Locale.ROOT,
            "%s  %s  cycles %s  MACs %,d%n",
            cmp.bitExact() ? "PASS" : "FAIL",
            name,
            cycles,
            macs);
    if (cmp.bitExact()) {
      return new Outcome(Status.PASS, line);
    }
    StringBuilder sb = new StringBuilder(line);
    Comparison.Mismatch first = cmp.firstMismatch().orElseThrow();
    int oc = first.index() % c.layer().output().c();
    IntegerReference.Accumulators accs = IntegerReference.accumulators(c.layer(), c.input());
    sb.append(
        String.format(
            Locale.ROOT,
            "      %d of %d outputs match; max error %.0f LSB%n",
            cmp.matching(),
            cmp.total(),
            cmp.maxAbsError()));
    sb.append(
        String.format(
            Locale.ROOT,
            "      first mismatch at NHWC %s: expected %d, actual %d%n",
            first.coordinate(),
            (int) first.expected(),
            (int) first.actual()));
    sb.append(
        String.format(
            Locale.ROOT,
            "      32-bit accumulator before requantization (integer reference): %d%s;"
                + " it requantizes to %d%n",
            accs.wrapped().get(first.index()),
            accs.overflowed(first.index())
                ? " (wrapped: exact sum " + accs.exact().get(first.index()) + ")"
                : "",
            IntegerReference.requantize(c.layer(), oc, accs.wrapped().get(first.index()))));
    return new Outcome(Status.FAIL, sb.toString());
  }
}
