package dev.npusim.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;

import dev.npusim.golden.reference.OperatorReference;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.simulator.MachineConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * Broadcasting ADD compiled and run instruction by instruction against the golden integer reference
 * ({@link OperatorReference#add}, whose broadcasting is its own index arithmetic): random output
 * shapes, each input taking every dimension either whole or as 1, on the machines of {@link
 * PoolAndAddProperties} (lanes that do not divide the rows, scratchpads that cut rows into pieces).
 */
class BroadcastAddProperties {

  /** An output shape, and each input's shape: every dimension the output's or 1. */
  static AddLayer randomBroadcastAdd(SplittableRandom r) {
    DataType t = r.nextInt(4) == 0 ? DataType.UINT8 : DataType.INT8;
    int[] out = {r.nextInt(1, 3), r.nextInt(1, 8), r.nextInt(1, 8), r.nextInt(1, 50)};
    int[] a = new int[4];
    int[] b = new int[4];
    for (int d = 0; d < 4; d++) {
      // Each dimension: both whole, input 1 broadcast, or input 2 broadcast.
      int k = r.nextInt(3);
      a[d] = k == 1 ? 1 : out[d];
      b[d] = k == 2 ? 1 : out[d];
    }
    if (r.nextInt(8) == 0) { // a scalar operand
      b = new int[] {1, 1, 1, 1};
    }
    double s1 = Math.pow(10, -3 + 2 * r.nextDouble());
    double s2 = Math.pow(10, -3 + 2 * r.nextDouble());
    double so = Math.max(s1, s2) * Math.pow(10, -0.5 + 1.3 * r.nextDouble());
    int[] act = PoolAndAddProperties.activation(t, r);
    return AddLayer.fromScales(
        t,
        new TensorShape(a[0], a[1], a[2], a[3]),
        new TensorShape(b[0], b[1], b[2], b[3]),
        s1,
        r.nextInt(t.min(), t.max() + 1),
        s2,
        r.nextInt(t.min(), t.max() + 1),
        so,
        r.nextInt(t.min(), t.max() + 1),
        act[0],
        act[1]);
  }

  static void check(long seed, MachineConfig config, PoolAndAddProperties.Data d) {
    SplittableRandom r = new SplittableRandom(seed);
    AddLayer a = randomBroadcastAdd(r);
    int[] x1 = PoolAndAddProperties.data(a.type(), (int) a.input1Shape().elements(), d, r);
    int[] x2 =
        PoolAndAddProperties.data(
            a.type(),
            (int) a.input2Shape().elements(),
            r.nextBoolean() ? d : PoolAndAddProperties.Data.UNIFORM,
            r);
    try {
      CompiledOperator c = KernelCompiler.compile(a, OperatorRunner.target(config));
      int[] actual = OperatorRunner.run(c, config, x1, x2).output();
      assertArrayEquals(OperatorReference.add(a, x1, x2), actual);
    } catch (Throwable e) {
      throw new AssertionError(
          a.input1Shape()
              + " + "
              + a.input2Shape()
              + " seed "
              + seed
              + " "
              + d
              + " on "
              + config.name()
              + ": "
              + e,
          e);
    }
  }

  @Test
  void randomBroadcastAddsAreBitExact() {
    qt().withExamples(250)
        .forAll(
            SourceDSL.longs().all(),
            Generate.pick(PoolAndAddProperties.MACHINES),
            Generate.enumValues(PoolAndAddProperties.Data.class))
        .checkAssert(BroadcastAddProperties::check);
  }

  /**
   * Shapes chosen to reach each way the kernel loads a repeated operand, on the machine whose
   * scratchpads cut rows into pieces and on the default one: a per-channel row re-read for every
   * pixel, a per-pixel value copied across long rows (one transfer per row) and across short ones
   * (one transfer per channel), a scalar, and both inputs broadcasting at once.
   */
  @Test
  void everyLoadPatternIsBitExact() throws Exception {
    TensorShape[][] pairs = {
      {new TensorShape(1, 6, 5, 40), new TensorShape(1, 1, 1, 40)},
      {new TensorShape(1, 1, 1, 40), new TensorShape(1, 6, 5, 40)},
      {new TensorShape(1, 3, 2, 70), new TensorShape(1, 3, 2, 1)},
      {new TensorShape(2, 7, 9, 3), new TensorShape(2, 7, 9, 1)},
      {new TensorShape(1, 9, 11, 5), new TensorShape(1, 1, 1, 1)},
      {new TensorShape(1, 4, 1, 6), new TensorShape(1, 1, 7, 6)},
      {new TensorShape(2, 1, 5, 1), new TensorShape(1, 4, 1, 3)},
    };
    SplittableRandom r = new SplittableRandom(8);
    for (TensorShape[] p : pairs) {
      AddLayer a =
          AddLayer.fromScales(DataType.INT8, p[0], p[1], 0.02, 3, 0.05, -7, 0.06, 1, -128, 127);
      int[] x1 =
          PoolAndAddProperties.data(
              DataType.INT8, (int) p[0].elements(), PoolAndAddProperties.Data.UNIFORM, r);
      int[] x2 =
          PoolAndAddProperties.data(
              DataType.INT8, (int) p[1].elements(), PoolAndAddProperties.Data.UNIFORM, r);
      int[] expected = OperatorReference.add(a, x1, x2);
      for (MachineConfig m : PoolAndAddProperties.MACHINES) {
        CompiledOperator c = KernelCompiler.compile(a, OperatorRunner.target(m));
        assertArrayEquals(
            expected,
            OperatorRunner.run(c, m, x1, x2).output(),
            p[0] + " + " + p[1] + " on " + m.name());
      }
    }
  }

  /**
   * A per-channel constant [1, 1, 1, 2] = {10, -10} added to [1, 1, 3, 2] with all scales 1 and
   * zero points 0: each pixel plus (10, -10), by hand.
   */
  @Test
  void perChannelConstantByHand() throws Exception {
    AddLayer a =
        AddLayer.fromScales(
            DataType.INT8,
            new TensorShape(1, 1, 3, 2),
            new TensorShape(1, 1, 1, 2),
            1.0,
            0,
            1.0,
            0,
            1.0,
            0,
            -128,
            127);
    MachineConfig m = MachineConfig.defaults();
    OperatorRunner.Run run =
        OperatorRunner.run(
            KernelCompiler.compile(a, OperatorRunner.target(m)),
            m,
            new int[] {1, 2, 3, 4, 120, -120},
            new int[] {10, -10});
    // 1 + 10, 2 - 10, 3 + 10, 4 - 10, 120 + 10 saturates to 127, -120 - 10 to -128
    assertArrayEquals(new int[] {11, -8, 13, -6, 127, -128}, run.output());
    assertEquals(2, run.result().outputSaturations());
  }

  @Test
  void shapesThatDoNotBroadcastAreOneMessage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AddLayer.fromScales(
                    DataType.INT8,
                    new TensorShape(1, 4, 4, 8),
                    new TensorShape(1, 4, 4, 3),
                    1.0,
                    0,
                    1.0,
                    0,
                    1.0,
                    0,
                    -128,
                    127));
    assertEquals(
        "input1 shape [1, 4, 4, 8] and input2 shape [1, 4, 4, 3] do not broadcast: dimension 3"
            + " (C) is 8 and 3, and neither is 1",
        e.getMessage());
  }
}
