package dev.npusim.analysis.kernel;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.golden.cases.CaseFormatException;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.layout.CaseLayout;
import dev.npusim.golden.layout.LayoutException;
import dev.npusim.golden.layout.Region;
import dev.npusim.golden.metrics.Comparison;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.isa.Program;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.CommitListener;
import dev.npusim.simulator.CommitRecord;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Validates a kernel someone else wrote: loads a golden case into DRAM by the kernel ABI ({@code
 * docs/kernel-abi.md}, {@link CaseLayout}), runs the kernel on the simulator, and compares the
 * output region bit for bit with the case's expected output.
 *
 * <p>What can go wrong, each reported as a {@code FAIL} with one located reason: the case file is
 * bad; the layout does not fit the machine's DRAM; the kernel faults (the simulator's typed fault
 * with pc and instruction, including the step limit for a kernel that never halts); the kernel
 * stores to DRAM outside the output region (a kernel bug: the first such {@code dma.st} is named);
 * the output differs (the first mismatch with its coordinate, the expected and actual values and
 * the integer reference's accumulator before requantization). A machine that cannot be bit-exact
 * for the case's semantics gives {@code SKIP}, as {@code validate} does.
 *
 * <pre>{@code
 * KernelValidator.Outcome o = KernelValidator.validate(caseFile, kernel, config, 10_000_000);
 * System.out.print(o.text());   // "PASS  case.json  cycles 1,234  MACs 4,096\n" or FAIL/SKIP lines
 * }</pre>
 */
public final class KernelValidator {
  /** A step limit for kernels that never halt: generous for any golden case. */
  public static final long DEFAULT_MAX_STEPS = 50_000_000L;

  private KernelValidator() {}

  public enum Status {
    PASS,
    FAIL,
    SKIP
  }

  /**
   * The verdict on one case, and the lines {@code validate --kernel} prints for it.
   *
   * @param result the run's counters, when the kernel ran to halt
   * @param comparison the output comparison, when there was one
   * @param fault the fault, when the kernel faulted
   */
  public record Outcome(
      Status status,
      String text,
      Optional<RunResult> result,
      Optional<Comparison> comparison,
      Optional<SimulationFault> fault) {
    static Outcome of(Status s, String text) {
      return new Outcome(s, text, Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  /** Reads the case file and validates the kernel on it; {@code name} labels the lines. */
  public static Outcome validate(
      Path caseFile, Program kernel, MachineConfig config, long maxSteps) {
    String name = caseFile.toString();
    GoldenCase c;
    try {
      c = CaseReader.read(caseFile);
    } catch (CaseFormatException e) {
      return Outcome.of(Status.FAIL, String.format("FAIL  %s%n      %s%n", name, e.getMessage()));
    } catch (IOException e) {
      return Outcome.of(
          Status.FAIL, String.format("FAIL  %s%n      cannot read: %s%n", name, e.getMessage()));
    }
    return validate(name, c, kernel, config, maxSteps);
  }

  /** Validates the kernel on one case. */
  public static Outcome validate(
      String name, GoldenCase c, Program kernel, MachineConfig config, long maxSteps) {
    checkArgument(maxSteps > 0, "step limit must be positive, got %s", maxSteps);
    String why = notBitExact(c.layer().semantics(), config);
    if (why != null) {
      return Outcome.of(Status.SKIP, String.format("SKIP  %s: %s%n", name, why));
    }
    CaseLayout layout = CaseLayout.of(c);
    try {
      layout.checkFits(config.dramBytes(), name);
    } catch (LayoutException e) {
      return Outcome.of(Status.FAIL, String.format("FAIL  %s%n      %s%n", name, e.getMessage()));
    }
    // A DRAM as large as the layout needs (at least 1 MiB), never larger than the machine's.
    int dram = Math.min(config.dramBytes(), Math.max(1 << 20, layout.dramBytes()));
    Machine m = new Machine(config.withDram(dram));
    m.writeDram(0, layout.image());
    Region out = layout.output();
    // Poison the output region so that an element the kernel never writes cannot match by luck.
    byte[] poison = new byte[out.bytes()];
    for (int i = 0; i < poison.length; i++) {
      poison[i] = (byte) (i * 151 + 89);
    }
    m.writeDram(out.address(), poison);
    StrayStores stray = new StrayStores(out);
    RunResult r;
    try {
      r = m.run(kernel, maxSteps, stray);
    } catch (SimulationFault f) {
      return new Outcome(
          Status.FAIL,
          String.format("FAIL  %s%n      %s%n", name, f.getMessage()),
          Optional.empty(),
          Optional.empty(),
          Optional.of(f));
    }
    if (stray.first != null) {
      CommitRecord at = stray.at;
      CommitRecord.Memory w = stray.first;
      return new Outcome(
          Status.FAIL,
          String.format(
              "FAIL  %s%n      kernel bug: dma.st at pc %d (%s) writes dram[0x%x..0x%x), outside"
                  + " the output region dram[0x%x..0x%x)%n",
              name, at.pc(), at.text(), w.lo(), w.hi(), out.address(), out.end()),
          Optional.of(r),
          Optional.empty(),
          Optional.empty());
    }
    byte[] bytes = m.readDram(out.address(), out.bytes());
    boolean unsigned = c.layer().outputType() == DataType.UINT8;
    int[] actual = new int[bytes.length];
    for (int i = 0; i < actual.length; i++) {
      actual[i] = unsigned ? bytes[i] & 0xFF : bytes[i];
    }
    Comparison cmp = Comparison.of(c.layer().output(), c.expectedOutput().toArray(), actual);
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s  %s  cycles %,d  MACs %,d%n",
                cmp.bitExact() ? "PASS" : "FAIL",
                name,
                r.cycles(),
                r.macs()));
    if (!cmp.bitExact()) {
      sb.append(mismatchReport(c, cmp));
    }
    return new Outcome(
        cmp.bitExact() ? Status.PASS : Status.FAIL,
        sb.toString(),
        Optional.of(r),
        Optional.of(cmp),
        Optional.empty());
  }

  /** The first-mismatch lines of {@code validate}, with the integer reference's accumulator. */
  static String mismatchReport(GoldenCase c, Comparison cmp) {
    Comparison.Mismatch first = cmp.firstMismatch().orElseThrow();
    int oc = first.index() % c.layer().output().c();
    IntegerReference.Accumulators accs = IntegerReference.accumulators(c.layer(), c.input());
    return String.format(
            Locale.ROOT,
            "      %d of %d outputs match; max error %.0f LSB%n",
            cmp.matching(),
            cmp.total(),
            cmp.maxAbsError())
        + String.format(
            Locale.ROOT,
            "      first mismatch at NHWC %s: expected %d, actual %d%n",
            first.coordinate(),
            (int) first.expected(),
            (int) first.actual())
        + String.format(
            Locale.ROOT,
            "      32-bit accumulator before requantization (integer reference): %d%s;"
                + " it requantizes to %d%n",
            accs.wrapped().get(first.index()),
            accs.overflowed(first.index())
                ? " (wrapped: exact sum " + accs.exact().get(first.index()) + ")"
                : "",
            IntegerReference.requantize(c.layer(), oc, accs.wrapped().get(first.index())));
  }

  /**
   * Why this machine cannot reproduce the semantics bit for bit, or null (the rule of {@code
   * validate}): a 32-bit wrapping accumulator, and TFLite rounding for the TFLite semantics.
   */
  public static String notBitExact(Semantics s, MachineConfig m) {
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

  /** Watches the commit log for the first DRAM write outside the output region. */
  private static final class StrayStores implements CommitListener {
    private final Region output;
    CommitRecord.Memory first;
    CommitRecord at;

    StrayStores(Region output) {
      this.output = output;
    }

    @Override
    public void retired(CommitRecord record) {
      if (first != null) {
        return;
      }
      for (CommitRecord.Write w : record.writes()) {
        if (w instanceof CommitRecord.Memory mem
            && mem.space().equals("dram")
            && !output.contains(mem.lo(), mem.hi())) {
          first = mem;
          at = record;
          return;
        }
      }
    }
  }
}
