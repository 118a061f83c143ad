package dev.npusim.kernels.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.CrossLayerEqualization.EqualizedPair;
import dev.npusim.kernels.graph.CrossLayerEqualization.Variant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrossLayerEqualizationTest {

  private static final TensorShape IN = new TensorShape(1, 6, 6, 6);

  /** The pair's output, through the direct reference: pw(dw(x)). */
  private static double[] pair(FloatLayer dw, FloatLayer pw, double[] x) {
    return DirectConvolution.run(pw, DirectConvolution.run(dw, x));
  }

  private static double maxPreActivation(FloatLayer dw, double[] x) {
    double m = Double.NEGATIVE_INFINITY;
    for (double v : DirectConvolution.run(dw, x, false)) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static FloatLayer[] randomPair(Random r, Activation act) {
    FloatLayer dw = TestLayers.depthwise(r, IN, 1 + r.nextInt(2), null, act, true);
    FloatLayer pw = TestLayers.pointwise(r, "dw", dw.outputShape(), 4, Activation.RELU6);
    return new FloatLayer[] {dw, pw};
  }

  @Test
  void withReluThePairIsTheSameFunctionForAnyInput() {
    qt().withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              FloatLayer[] p = randomPair(r, Activation.RELU);
              double[] x = TestLayers.input(r, IN, -50, 50);
              EqualizedPair eq =
                  CrossLayerEqualization.equalizePair(p[0], p[1], Variant.PLAIN, 1e-8);
              assertEquals(Activation.RELU, eq.depthwise().activation());
              assertTrue(
                  DirectConvolution.relativeError(
                          pair(p[0], p[1], x), pair(eq.depthwise(), eq.consumer(), x))
                      < 1e-12);
            });
  }

  @Test
  void withRelu6ThePlainVariantIsExactWhereNothingClips() {
    qt().withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              FloatLayer[] p = randomPair(r, Activation.RELU6);
              EqualizedPair eq =
                  CrossLayerEqualization.equalizePair(p[0], p[1], Variant.PLAIN, 1e-8);
              // Shrink the input until no depthwise value reaches 6, before or after the
              // rescaling; then check that premise rather than trust the loop.
              double[] x = TestLayers.input(r, IN, -1, 1);
              for (int k = 0;
                  k < 40
                      && (maxPreActivation(p[0], x) >= 6
                          || maxPreActivation(eq.depthwise(), x) >= 6);
                  k++) {
                for (int i = 0; i < x.length; i++) {
                  x[i] /= 2;
                }
              }
              assertTrue(maxPreActivation(p[0], x) < 6);
              assertTrue(maxPreActivation(eq.depthwise(), x) < 6);
              assertEquals(Activation.RELU6, eq.depthwise().activation());
              assertTrue(
                  DirectConvolution.relativeError(
                          pair(p[0], p[1], x), pair(eq.depthwise(), eq.consumer(), x))
                      < 1e-12);
            });
  }

  @Test
  void withRelu6ThePlainVariantChangesTheOutputWhenValuesClip() {
    Random r = new Random(3);
    FloatLayer[] p = randomPair(r, Activation.RELU6);
    double[] x = TestLayers.input(r, IN, -40, 40);
    assertTrue(maxPreActivation(p[0], x) > 6, "premise: some depthwise values clip");
    EqualizedPair eq = CrossLayerEqualization.equalizePair(p[0], p[1], Variant.PLAIN, 1e-8);
    double err =
        DirectConvolution.relativeError(
            pair(p[0], p[1], x), pair(eq.depthwise(), eq.consumer(), x));
    assertTrue(err > 1e-3, "plain CLE across a clipping ReLU6 should change the output: " + err);
  }

  @Test
  void thePerChannelClipVariantIsExactEvenWhenValuesClip() {
    qt().withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              FloatLayer[] p = randomPair(r, Activation.RELU6);
              double[] x = TestLayers.input(r, IN, -40, 40);
              EqualizedPair eq =
                  CrossLayerEqualization.equalizePair(p[0], p[1], Variant.PER_CHANNEL_CLIP, 1e-8);
              Activation act = eq.depthwise().activation();
              assertEquals(Activation.Kind.RELU_CLIP_PER_CHANNEL, act.kind());
              for (int c = 0; c < IN.c(); c++) {
                assertEquals(6 / eq.scales().get(c), act.upperBound(c), 1e-12);
              }
              assertTrue(
                  DirectConvolution.relativeError(
                          pair(p[0], p[1], x), pair(eq.depthwise(), eq.consumer(), x))
                      < 1e-12);
            });
  }

  @Test
  void bothRangesBecomeTheGeometricMean() {
    Random r = new Random(11);
    FloatLayer[] p = randomPair(r, Activation.RELU);
    int c = IN.c();
    double[] r1 = channelRanges(p[0].filter(), c);
    double[] r2 = channelRanges(p[1].filter(), c);
    EqualizedPair eq = CrossLayerEqualization.equalizePair(p[0], p[1], Variant.PLAIN, 1e-8);
    double[] e1 = channelRanges(eq.depthwise().filter(), c);
    double[] e2 = channelRanges(eq.consumer().filter(), c);
    for (int i = 0; i < c; i++) {
      double target = Math.sqrt(r1[i] * r2[i]);
      assertEquals(target, e1[i], 1e-12 * target, "depthwise channel " + i);
      assertEquals(target, e2[i], 1e-12 * target, "pointwise input channel " + i);
      assertEquals(Math.sqrt(r1[i] / r2[i]), eq.scales().get(i), 1e-12);
    }
  }

  /** max |w| per channel, the channel being index % channels (depthwise HWC and OHWI alike). */
  private static double[] channelRanges(ImmutableDoubleArray w, int channels) {
    double[] r = new double[channels];
    for (int i = 0; i < w.length(); i++) {
      r[i % channels] = Math.max(r[i % channels], Math.abs(w.get(i)));
    }
    return r;
  }

  @Test
  void deadChannelsAreLeftAlone() {
    Random r = new Random(5);
    FloatLayer[] p = randomPair(r, Activation.RELU);
    double[] w = p[0].filter().toArray();
    for (int i = 0; i < w.length; i += IN.c()) {
      w[i] = 0; // channel 0 of the depthwise layer is all zeros
    }
    FloatLayer dw = p[0].withFilter(ImmutableDoubleArray.copyOf(w));
    EqualizedPair eq = CrossLayerEqualization.equalizePair(dw, p[1], Variant.PLAIN, 1e-8);
    assertEquals(1.0, eq.scales().get(0));
    double[] x = TestLayers.input(r, IN, -1, 1);
    assertTrue(
        DirectConvolution.relativeError(pair(dw, p[1], x), pair(eq.depthwise(), eq.consumer(), x))
            < 1e-12);
  }

  @Test
  void refusesAnUnfoldedBatchNorm() {
    Random r = new Random(2);
    FloatLayer dw =
        TestLayers.depthwise(r, IN, 1, TestLayers.batchNorm(r, IN.c()), Activation.RELU6, false);
    FloatLayer pw = TestLayers.pointwise(r, "dw", dw.outputShape(), 4, Activation.RELU6);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CrossLayerEqualization.equalizePair(dw, pw, Variant.PLAIN, 1e-8));
    assertTrue(e.getMessage().contains("BatchNorm"), e.getMessage());
  }

  @Test
  void graphPassEqualizesOnlySingleConsumerDepthwisePairs() {
    Random r = new Random(9);
    FloatLayer dw = TestLayers.depthwise(r, IN, 1, null, Activation.RELU6, true);
    FloatLayer pw = TestLayers.pointwise(r, "dw", dw.outputShape(), 4, Activation.RELU6);
    FloatLayer dw2 =
        FloatLayer.depthwise(
            "dw2",
            "pw",
            pw.outputShape(),
            3,
            1,
            TestLayers.uniform(r, 36, -1, 1),
            null,
            null,
            Activation.RELU6);
    // dw2 feeds two layers: not a pair.
    FloatLayer a = TestLayers.pointwise(r, "dw2", dw2.outputShape(), 3, Activation.NONE);
    FloatLayer b = TestLayers.pointwise(r, "dw2", dw2.outputShape(), 3, Activation.NONE);
    FloatLayer a2 = rename(a, "a");
    FloatLayer b2 = rename(b, "b");
    FloatGraph g = new FloatGraph(IN, List.of(dw, pw, dw2, a2, b2));
    assertEquals(1, CrossLayerEqualization.pairs(g).size());
    FloatGraph eq = CrossLayerEqualization.equalize(g, Variant.PER_CHANNEL_CLIP);
    assertSame(dw2, eq.layer("dw2"));
    double[] x = TestLayers.input(r, IN, -5, 5);
    double[] before = DirectConvolution.run(pw, DirectConvolution.run(dw, x));
    double[] after =
        DirectConvolution.run(eq.layer("pw"), DirectConvolution.run(eq.layer("dw"), x));
    assertTrue(DirectConvolution.relativeError(before, after) < 1e-12);
  }

  private static FloatLayer rename(FloatLayer l, String name) {
    return new FloatLayer(
        name,
        l.kind(),
        l.input(),
        l.inputShape(),
        l.outputShape(),
        l.kernelH(),
        l.kernelW(),
        l.strideH(),
        l.strideW(),
        l.padding(),
        l.filter(),
        l.bias(),
        l.batchNorm(),
        l.activation());
  }
}
