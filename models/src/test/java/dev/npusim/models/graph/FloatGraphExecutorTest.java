package dev.npusim.models.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.BatchNorm;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast float reference against a direct seven-loop evaluation written in this test. */
class FloatGraphExecutorTest {

  private static ImmutableDoubleArray uniform(Random r, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextDouble();
    }
    return ImmutableDoubleArray.copyOf(v);
  }

  /** conv + bias, BatchNorm as MODEL.md writes it, activation; padding by bounds checks. */
  private static double[] direct(FloatLayer l, double[] in) {
    TensorShape is = l.inputShape();
    TensorShape os = l.outputShape();
    double[] out = new double[(int) os.elements()];
    for (int b = 0; b < os.n(); b++) {
      for (int oy = 0; oy < os.h(); oy++) {
        for (int ox = 0; ox < os.w(); ox++) {
          for (int oc = 0; oc < os.c(); oc++) {
            double acc = 0;
            for (int ky = 0; ky < l.kernelH(); ky++) {
              for (int kx = 0; kx < l.kernelW(); kx++) {
                int iy = oy * l.strideH() + ky - l.padding().top();
                int ix = ox * l.strideW() + kx - l.padding().left();
                if (iy < 0 || iy >= is.h() || ix < 0 || ix >= is.w()) {
                  continue;
                }
                for (int ic = 0; ic < is.c(); ic++) {
                  if (l.isDepthwise() && ic != oc) {
                    continue;
                  }
                  acc += in[is.index(b, iy, ix, ic)] * l.filterAt(oc, ky, kx, ic);
                }
              }
            }
            acc += l.biasOf(oc);
            BatchNorm bn = l.batchNorm();
            if (bn != null) {
              acc =
                  (acc - bn.movingMean().get(oc))
                          / Math.sqrt(bn.movingVariance().get(oc) + bn.epsilon())
                          * bn.gamma().get(oc)
                      + bn.beta().get(oc);
            }
            double upper = l.activation().upperBound(oc);
            if (l.activation().kind() != Activation.Kind.NONE) {
              acc = Math.min(Math.max(acc, 0), upper);
            }
            out[os.index(b, oy, ox, oc)] = acc;
          }
        }
      }
    }
    return out;
  }

  private static double relativeError(double[] expected, FloatTensor actual) {
    double diff = 0;
    double scale = 1e-300;
    for (int i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs(expected[i] - actual.get(i)));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return diff / scale;
  }

  private static Activation randomActivation(Random r, int channels) {
    return switch (r.nextInt(4)) {
      case 0 -> Activation.NONE;
      case 1 -> Activation.RELU;
      case 2 -> Activation.RELU6;
      default -> Activation.reluClipPerChannel(uniform(r, channels, 0.5, 3));
    };
  }

  @Test
  void regularConvolutionsMatchTheDirectLoops() {
    qt().withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              // Widths past 16 cross the reference's column tiles; batch 2 checks indexing.
              TensorShape in =
                  new TensorShape(
                      1 + r.nextInt(2), 1 + r.nextInt(9), 1 + r.nextInt(40), 1 + r.nextInt(6));
              int k = 1 + 2 * r.nextInt(2);
              int s = 1 + r.nextInt(2);
              int oc = 1 + r.nextInt(9);
              FloatLayer l =
                  FloatLayer.conv(
                      "c",
                      FloatGraph.INPUT,
                      in,
                      oc,
                      k,
                      s,
                      uniform(r, oc * k * k * in.c(), -1, 1),
                      r.nextBoolean() ? uniform(r, oc, -1, 1) : null,
                      randomActivation(r, oc));
              // Some exact zeros, as after a ReLU, to exercise the zero skip.
              double[] x = uniform(r, (int) in.elements(), -2, 2).toArray();
              for (int i = 0; i < x.length; i += 3) {
                x[i] = 0;
              }
              FloatTensor out = FloatGraphExecutor.runLayer(l, FloatTensor.copyOf(in, x));
              assertTrue(relativeError(direct(l, x), out) < 1e-13);
            });
  }

  @Test
  void depthwiseConvolutionsWithBatchNormMatchTheDirectLoops() {
    qt().withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              TensorShape in =
                  new TensorShape(
                      1 + r.nextInt(2), 1 + r.nextInt(12), 1 + r.nextInt(30), 1 + r.nextInt(9));
              int c = in.c();
              BatchNorm bn =
                  r.nextBoolean()
                      ? new BatchNorm(
                          uniform(r, c, -2, 2),
                          uniform(r, c, -1, 1),
                          uniform(r, c, -1, 1),
                          uniform(r, c, 0, 2),
                          BatchNorm.TF_EPSILON)
                      : null;
              FloatLayer l =
                  FloatLayer.depthwise(
                      "d",
                      FloatGraph.INPUT,
                      in,
                      3,
                      1 + r.nextInt(2),
                      uniform(r, 9 * c, -1, 1),
                      r.nextBoolean() ? uniform(r, c, -1, 1) : null,
                      bn,
                      randomActivation(r, c));
              double[] x = uniform(r, (int) in.elements(), -2, 2).toArray();
              FloatTensor out = FloatGraphExecutor.runLayer(l, FloatTensor.copyOf(in, x));
              assertTrue(relativeError(direct(l, x), out) < 1e-13);
            });
  }

  /**
   * Both loop nests (register-blocked vector lanes and scalar) sum every element in the direct
   * loops' order, so all three agree bit for bit; channel counts and widths cross the vector blocks
   * (2 x 8 lanes, pairs of blocks, 4 pixels) and padding falls on every side; the epilogue (bias,
   * BatchNorm, activation) runs on vectors of channels and a scalar tail.
   */
  @Test
  void vectorAndScalarLoopsAgreeWithTheDirectLoopsBitForBit() {
    qt().withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              TensorShape in =
                  new TensorShape(
                      1 + r.nextInt(2), 1 + r.nextInt(7), 1 + r.nextInt(23), 1 + r.nextInt(40));
              int k = 1 + 2 * r.nextInt(2);
              int s = 1 + r.nextInt(2);
              FloatLayer l;
              if (r.nextBoolean()) {
                int oc = 1 + r.nextInt(72);
                l =
                    FloatLayer.conv(
                        "c",
                        FloatGraph.INPUT,
                        in,
                        oc,
                        k,
                        s,
                        uniform(r, oc * k * k * in.c(), -1, 1),
                        r.nextBoolean() ? uniform(r, oc, -1, 1) : null,
                        randomActivation(r, oc));
              } else {
                l =
                    FloatLayer.depthwise(
                        "d",
                        FloatGraph.INPUT,
                        in,
                        k,
                        s,
                        uniform(r, k * k * in.c(), -1, 1),
                        r.nextBoolean() ? uniform(r, in.c(), -1, 1) : null,
                        r.nextBoolean()
                            ? new BatchNorm(
                                uniform(r, in.c(), -2, 2),
                                uniform(r, in.c(), -1, 1),
                                uniform(r, in.c(), -1, 1),
                                uniform(r, in.c(), 0, 2),
                                BatchNorm.TF_EPSILON)
                            : null,
                        randomActivation(r, in.c()));
              }
              double[] x = uniform(r, (int) in.elements(), -2, 2).toArray();
              for (int i = 0; i < x.length; i += 2 + r.nextInt(3)) {
                x[i] = i % 4 == 0 ? -0.0 : 0.0;
              }
              FloatTensor input = FloatTensor.copyOf(in, x);
              double[] expected = direct(l, x);
              assertArrayEquals(expected, FloatGraphExecutor.runLayer(l, input).toArray());
              assertArrayEquals(expected, FloatGraphExecutor.runLayerScalar(l, input).toArray());
            });
  }

  @Test
  void runKeepsEveryLayerOutputAndRunLayerReproducesIt() {
    Random r = new Random(12);
    TensorShape in = new TensorShape(1, 9, 9, 3);
    FloatLayer a =
        FloatLayer.conv(
            "a", FloatGraph.INPUT, in, 4, 3, 2, uniform(r, 108, -1, 1), null, Activation.RELU6);
    FloatLayer b =
        FloatLayer.depthwise(
            "b",
            "a",
            a.outputShape(),
            3,
            1,
            uniform(r, 36, -1, 1),
            uniform(r, 4, -1, 1),
            null,
            Activation.RELU);
    FloatLayer c =
        FloatLayer.conv(
            "c", "a", a.outputShape(), 2, 1, 1, uniform(r, 8, -1, 1), null, Activation.NONE);
    FloatGraphExecutor ref = new FloatGraphExecutor(new FloatGraph(in, List.of(a, b, c)));
    double[] x = uniform(r, 243, -1, 1).toArray();
    FloatActivations run = ref.run(FloatTensor.copyOf(in, x));
    assertEquals(List.of(FloatGraph.INPUT, "a", "b", "c"), run.names());
    double[] outA = direct(a, x);
    assertTrue(relativeError(outA, run.get("a")) < 1e-13);
    assertTrue(relativeError(direct(b, outA), run.get("b")) < 1e-13);
    assertTrue(relativeError(direct(c, outA), run.get("c")) < 1e-13);
    assertEquals(run.get("b"), ref.runLayer("b", run.get("a")));
    // A run keeping only "b" has the input and "b", with the same values.
    FloatActivations some = ref.run(FloatTensor.copyOf(in, x), "b"::equals);
    assertEquals(List.of(FloatGraph.INPUT, "b"), some.names());
    assertEquals(run.get("b"), some.get("b"));
    // Before the activation, some values of "a" exceed ReLU6's clip or fall below 0.
    FloatTensor raw = ref.runLayerBeforeActivation("a", run.get(FloatGraph.INPUT));
    for (int i = 0; i < raw.size(); i++) {
      assertEquals(Math.min(Math.max(raw.get(i), 0), 6), run.get("a").get(i));
    }
  }
}
