package dev.npusim.analysis.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The study's one-pass sums against element-by-element loops and against hand calculations. */
class LayerSumsTest {
  @Test
  void errorsByHand() {
    // Reference 1, 2; weights-only 1, 3; activations-only 0, 2; cumulative q = 12, 14 and isolated
    // q = 10, 12 with scale 0.5 and zero point 10: 1, 2 and 0, 1. Signal 1 + 4 = 5; noise 0 + 1,
    // 1 + 0, 0 + 0 and 1 + 1: SQNR 10 log10(5), infinite, 10 log10(5) and 10 log10(2.5).
    LayerSums s = new LayerSums();
    TensorShape shape = new TensorShape(1, 1, 1, 2);
    s.addErrors(
        FloatTensor.copyOf(shape, new double[] {1, 2}),
        FloatTensor.copyOf(shape, new double[] {1, 3}),
        FloatTensor.copyOf(shape, new double[] {0, 2}),
        new int[] {12, 14},
        new int[] {10, 12},
        new QuantParams(0.5, 10, DataType.UINT8));
    assertEquals(6.9897000434, s.weightsOnly.db(), 1e-9);
    assertEquals(6.9897000434, s.activationsOnly.db(), 1e-9);
    assertEquals(Double.POSITIVE_INFINITY, s.cumulative.db());
    assertEquals(3.9794000867, s.isolated.db(), 1e-9);
    assertEquals(2, s.isolated.count());
    // The sums are per image, scheme and layer: adding twice would not be the element loop.
    assertThrows(
        IllegalStateException.class,
        () ->
            s.addErrors(
                FloatTensor.copyOf(shape, new double[] {1, 2}),
                FloatTensor.copyOf(shape, new double[] {1, 3}),
                FloatTensor.copyOf(shape, new double[] {0, 2}),
                new int[] {12, 14},
                new int[] {10, 12},
                new QuantParams(0.5, 10, DataType.UINT8)));
  }

  @Test
  void errorsAreBitForBitTheElementLoops() {
    // Magnitudes over twelve decades, so that another summation order rounds differently.
    Random rnd = new Random(3);
    for (int trial = 0; trial < 100; trial++) {
      int n = 1 + rnd.nextInt(400);
      double[] ref = new double[n];
      double[] w = new double[n];
      double[] a = new double[n];
      int[] out = new int[n];
      int[] iso = new int[n];
      QuantParams op = new QuantParams(Math.pow(10, rnd.nextInt(6) - 4), 128, DataType.UINT8);
      for (int i = 0; i < n; i++) {
        ref[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 6);
        w[i] = ref[i] + rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 8);
        a[i] = ref[i] + rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 8);
        out[i] = rnd.nextInt(256);
        iso[i] = rnd.nextInt(256);
      }
      TensorShape shape = new TensorShape(1, 1, 1, n);
      LayerSums s = new LayerSums();
      s.addErrors(
          FloatTensor.copyOf(shape, ref),
          FloatTensor.copyOf(shape, w),
          FloatTensor.copyOf(shape, a),
          out,
          iso,
          op);
      Sqnr ew = new Sqnr();
      Sqnr ea = new Sqnr();
      Sqnr ec = new Sqnr();
      Sqnr ei = new Sqnr();
      for (int i = 0; i < n; i++) {
        ew.add(ref[i], w[i]);
        ea.add(ref[i], a[i]);
        ec.add(ref[i], op.scale() * (out[i] - 128));
        ei.add(ref[i], op.scale() * (iso[i] - 128));
      }
      assertBits(ew, s.weightsOnly, trial);
      assertBits(ea, s.activationsOnly, trial);
      assertBits(ec, s.cumulative, trial);
      assertBits(ei, s.isolated, trial);
    }
  }

  @Test
  void requantizationByHand() {
    // Zero point 10, 8-bit clamp [10, 20], ReLU6 ceiling at 18 (actLo 10, actHi 18). Exact values
    // 9.5 (clamped up by the activation: intended 10, nothing lost), 12.25 -> 12 (error -0.25),
    // 19 -> 18 (ReLU6 clips: intended 18, error -1) and 25 (outside [10, 20]: no rounding term;
    // intended 18, so nothing saturates).
    LayerSums s = new LayerSums();
    s.addRequantization(
        new int[] {10, 12, 18, 18}, new double[] {9.5, 12.25, 19, 25}, 10, 20, 10, 10, 18);
    assertEquals(-1.25, s.roundingSum);
    assertEquals(1.0625, s.roundingSquares);
    assertEquals(2, s.roundingCount);
    // Signal (10-10)^2 + 2.25^2 + 8^2 + 8^2 = 133.0625; clipped 0.
    assertEquals(133.0625, s.signalEnergy);
    assertEquals(0, s.clippedEnergy);
    assertEquals(0, s.saturated);
    assertEquals(4, s.outputs);
    // Without an activation ceiling 25 is clamped to 20: 5 lost, saturated; 19 rounds exactly now.
    LayerSums t = new LayerSums();
    t.addRequantization(
        new int[] {10, 12, 19, 20},
        new double[] {9.5, 12.25, 19, 25},
        10,
        20,
        10,
        10,
        Double.POSITIVE_INFINITY);
    assertEquals(25, t.clippedEnergy);
    assertEquals(1, t.saturated);
    assertEquals(-0.25, t.roundingSum);
    assertEquals(2, t.roundingCount);
  }

  @Test
  void requantizationIsBitForBitSeparateLoops() {
    Random rnd = new Random(8);
    for (int trial = 0; trial < 100; trial++) {
      int n = rnd.nextInt(400);
      double[] exact = new double[n];
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        exact[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(6) - 1);
        out[i] = rnd.nextInt(256) - 128;
      }
      int zo = rnd.nextInt(20) - 10;
      double actHi = rnd.nextBoolean() ? Double.POSITIVE_INFINITY : zo + rnd.nextDouble() * 100;
      LayerSums s = new LayerSums();
      s.addRequantization(out, exact, -128, 127, zo, zo, actHi);
      LayerSums expected = new LayerSums();
      expected.addRounding(out, exact, -128, 127);
      for (int i = 0; i < n; i++) {
        double intended = Math.min(Math.max(exact[i], zo), actHi);
        expected.signalEnergy += (intended - zo) * (intended - zo);
        double lost = intended - Math.min(Math.max(intended, -128), 127);
        expected.saturated += Math.abs(lost) > 0.5 ? 1 : 0;
        expected.clippedEnergy += lost * lost;
      }
      assertEquals(bits(expected.roundingSum), bits(s.roundingSum), "trial " + trial);
      assertEquals(bits(expected.roundingSquares), bits(s.roundingSquares), "trial " + trial);
      assertEquals(expected.roundingCount, s.roundingCount, "trial " + trial);
      assertEquals(bits(expected.signalEnergy), bits(s.signalEnergy), "trial " + trial);
      assertEquals(bits(expected.clippedEnergy), bits(s.clippedEnergy), "trial " + trial);
      assertEquals(expected.saturated, s.saturated, "trial " + trial);
      assertEquals(n, s.outputs);
    }
  }

  private static void assertBits(Sqnr expected, Sqnr actual, int trial) {
    assertEquals(expected.count(), actual.count(), "trial " + trial);
    assertEquals(bits(expected.db()), bits(actual.db()), "trial " + trial);
  }

  private static long bits(double d) {
    return Double.doubleToRawLongBits(d);
  }
}
