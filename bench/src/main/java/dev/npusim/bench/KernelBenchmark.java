package dev.npusim.bench;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.io.IOException;
import java.io.InputStream;
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
 * Simulated MACs per second for the hand-written kernels of {@code examples/}, scaled up: one
 * operation is one simulated 8-bit multiply-accumulate, so JMH's ops/s is MACs/s.
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar KernelBenchmark
 * </pre>
 *
 * The forked JVM gets {@code jdk.incubator.vector}, as the {@code npusim} launcher does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class KernelBenchmark {
  /** Pointwise: 256 pixels x 128 input channels x 32 output channels. */
  static final int PW_P = 256;

  static final int PW_IC = 128;
  static final int PW_MACS = PW_P * PW_IC * 32;

  /** Depthwise 3x3: 16 x 16 pixels x 32 channels. */
  static final int DW_H = 16;

  static final int DW_W = 16;
  static final int DW_MACS = DW_H * DW_W * 9 * 32;

  private Machine machine;
  private Program pointwise;
  private Program depthwise;

  static String example(String name) throws IOException {
    try (InputStream in = KernelBenchmark.class.getResourceAsStream("/examples/" + name)) {
      if (in == null) {
        throw new IOException("examples/" + name + " is not on the benchmark's classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Replaces the value of an {@code .equ} line, failing loudly if the line is not there. */
  static String withConstant(String source, String name, int value) {
    String updated =
        source.replaceFirst("(?m)^\\.equ " + name + ", \\S+", ".equ " + name + ", " + value);
    if (updated.equals(source)) {
      throw new IllegalStateException(".equ " + name + " not found");
    }
    return updated;
  }

  @Setup
  public void setUp() throws Exception {
    machine = new Machine(MachineConfig.defaults());
    String pw = example("pointwise.s");
    pw = withConstant(pw, "P", PW_P);
    pw = withConstant(pw, "IC", PW_IC);
    pw = withConstant(pw, "WGT", 0x10000);
    pw = withConstant(pw, "PAR", 0x20000);
    pw = withConstant(pw, "OUT", 0x30000);
    pointwise = Assembler.assemble(pw, "pointwise.s");
    String dw = example("depthwise3x3.s");
    dw = withConstant(dw, "H", DW_H);
    dw = withConstant(dw, "W", DW_W);
    dw = withConstant(dw, "WGT", 0x10000);
    dw = withConstant(dw, "PAR", 0x20000);
    dw = withConstant(dw, "ZP", 0x30000);
    dw = withConstant(dw, "OUT", 0x40000);
    depthwise = Assembler.assemble(dw, "depthwise3x3.s");
    Random r = new Random(42);
    byte[] data = new byte[0x20000];
    r.nextBytes(data);
    machine.writeDram(0, data);
    // Parameters: multiplier 2^30, shift -8 in every lane, for both kernels.
    byte[] par = new byte[32 * 12 + 4];
    for (int c = 0; c < 32; c++) {
      writeInt(par, 32 * 4 + 4 * c, 1 << 30);
      writeInt(par, 32 * 8 + 4 * c, -8);
    }
    machine.writeDram(0x20000, par);
    byte[] zp = new byte[(DW_W + 2) * 32];
    java.util.Arrays.fill(zp, (byte) 120);
    machine.writeDram(0x30000, zp);
    // Fail at setup, not silently in the measurement, if a kernel does not run.
    check(machine.run(pointwise, 100_000_000), PW_MACS);
    check(machine.run(depthwise, 100_000_000), DW_MACS);
  }

  private static void check(RunResult r, long macs) {
    if (r.macs() != macs) {
      throw new IllegalStateException("kernel ran " + r.macs() + " MACs, expected " + macs);
    }
  }

  private static void writeInt(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >> (8 * i));
    }
  }

  @Benchmark
  @OperationsPerInvocation(PW_MACS)
  public long pointwiseMacs() throws Exception {
    return machine.run(pointwise, 100_000_000).cycles();
  }

  @Benchmark
  @OperationsPerInvocation(DW_MACS)
  public long depthwise3x3Macs() throws Exception {
    return machine.run(depthwise, 100_000_000).cycles();
  }
}
