package dev.npusim.cli;

import dev.npusim.analysis.engine.BitExactness;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.AddCase;
import dev.npusim.golden.cases.CaseFormatException;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.cases.OperatorCase;
import dev.npusim.golden.cases.PoolCase;
import dev.npusim.golden.cases.SoftmaxCase;
import dev.npusim.golden.metrics.Comparison;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.golden.reference.OperatorReference;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
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
      "the output bit for bit. Folders are searched recursively for *.json. Pooling and ADD",
      "cases run on the NPU kernels; softmax runs on the host's integer reference.",
      "Ends with 'N passed, M failed'; exit code 1 if any failed."
    })
final class ValidateCommand implements Callable<Integer> {
  /**
   * What runs each case: the simulator on one of its engines ({@code simulator} is the default
   * {@code fast}), or the integer reference alone.
   */
  enum Engine {
    fast,
    interpreter,
    simulator,
    reference
  }

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Case files or folders.")
  List<Path> paths;

  @Option(
      names = "--engine",
      defaultValue = "fast",
      description =
          "fast or interpreter (compile and run on the simulator's engine of that name; simulator"
              + " is fast) or reference (the integer reference only).")
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
    SKIP,
    /** The file is not a case (malformed, unreadable, too large): one line on stderr. */
    ERROR
  }

  @Override
  public Integer call() throws UserError, UsageError {
    if (engine != Engine.reference) {
      Machine.setDefaultEngine(
          engine == Engine.interpreter
              ? dev.npusim.simulator.Engine.INTERPRETER
              : dev.npusim.simulator.Engine.FAST);
    }
    MachineConfig config = machine.load();
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        // Symbolic links are followed, the folder's own included (`validate LINK-TO-DIR`).
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(p, FileVisitOption.FOLLOW_LINKS)) {
          s.filter(f -> f.toString().endsWith(".json") && Files.isRegularFile(f))
              .sorted()
              .forEach(found::add);
        } catch (IOException | UncheckedIOException e) {
          IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
          throw new UserError(p + ": cannot list: " + AtomicFiles.describe(io));
        }
        if (found.isEmpty()) {
          throw new UserError(p + ": no case files (*.json) in this folder");
        }
        files.addAll(found);
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else if (!Files.exists(p)) {
        throw new UserError(p + ": no such file or folder");
      } else {
        try {
          InputFiles.check(p); // names what p is: a FIFO, a device...
        } catch (InputFileException e) {
          throw new UserError(e.getMessage());
        }
        files.add(p);
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
    int unreadable = 0;
    PrintWriter err = spec.commandLine().getErr();
    for (Outcome o : outcomes) {
      switch (o.status()) {
        case PASS -> passed++;
        case FAIL -> failed++;
        case SKIP -> skipped++;
        case ERROR -> unreadable++;
      }
      if (o.status() == Status.ERROR) {
        out.flush();
        err.print(o.text());
        err.flush();
      } else {
        out.print(o.text());
      }
    }
    if (skipped > 0) {
      out.printf(
          "%d skipped: not runnable bit-exactly on %s (see SKIP lines)%n", skipped, config.name());
    }
    if (unreadable > 0) {
      out.printf("%d passed, %d failed, %d not read (see stderr)%n", passed, failed, unreadable);
    } else {
      out.printf("%d passed, %d failed%n", passed, failed);
    }
    return failed > 0 || unreadable > 0 ? 1 : 0;
  }

  private Outcome validate(Path file, MachineConfig config) {
    String name = file.toString();
    OperatorCase read;
    try {
      read = CaseReader.readOperator(file);
    } catch (CaseFormatException | InputFileException e) {
      return new Outcome(Status.ERROR, String.format("npusim: %s%n", e.getMessage()));
    } catch (IOException e) {
      return new Outcome(
          Status.ERROR,
          String.format("npusim: %s: cannot read: %s%n", name, AtomicFiles.reason(e)));
    }
    if (!(read instanceof GoldenCase c)) {
      return validateOperator(name, read, config);
    }
    if (engine == Engine.reference) {
      int[] actual = IntegerReference.run(c.layer(), c.input());
      return compare(name, c, actual, "-", c.layer().macs());
    }
    String why = BitExactness.whyNot(c.layer().semantics(), config);
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
    LayerRunner.Run run;
    try {
      run = LayerRunner.runAlone(config, compiled, c.input());
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
   * A pooling or ADD case compiled to the NPU kernels and run instruction by instruction, or a
   * softmax case, which runs on the host's integer reference (TFLite's int8 softmax has no NPU
   * kernel: its output line says so and shows no NPU cycles). With {@code --engine reference} every
   * op runs on the integer reference.
   */
  private Outcome validateOperator(String name, OperatorCase c, MachineConfig config) {
    try {
      return runOperator(name, c, config);
    } catch (IllegalArgumentException e) {
      // The integer reference refuses what TFLite leaves undefined (a softmax row whose exps sum
      // past 2^9 would shift by more than 31).
      return new Outcome(
          Status.FAIL,
          String.format(
              "FAIL  %s%n      the integer reference cannot run it: %s%n", name, e.getMessage()));
    }
  }

  private Outcome runOperator(String name, OperatorCase c, MachineConfig config) {
    if (engine == Engine.reference) {
      return compareOperator(
          name, c, OperatorReference.run(c), "cycles -  (" + c.op() + ", integer reference)");
    }
    if (c instanceof SoftmaxCase) {
      return compareOperator(
          name,
          c,
          OperatorReference.run(c),
          "no NPU cycles  (softmax: host work, run on the integer reference)");
    }
    String why =
        c instanceof AddCase
            ? BitExactness.whyNot(Semantics.fromCaseName(c.semantics()), config)
            : ((PoolCase) c).layer().kind() == PoolLayer.Kind.AVERAGE
                ? BitExactness.whyNotSummed(c.semantics(), config)
                : null;
    if (why != null) {
      return new Outcome(Status.SKIP, String.format("SKIP  %s: %s%n", name, why));
    }
    CompiledOperator compiled;
    int[][] inputs;
    try {
      if (c instanceof PoolCase pool) {
        compiled = LayerRunner.compile(pool.layer(), config);
        inputs = new int[][] {pool.input().toArray()};
      } else {
        AddCase add = (AddCase) c;
        compiled = LayerRunner.compile(add.layer(), config);
        inputs = new int[][] {add.input1().toArray(), add.input2().toArray()};
      }
    } catch (CompileException e) {
      return new Outcome(
          Status.SKIP,
          String.format("SKIP  %s: does not fit %s: %s%n", name, config.name(), e.getMessage()));
    }
    LayerRunner.OperatorRun run;
    try {
      run = LayerRunner.runAlone(config, compiled, inputs);
    } catch (SimulationFault f) {
      return new Outcome(Status.FAIL, String.format("FAIL  %s%n      %s%n", name, f.getMessage()));
    }
    return compareOperator(
        name,
        c,
        run.output(),
        String.format(Locale.ROOT, "cycles %,d  (%s on the NPU)", run.result().cycles(), c.op()));
  }

  /** The output shape of a pooling, ADD or softmax case, as NHWC. */
  private static TensorShape outputShape(OperatorCase c) {
    if (c instanceof PoolCase pool) {
      return pool.layer().output();
    }
    if (c instanceof AddCase add) {
      return add.layer().shape();
    }
    return ((SoftmaxCase) c).nhwc();
  }

  private static Outcome compareOperator(String name, OperatorCase c, int[] actual, String where) {
    Comparison cmp = Comparison.of(outputShape(c), c.expectedOutput().toArray(), actual);
    String line =
        String.format(Locale.ROOT, "%s  %s  %s%n", cmp.bitExact() ? "PASS" : "FAIL", name, where);
    if (cmp.bitExact()) {
      return new Outcome(Status.PASS, line);
    }
    Comparison.Mismatch first = cmp.firstMismatch().orElseThrow();
    return new Outcome(
        Status.FAIL,
        line
            + String.format(
                Locale.ROOT,
                "      %d of %d outputs match; max error %.0f LSB%n"
                    + "      first mismatch at NHWC %s: expected %d, actual %d%n",
                cmp.matching(),
                cmp.total(),
                cmp.maxAbsError(),
                first.coordinate(),
                (int) first.expected(),
                (int) first.actual()));
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
