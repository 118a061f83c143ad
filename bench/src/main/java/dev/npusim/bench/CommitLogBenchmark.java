package dev.npusim.bench;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.simulator.CommitListener;
import dev.npusim.simulator.CommitLogWriter;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the commit log ({@code docs/commit-log.md}) costs, and that a run without it costs nothing
 * extra: the pointwise kernel of {@code examples/pointwise.s} (64 pixels x 64 -> 32 channels,
 * 131,072 MACs) run three ways; one operation is one simulated MAC.
 *
 * <ul>
 *   <li>{@code noLog}: {@code Machine.run(program, steps)}, the fast loop;
 *   <li>{@code nullListener}: {@code Machine.run(program, steps, (CommitListener) null)}, the
 *       commit-log entry without a listener, which must take the same fast loop (same score);
 *   <li>{@code commitLog}: the full JSON Lines log written to a null writer (the traced path).
 * </ul>
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar CommitLogBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class CommitLogBenchmark {
  static final int MACS = 64 * 64 * 32;
  static final long MAX_STEPS = 100_000_000L;

  private Machine machine;
  private Program pointwise;

  @Setup
  public void setUp() throws Exception {
    machine = new Machine(MachineConfig.defaults());
    String source;
    try (InputStream in = CommitLogBenchmark.class.getResourceAsStream("/examples/pointwise.s")) {
      if (in == null) {
        throw new IOException("examples/pointwise.s is not on the benchmark's classpath");
      }
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    pointwise = Assembler.assemble(source, "pointwise.s");
    byte[] data = new byte[0x3000];
    new Random(42).nextBytes(data);
    // Parameters at 0x2000: bias, multiplier 2^30 and shift -8 for the 32 lanes.
    for (int c = 0; c < 32; c++) {
      writeInt(data, 0x2000 + 4 * c, 0);
      writeInt(data, 0x2000 + 128 + 4 * c, 1 << 30);
      writeInt(data, 0x2000 + 256 + 4 * c, -8);
    }
    machine.writeDram(0, data);
    // Fail at setup, not in the measurement, if the kernel does not run or the paths disagree.
    RunResult fast = machine.run(pointwise, MAX_STEPS);
    RunResult logged = machine.run(pointwise, MAX_STEPS, new CommitLogWriter(Writer.nullWriter()));
    if (fast.macs() != MACS || logged.cycles() != fast.cycles()) {
      throw new IllegalStateException(
          "pointwise ran "
              + fast.macs()
              + " MACs; cycles "
              + fast.cycles()
              + " vs "
              + logged.cycles());
    }
  }

  private static void writeInt(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >> 8);
    b[at + 2] = (byte) (v >> 16);
    b[at + 3] = (byte) (v >> 24);
  }

  @Benchmark
  @OperationsPerInvocation(MACS)
  public RunResult noLog() throws Exception {
    return machine.run(pointwise, MAX_STEPS);
  }

  @Benchmark
  @OperationsPerInvocation(MACS)
  public RunResult nullListener() throws Exception {
    return machine.run(pointwise, MAX_STEPS, (CommitListener) null);
  }

  @Benchmark
  @OperationsPerInvocation(MACS)
  public RunResult commitLog() throws Exception {
    return machine.run(pointwise, MAX_STEPS, new CommitLogWriter(Writer.nullWriter()));
  }
}
