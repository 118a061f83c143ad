package dev.npusim.models.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatOp;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.graph.Padding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The imported graphs' layer kinds in the float executor, each worked by hand. */
class ImportedOpsTest {
  private static final TensorShape S3X3 = new TensorShape(1, 3, 3, 1);

  private static FloatTensor t(TensorShape shape, double... v) {
    return FloatTensor.copyOf(shape, v);
  }

  private static double[] values(FloatTensor t) {
    return t.toArray();
  }

  private static final double[] NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

  @Test
  void averagePoolSameCountsOnlyPixelsInside() {
    // 2x2 windows, stride 2, SAME on 3x3: padding 0 top/left, 1 bottom/right. Windows:
    // (0,0) {1,2,4,5} -> 3; (0,1) {3,6} -> 4.5; (1,0) {7,8} -> 7.5; (1,1) {9} -> 9.
    FloatLayer pool =
        FloatLayer.weightless(
            "p",
            FloatOp.AVERAGE_POOL,
            FloatGraph.INPUT,
            null,
            S3X3,
            new TensorShape(1, 2, 2, 1),
            2,
            2,
            2,
            2,
            Padding.tfSame(3, 3, 2, 2, 2, 2),
            Activation.NONE,
            0);
    assertArrayEquals(
        new double[] {3, 4.5, 7.5, 9}, values(FloatGraphExecutor.runLayer(pool, t(S3X3, NINE))), 0);
  }

  @Test
  void maxPoolValidThenRelu6() {
    // 2x2 windows stride 1 VALID on 3x3 times 2 (2..18): maxima 10, 12, 16, 18, clipped to 6;
    // on the negated input the maxima are -2, -4, -8, -10, which the ReLU takes to 0.
    FloatLayer pool =
        FloatLayer.weightless(
            "p",
            FloatOp.MAX_POOL,
            FloatGraph.INPUT,
            null,
            S3X3,
            new TensorShape(1, 2, 2, 1),
            2,
            2,
            1,
            1,
            Padding.NONE,
            Activation.RELU6,
            0);
    double[] doubled = new double[9];
    double[] negated = new double[9];
    for (int i = 0; i < 9; i++) {
      doubled[i] = 2 * NINE[i];
      negated[i] = -2 * NINE[i];
    }
    assertArrayEquals(
        new double[] {6, 6, 6, 6}, values(FloatGraphExecutor.runLayer(pool, t(S3X3, doubled))), 0);
    assertArrayEquals(
        new double[] {0, 0, 0, 0}, values(FloatGraphExecutor.runLayer(pool, t(S3X3, negated))), 0);
    FloatLayer plain =
        FloatLayer.weightless(
            "p",
            FloatOp.MAX_POOL,
            FloatGraph.INPUT,
            null,
            S3X3,
            new TensorShape(1, 2, 2, 1),
            2,
            2,
            1,
            1,
            Padding.NONE,
            Activation.NONE,
            0);
    assertArrayEquals(
        new double[] {-2, -4, -8, -10},
        values(FloatGraphExecutor.runLayer(plain, t(S3X3, negated))),
        0);
  }

  @Test
  void residualAddInAGraph() {
    // x -> conv 1x1 (weight 2, bias 1) -> a; add(a, x) with ReLU: 2x + 1 + x = 3x + 1, so
    // x = -1 gives 0 after the ReLU (from -2), x = 2 gives 7.
    TensorShape s = new TensorShape(1, 1, 2, 1);
    FloatLayer conv =
        new FloatLayer(
            "a",
            LayerKind.CONV2D,
            FloatGraph.INPUT,
            s,
            s,
            1,
            1,
            1,
            1,
            Padding.NONE,
            ImmutableDoubleArray.of(2),
            ImmutableDoubleArray.of(1),
            null,
            Activation.NONE);
    FloatLayer add =
        FloatLayer.weightless(
            "sum",
            FloatOp.ADD,
            "a",
            FloatGraph.INPUT,
            s,
            s,
            1,
            1,
            1,
            1,
            Padding.NONE,
            Activation.RELU,
            0);
    FloatGraph g = new FloatGraph(s, List.of(conv, add));
    assertTrue(g.consumers(FloatGraph.INPUT).contains(add));
    assertArrayEquals(
        new double[] {0, 7}, values(new FloatGraphExecutor(g).run(t(s, -1, 2)).get("sum")), 0);
  }

  @Test
  void reshapeFullyConnectedAndSoftmax() {
    // (1,1,2,2) reshaped to (1,1,1,4); FC [2 x 4] rows (1,0,0,0) and (0,1,1,1), bias (0, -1):
    // on (1, 2, 3, 4) gives (1, 8); softmax with beta 0.5 of (1, 8): exp(0.5) and exp(4) over their
    // sum, i.e. 1 / (1 + e^3.5) and e^3.5 / (1 + e^3.5).
    TensorShape in = new TensorShape(1, 1, 2, 2);
    TensorShape flat = new TensorShape(1, 1, 1, 4);
    TensorShape two = new TensorShape(1, 1, 1, 2);
    FloatLayer reshape =
        FloatLayer.weightless(
            "r",
            FloatOp.RESHAPE,
            FloatGraph.INPUT,
            null,
            in,
            flat,
            1,
            1,
            1,
            1,
            Padding.NONE,
            Activation.NONE,
            0);
    FloatLayer fc =
        new FloatLayer(
            "fc",
            LayerKind.FULLY_CONNECTED,
            "r",
            flat,
            two,
            1,
            1,
            1,
            1,
            Padding.NONE,
            ImmutableDoubleArray.of(1, 0, 0, 0, 0, 1, 1, 1),
            ImmutableDoubleArray.of(0, -1),
            null,
            Activation.NONE);
    FloatLayer softmax =
        FloatLayer.weightless(
            "s",
            FloatOp.SOFTMAX,
            "fc",
            null,
            two,
            two,
            1,
            1,
            1,
            1,
            Padding.NONE,
            Activation.NONE,
            0.5);
    FloatGraph g = new FloatGraph(in, List.of(reshape, fc, softmax));
    var out = new FloatGraphExecutor(g).run(t(in, 1, 2, 3, 4));
    assertArrayEquals(new double[] {1, 8}, values(out.get("fc")), 0);
    double e = Math.exp(3.5);
    assertArrayEquals(new double[] {1 / (1 + e), e / (1 + e)}, values(out.get("s")), 1e-15);
  }

  @Test
  void depthMultiplierReadsInputChannelOverM() {
    // 1 input channel, multiplier 2: filter 1x1 [KH, KW, OC] = (3, -1): out = (3x, -x).
    TensorShape in = new TensorShape(1, 1, 1, 1);
    FloatLayer dw =
        new FloatLayer(
            "d",
            LayerKind.DEPTHWISE_CONV2D,
            FloatGraph.INPUT,
            in,
            new TensorShape(1, 1, 1, 2),
            1,
            1,
            1,
            1,
            Padding.NONE,
            ImmutableDoubleArray.of(3, -1),
            null,
            null,
            Activation.NONE);
    assertArrayEquals(new double[] {6, -2}, values(FloatGraphExecutor.runLayer(dw, t(in, 2))), 0);
  }

  @Test
  void badImportedLayersAreRefusedWithTheirName() {
    TensorShape s = new TensorShape(1, 1, 2, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                FloatLayer.weightless(
                    "sum",
                    FloatOp.ADD,
                    FloatGraph.INPUT,
                    null,
                    s,
                    s,
                    1,
                    1,
                    1,
                    1,
                    Padding.NONE,
                    Activation.NONE,
                    0));
    assertTrue(e.getMessage().contains("layer sum") && e.getMessage().contains("second input"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                FloatLayer.weightless(
                    "s",
                    FloatOp.SOFTMAX,
                    FloatGraph.INPUT,
                    null,
                    s,
                    s,
                    1,
                    1,
                    1,
                    1,
                    Padding.NONE,
                    Activation.NONE,
                    0));
    assertTrue(e.getMessage().contains("beta"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                FloatLayer.weightless(
                    "r",
                    FloatOp.RESHAPE,
                    FloatGraph.INPUT,
                    null,
                    s,
                    new TensorShape(1, 1, 1, 3),
                    1,
                    1,
                    1,
                    1,
                    Padding.NONE,
                    Activation.NONE,
                    0));
    assertTrue(e.getMessage().contains("element count"), e.getMessage());
  }
}
