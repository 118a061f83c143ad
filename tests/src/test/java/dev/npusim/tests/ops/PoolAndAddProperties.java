package dev.npusim.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * Differential tests of the pooling and ADD kernels: random layers compiled and run instruction by
 * instruction must equal {@link DirectPoolAndAdd}, TFLite's reference loops, bit for bit, on
 * machines whose lane counts do not divide the channels and whose scratchpads force many tiles,
 * with extreme data (all minimum, all maximum) and activations that clamp.
 */
class PoolAndAddProperties {
  static final List<MachineConfig> MACHINES =
      List.of(
          MachineConfig.defaults(),
          MachineConfig.defaults().withLanes(8).withName("lanes-8"),
          MachineConfig.defaults().withLanes(12).withName("lanes-12"),
          MachineConfig.defaults()
              .withLanes(16)
              .withScratchpad(Scratchpad.ACT, 512, 2)
              .withScratchpad(Scratchpad.WGT, 512, 2)
              .withScratchpad(Scratchpad.OUT, 128, 2)
              .withScratchpad(Scratchpad.PAR, 256, 1)
              .withName("tiny-scratchpads"));

  /** A data distribution: uniform, all minimum, all maximum, or only the two extremes. */
  enum Data {
    UNIFORM,
    ALL_MIN,
    ALL_MAX,
    EXTREMES
  }

  static int[] data(DataType t, int n, Data d, SplittableRandom r) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] =
          switch (d) {
            case UNIFORM -> r.nextInt(t.min(), t.max() + 1);
            case ALL_MIN -> t.min();
            case ALL_MAX -> t.max();
            case EXTREMES -> r.nextBoolean() ? t.min() : t.max();
          };
    }
    return v;
  }

  /** A clamp: the whole type, ReLU-like from a zero point, or a random narrower range. */
  static int[] activation(DataType t, SplittableRandom r) {
    return switch (r.nextInt(3)) {
      case 0 -> new int[] {t.min(), t.max()};
      case 1 -> new int[] {r.nextInt(t.min(), t.max() + 1), t.max()};
      default -> {
        int a = r.nextInt(t.min(), t.max() + 1);
        int b = r.nextInt(t.min(), t.max() + 1);
        yield new int[] {Math.min(a, b), Math.max(a, b)};
      }
    };
  }

  static PoolLayer randomPool(SplittableRandom r) {
    DataType t = r.nextInt(4) == 0 ? DataType.UINT8 : DataType.INT8;
    PoolLayer.Kind kind = r.nextBoolean() ? PoolLayer.Kind.AVERAGE : PoolLayer.Kind.MAX;
    int h = r.nextInt(1, 13);
    int w = r.nextInt(1, 13);
    int c = r.nextInt(1, 41);
    TensorShape in = new TensorShape(r.nextInt(1, 3), h, w, c);
    boolean same = r.nextBoolean();
    int fh = r.nextInt(1, same ? 6 : h + 1);
    int fw = r.nextInt(1, same ? 6 : w + 1);
    if (r.nextInt(6) == 0) { // global pooling, as the networks end
      fh = h;
      fw = w;
      same = false;
    }
    int sh = r.nextInt(1, 4);
    int sw = r.nextInt(1, 4);
    int[] act = activation(t, r);
    return PoolLayer.tflite(kind, t, in, fh, fw, sh, sw, same, act[0], act[1]);
  }

  static AddLayer randomAdd(SplittableRandom r) {
    DataType t = r.nextInt(4) == 0 ? DataType.UINT8 : DataType.INT8;
    TensorShape shape =
        new TensorShape(r.nextInt(1, 3), r.nextInt(1, 10), r.nextInt(1, 10), r.nextInt(1, 70));
    // Scales over four decades, as residual branches of real networks differ.
    double s1 = Math.pow(10, -3 + 2 * r.nextDouble());
    double s2 = Math.pow(10, -3 + 2 * r.nextDouble());
    double so = Math.max(s1, s2) * Math.pow(10, -0.5 + 1.3 * r.nextDouble());
    int[] act = activation(t, r);
    return AddLayer.fromScales(
        t,
        shape,
        s1,
        r.nextInt(t.min(), t.max() + 1),
        s2,
        r.nextInt(t.min(), t.max() + 1),
        so,
        r.nextInt(t.min(), t.max() + 1),
        act[0],
        act[1]);
  }

  static void checkPool(long seed, MachineConfig config, Data d) {
    SplittableRandom r = new SplittableRandom(seed);
    PoolLayer p = randomPool(r);
    int[] input = data(p.type(), (int) p.input().elements(), d, r);
    try {
      CompiledOperator c = KernelCompiler.compile(p, OperatorRunner.target(config));
      int[] actual = OperatorRunner.run(c, config, input).output();
      assertArrayEquals(DirectPoolAndAdd.pool(p, input), actual);
    } catch (Throwable e) {
      throw new AssertionError(
          p + " seed " + seed + " " + d + " on " + config.name() + ": " + e, e);
    }
  }

  static void checkAdd(long seed, MachineConfig config, Data d) {
    SplittableRandom r = new SplittableRandom(seed);
    AddLayer a = randomAdd(r);
    int n = (int) a.shape().elements();
    int[] x1 = data(a.type(), n, d, r);
    int[] x2 = data(a.type(), n, r.nextBoolean() ? d : Data.UNIFORM, r);
    try {
      CompiledOperator c = KernelCompiler.compile(a, OperatorRunner.target(config));
      int[] actual = OperatorRunner.run(c, config, x1, x2).output();
      assertArrayEquals(DirectPoolAndAdd.add(a, x1, x2), actual);
    } catch (Throwable e) {
      throw new AssertionError(
          a + " seed " + seed + " " + d + " on " + config.name() + ": " + e, e);
    }
  }

  static Gen<MachineConfig> machines() {
    return Generate.pick(MACHINES);
  }

  @Test
  void randomPoolsAreBitExact() {
    qt().withExamples(300)
        .forAll(SourceDSL.longs().all(), machines(), Generate.enumValues(Data.class))
        .checkAssert(PoolAndAddProperties::checkPool);
  }

  @Test
  void randomAddsAreBitExact() {
    qt().withExamples(300)
        .forAll(SourceDSL.longs().all(), machines(), Generate.enumValues(Data.class))
        .checkAssert(PoolAndAddProperties::checkAdd);
  }

  /**
   * A 3x3 SAME average pool of a 3x3 single-channel image, by hand: the corner windows hold 4
   * pixels, the edge windows 6 and the centre 9; values 1..9 row by row.
   */
  @Test
  void averagePoolDividesBorderWindowsByTheirOwnCounts() throws Exception {
    PoolLayer p =
        PoolLayer.tflite(
            PoolLayer.Kind.AVERAGE,
            DataType.INT8,
            new TensorShape(1, 3, 3, 1),
            3,
            3,
            1,
            1,
            true,
            -128,
            127);
    int[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    // top-left (1+2+4+5)/4 = 3; top (1+2+3+4+5+6)/6 = 3.5 -> 4; top-right (2+3+5+6)/4 = 4;
    // left (1+2+4+5+7+8)/6 = 4.5 -> 5; centre 45/9 = 5; right (2+3+5+6+8+9)/6 = 5.5 -> 6;
    // bottom-left (4+5+7+8)/4 = 6; bottom (4+5+6+7+8+9)/6 = 6.5 -> 7; bottom-right 28/4 = 7.
    int[] expected = {3, 4, 4, 5, 5, 6, 6, 7, 7};
    MachineConfig m = MachineConfig.defaults();
    assertArrayEquals(
        expected,
        OperatorRunner.run(KernelCompiler.compile(p, OperatorRunner.target(m)), m, in).output());
  }

  /**
   * An ADD whose every output saturates: scales 1.0 and an output scale of 0.01 make 1 + 1 = 200
   * output steps, far beyond 127 (and -2 + -2 = -400 beyond -128); the run counts every one.
   */
  @Test
  void addSaturatesAndCountsIt() throws Exception {
    AddLayer a =
        AddLayer.fromScales(
            DataType.INT8, new TensorShape(1, 5, 7, 3), 1.0, 0, 1.0, 0, 0.01, 0, -128, 127);
    int n = (int) a.shape().elements();
    int[] x = new int[n];
    int[] expected = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = i % 2 == 0 ? 1 : -2;
      expected[i] = i % 2 == 0 ? 127 : -128;
    }
    MachineConfig m = MachineConfig.defaults().withLanes(8);
    OperatorRunner.Run run =
        OperatorRunner.run(KernelCompiler.compile(a, OperatorRunner.target(m)), m, x, x);
    assertArrayEquals(expected, run.output());
    assertEquals(n, run.result().outputSaturations());
  }

  /** The add.spec example through the compiler: scales 0.5, 0.25 and 1.0, clamp [-100, 50]. */
  @Test
  void addOfTheSpecExample() throws Exception {
    AddLayer a =
        AddLayer.fromScales(
            DataType.INT8, new TensorShape(1, 1, 1, 4), 0.5, -3, 0.25, 5, 1.0, 1, -100, 50);
    assertEquals(1 << 30, a.input1Multiplier());
    assertEquals(0, a.input1Shift());
    assertEquals(1 << 30, a.input2Multiplier());
    assertEquals(-1, a.input2Shift());
    assertEquals(1 << 30, a.outputMultiplier());
    assertEquals(-19, a.outputShift());
    MachineConfig m = MachineConfig.defaults();
    OperatorRunner.Run run =
        OperatorRunner.run(
            KernelCompiler.compile(a, OperatorRunner.target(m)),
            m,
            new int[] {7, -128, 0, 127},
            new int[] {9, -128, 5, 127});
    // 0.5 (x1 + 3) + 0.25 (x2 - 5) + 1: 7, -95.75 + 1, 1.5 + 1, 95.5 + 1 (clamped to 50)
    assertArrayEquals(new int[] {7, -95, 3, 50}, run.output());
    assertEquals(1, run.result().clampHits());
  }
}
