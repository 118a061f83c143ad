package dev.npusim.bench;

import ai.onnxruntime.OrtEnvironment;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.simulator.Engine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 11, goal 1: ONNX Runtime's {@code QLinearConv} (one intra-op thread), the integer
 * reference, the interpreter, the fast engine and the parallel engine (several threads) on the same
 * four SSD-MobileNetV1 layers, in one JVM. Times one inference of a layer; {@link SideBySide} turns
 * the scores into MAC/s and the simulator/ORT ratio.
 *
 * <p>{@code setUp} checks that all four produce the same bytes and that both engines report the
 * same counters, so a broken engine fails instead of being measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class OrtSideBySide {
  @Param({"CONV2D_0", "CONV2D_1_DEPTHWISE", "CONV2D_1_POINTWISE", "CONV2D_11_POINTWISE"})
  public SsdLayer layer;

  private SsdLayer.Instance inst;
  private ImmutableIntArray input;
  private OrtEnvironment env;
  private QLinearConvModel ort;
  private LayerOnMachine interpreter;
  private LayerOnMachine fast;
  private LayerOnMachine parallel;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    inst = layer.build(11);
    input = ImmutableIntArray.copyOf(inst.input());
    env = OrtEnvironment.getEnvironment();
    ort = new QLinearConvModel(env, inst);
    MachineConfig config = MachineConfig.defaults();
    interpreter = new LayerOnMachine(inst, config, Engine.INTERPRETER);
    fast = new LayerOnMachine(inst, config, Engine.FAST);
    parallel = new LayerOnMachine(inst, config, Engine.PARALLEL);
    int[] expected = ort.runNhwc();
    int[] reference = IntegerReference.run(inst.layer(), input);
    check("integer reference", expected, reference);
    RunResult ri = interpreter.run();
    check("interpreter", expected, interpreter.output());
    RunResult rf = fast.run();
    check("fast engine", expected, fast.output());
    if (!ri.equals(rf)) {
      throw new IllegalStateException(
          layer + ": the engines' counters differ:\n  " + ri + "\n  " + rf);
    }
    RunResult rp = parallel.run();
    check("parallel engine", expected, parallel.output());
    if (!ri.equals(rp)) {
      throw new IllegalStateException(
          layer + ": the parallel engine's counters differ:\n  " + ri + "\n  " + rp);
    }
    // MAC/s are the layer's MACs (ONNX Runtime's work); the machine runs more when the compiler
    // pads input channels to a multiple of 4 for vdot4 (Conv2d_0: 3 -> 4).
  }

  private void check(String who, int[] expected, int[] actual) {
    if (!Arrays.equals(expected, actual)) {
      int i = Arrays.mismatch(expected, actual);
      throw new IllegalStateException(
          String.format(
              "%s: %s differs from ONNX Runtime at output %d: %d, expected %d",
              layer, who, i, actual[i], expected[i]));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    ort.close();
  }

  @Benchmark
  public int onnxRuntime() throws Exception {
    return ort.run();
  }

  @Benchmark
  public int reference() {
    return IntegerReference.run(inst.layer(), input)[0];
  }

  @Benchmark
  public long interpreter() throws Exception {
    return interpreter.run().cycles();
  }

  @Benchmark
  public long fast() throws Exception {
    return fast.run().cycles();
  }

  /**
   * {@link Engine#PARALLEL}: the fast engine with loop iterations split over the host's cores (wall
   * time against one-thread ONNX Runtime; it uses more than one core).
   */
  @Benchmark
  public long parallel() throws Exception {
    return parallel.run().cycles();
  }
}
