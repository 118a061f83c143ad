package dev.npusim.models.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.BatchNorm;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.graph.Padding;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float reference's convolution loops ({@link FloatConvLanes} and the scalar loops) against the
 * plainest scalar loop, written here: each output the sum, from +0.0, of {@code x * w} over the
 * taps inside the input in the order (ky, kx, input channel), then bias, BatchNorm and activation
 * as {@link FloatLayer} defines them. Compared bit for bit ({@link Double#doubleToRawLongBits}).
 *
 * <p>Layers have any padding on each side (up to the kernel size: whole kernel rows and columns in
 * the padding), strides 1 to 3, kernels 1 to 5 wide and high (3x3 most often: the depthwise loops
 * have their own 3x3 path, four pixels at a time at stride 1, one at other strides), widths that
 * leave 0 to 7 columns after the four-pixel groups, channel counts across vectors, blocks, pairs of
 * blocks and the partial last block. Inputs and weights mix magnitudes from 1e-6 to 1e6, so that a
 * sum taken in another order or with a fused multiply-add would round differently, and hold exact
 * zeros of both signs.
 */
class FloatConvLanesProperties {

  /** A value of random sign and magnitude, 1e-6 to 1e6, or (one in eight) +0.0 or -0.0. */
  private static double value(Random r) {
    if (r.nextInt(8) == 0) {
      return r.nextBoolean() ? 0.0 : -0.0;
    }
    double v = Math.pow(10, -6 + 12 * r.nextDouble());
    return r.nextBoolean() ? v : -v;
  }

  private static ImmutableDoubleArray values(Random r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = value(r);
    }
    return ImmutableDoubleArray.copyOf(v);
  }

  private static ImmutableDoubleArray uniform(Random r, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextDouble();
    }
    return ImmutableDoubleArray.copyOf(v);
  }

  /** A random convolution or depthwise convolution (multiplier 1). */
  private static FloatLayer randomLayer(Random r) {
    boolean depthwise = r.nextBoolean();
    int kh = r.nextInt(3) > 0 ? 3 : 1 + r.nextInt(5);
    int kw = r.nextInt(3) > 0 ? kh : 1 + r.nextInt(5);
    int sh = 1 + r.nextInt(3);
    int sw = r.nextInt(3) > 0 ? Math.min(sh, 2) : 1 + r.nextInt(3);
    Padding pad =
        new Padding(r.nextInt(kh + 1), r.nextInt(kh + 1), r.nextInt(kw + 1), r.nextInt(kw + 1));
    // At least one output row and column.
    int h = Math.max(1, kh - pad.top() - pad.bottom()) + r.nextInt(9);
    int w = Math.max(1, kw - pad.left() - pad.right()) + r.nextInt(24);
    int ic = 1 + r.nextInt(r.nextBoolean() ? 12 : 40);
    int oc = depthwise ? ic : 1 + r.nextInt(r.nextBoolean() ? 20 : 72);
    TensorShape in = new TensorShape(1 + r.nextInt(2), h, w, ic);
    TensorShape out =
        new TensorShape(
            in.n(),
            QuantizedLayer.outputSize(h, kh, sh, 1, pad.top(), pad.bottom()),
            QuantizedLayer.outputSize(w, kw, sw, 1, pad.left(), pad.right()),
            oc);
    BatchNorm bn =
        r.nextInt(3) == 0
            ? new BatchNorm(
                uniform(r, oc, -2, 2),
                uniform(r, oc, -1, 1),
                uniform(r, oc, -1, 1),
                uniform(r, oc, 0, 2),
                BatchNorm.TF_EPSILON)
            : null;
    Activation act =
        switch (r.nextInt(3)) {
          case 0 -> Activation.NONE;
          case 1 -> Activation.RELU6;
          default -> Activation.reluClipPerChannel(uniform(r, oc, 0.5, 3));
        };
    return new FloatLayer(
        depthwise ? "d" : "c",
        depthwise ? LayerKind.DEPTHWISE_CONV2D : LayerKind.CONV2D,
        FloatGraph.INPUT,
        in,
        out,
        kh,
        kw,
        sh,
        sw,
        pad,
        values(r, oc * kh * kw * (depthwise ? 1 : ic)),
        r.nextBoolean() ? values(r, oc) : null,
        bn,
        act);
  }

  /** The plain loop: every output element on its own, taps in (ky, kx, ic) order. */
  private static double[] plain(FloatLayer l, double[] x) {
    TensorShape is = l.inputShape();
    TensorShape os = l.outputShape();
    double[] out = new double[(int) os.elements()];
    for (int b = 0; b < os.n(); b++) {
      for (int oy = 0; oy < os.h(); oy++) {
        for (int ox = 0; ox < os.w(); ox++) {
          for (int o = 0; o < os.c(); o++) {
            double sum = 0.0;
            for (int ky = 0; ky < l.kernelH(); ky++) {
              int iy = oy * l.strideH() - l.padding().top() + ky;
              for (int kx = 0; kx < l.kernelW(); kx++) {
                int ix = ox * l.strideW() - l.padding().left() + kx;
                if (iy < 0 || iy >= is.h() || ix < 0 || ix >= is.w()) {
                  continue;
                }
                if (l.isDepthwise()) {
                  sum += x[is.index(b, iy, ix, o)] * l.filterAt(o, ky, kx, o);
                } else {
                  for (int i = 0; i < is.c(); i++) {
                    sum += x[is.index(b, iy, ix, i)] * l.filterAt(o, ky, kx, i);
                  }
                }
              }
            }
            double v = l.bias() == null ? sum : sum + l.bias().get(o);
            BatchNorm bn = l.batchNorm();
            if (bn != null) {
              v =
                  (v - bn.movingMean().get(o))
                          / Math.sqrt(bn.movingVariance().get(o) + bn.epsilon())
                          * bn.gamma().get(o)
                      + bn.beta().get(o);
            }
            if (l.activation().kind() != Activation.Kind.NONE) {
              v = v > 0 ? Math.min(v, l.activation().upperBound(o)) : 0.0;
            }
            out[os.index(b, oy, ox, o)] = v;
          }
        }
      }
    }
    return out;
  }

  private static void assertSameBits(double[] expected, FloatTensor actual, String what) {
    assertEquals(expected.length, actual.size());
    for (int i = 0; i < expected.length; i++) {
      long e = Double.doubleToRawLongBits(expected[i]);
      long a = Double.doubleToRawLongBits(actual.get(i));
      if (e != a) {
        throw new AssertionError(
            what + ": element " + i + " is " + actual.get(i) + ", expected " + expected[i]);
      }
    }
  }

  @Test
  void everyLoopNestGivesThePlainLoopsBits() {
    qt().withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              FloatLayer l = randomLayer(r);
              FloatTensor in =
                  FloatTensor.adopt(
                      l.inputShape(), values(r, (int) l.inputShape().elements()).toArray());
              double[] expected = plain(l, in.sharedValues());
              String what =
                  l.kind()
                      + " "
                      + l.inputShape()
                      + " -> "
                      + l.outputShape()
                      + " kernel "
                      + l.kernelH()
                      + "x"
                      + l.kernelW()
                      + " stride "
                      + l.strideH()
                      + ","
                      + l.strideW()
                      + " padding "
                      + l.padding();
              assertSameBits(expected, FloatGraphExecutor.runLayer(l, in), what + ", vector loops");
              assertSameBits(
                  expected, FloatGraphExecutor.runLayerScalar(l, in), what + ", scalar loops");
            });
  }

  /** The generator reaches the paths it is meant to: a check on the test itself. */
  @Test
  void layersCoverTheLoopsSpecialCases() {
    Random r = new Random(7);
    int depthwise3x3Strided = 0;
    int depthwiseOther = 0;
    int partialBlock = 0;
    int pairs = 0;
    for (int i = 0; i < 300; i++) {
      FloatLayer l = randomLayer(r);
      if (l.isDepthwise() && l.kernelH() == 3 && l.kernelW() == 3 && l.strideW() == 2) {
        depthwise3x3Strided++;
      }
      if (l.isDepthwise() && (l.kernelH() != 3 || l.kernelW() != 3)) {
        depthwiseOther++;
      }
      int oc = l.outputChannels();
      if (!l.isDepthwise() && oc % FloatConvLanes.BLOCK != 0) {
        partialBlock++;
      }
      if (!l.isDepthwise() && oc >= 2 * FloatConvLanes.BLOCK) {
        pairs++;
      }
    }
    assertTrue(depthwise3x3Strided > 10 && depthwiseOther > 10, "depthwise paths");
    assertTrue(partialBlock > 30 && pairs > 10, "regular convolution blocks");
  }
}
