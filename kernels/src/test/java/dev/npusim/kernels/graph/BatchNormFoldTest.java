package dev.npusim.kernels.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.TensorShape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchNormFoldTest {

  @Test
  void foldsOneChannelByHand() {
    // 1x1 depthwise on 2 channels. Channel 0: w = 2, gamma 3, beta 1, mean 0.5, var 4 - eps, so
    // sqrt(var + eps) = 2 and k = 1.5: w' = 3, b' = -0.5 * 1.5 + 1 = 0.25.
    // Channel 1: w = -1, gamma 1, beta 0, mean 0, var 1 - eps: k = 1, w' = -1, b' = 0.
    double eps = BatchNorm.TF_EPSILON;
    BatchNorm bn =
        new BatchNorm(
            ImmutableDoubleArray.of(3, 1),
            ImmutableDoubleArray.of(1, 0),
            ImmutableDoubleArray.of(0.5, 0),
            ImmutableDoubleArray.of(4 - eps, 1 - eps),
            eps);
    FloatLayer layer =
        FloatLayer.depthwise(
            "dw",
            FloatGraph.INPUT,
            new TensorShape(1, 1, 1, 2),
            1,
            1,
            ImmutableDoubleArray.of(2, -1),
            null,
            bn,
            Activation.NONE);
    FloatLayer folded = BatchNormFold.fold(layer);
    assertNull(folded.batchNorm());
    assertEquals(3.0, folded.filterAt(0, 0, 0, 0), 1e-12);
    assertEquals(-1.0, folded.filterAt(1, 0, 0, 0), 1e-12);
    assertEquals(0.25, folded.biasOf(0), 1e-12);
    assertEquals(0.0, folded.biasOf(1), 1e-12);
  }

  @Test
  void foldedDepthwiseComputesTheSameFunction() {
    qt().withExamples(30)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              TensorShape in = new TensorShape(1, 7, 6, 5);
              FloatLayer layer =
                  TestLayers.depthwise(
                      r,
                      in,
                      1 + r.nextInt(2),
                      TestLayers.batchNorm(r, 5),
                      Activation.RELU6,
                      r.nextBoolean());
              double[] x = TestLayers.input(r, in, -3, 3);
              double[] expected = DirectConvolution.run(layer, x);
              double[] actual = DirectConvolution.run(BatchNormFold.fold(layer), x);
              assertTrue(DirectConvolution.relativeError(expected, actual) < 1e-12);
            });
  }

  @Test
  void foldsBatchNormOnARegularConvolutionPerOutputChannel() {
    Random r = new Random(7);
    TensorShape in = new TensorShape(1, 5, 5, 3);
    FloatLayer conv =
        FloatLayer.conv(
            "c",
            FloatGraph.INPUT,
            in,
            4,
            3,
            2,
            TestLayers.uniform(r, 4 * 9 * 3, -1, 1),
            null,
            Activation.NONE);
    FloatLayer withBn =
        conv.withParameters(conv.filter(), null, TestLayers.batchNorm(r, 4), Activation.NONE);
    double[] x = TestLayers.input(r, in, -1, 1);
    assertTrue(
        DirectConvolution.relativeError(
                DirectConvolution.run(withBn, x),
                DirectConvolution.run(BatchNormFold.fold(withBn), x))
            < 1e-12);
  }

  @Test
  void leavesLayersWithoutBatchNormAlone() {
    Random r = new Random(1);
    FloatLayer pw =
        TestLayers.pointwise(r, FloatGraph.INPUT, new TensorShape(1, 2, 2, 3), 4, Activation.RELU);
    assertSame(pw, BatchNormFold.fold(pw));
    FloatGraph g = new FloatGraph(pw.inputShape(), List.of(pw));
    assertSame(pw, BatchNormFold.fold(g).layer("pw"));
  }
}
