package dev.npusim.models.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatOp;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.graph.Padding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The float executor's ADD with numpy broadcasting and constant operands, every expected value
 * worked by hand in the comments.
 */
class BroadcastAddTest {
  private static FloatTensor t(TensorShape shape, double... v) {
    return FloatTensor.copyOf(shape, v);
  }

  private static FloatLayer add(TensorShape a, TensorShape b, TensorShape out, Activation act) {
    return FloatLayer.add("sum", "a", a, "b", b, out, act);
  }

  @Test
  void perChannelConstantThroughARelu() {
    // (1, 2, 2, 2) + (1, 1, 1, 2) [10, -5]: every pixel adds 10 to channel 0 and -5 to channel 1.
    // Pixels (1, 2), (3, 4), (5, 6), (7, 8) -> (11, -3), (13, -1), (15, 1), (17, 3); the RELU
    // zeroes -3 and -1.
    TensorShape x = new TensorShape(1, 2, 2, 2);
    TensorShape c = new TensorShape(1, 1, 1, 2);
    FloatTensor out =
        FloatGraphExecutor.runLayer(
            add(x, c, x, Activation.RELU), t(x, 1, 2, 3, 4, 5, 6, 7, 8), t(c, 10, -5));
    assertEquals(x, out.shape());
    assertArrayEquals(new double[] {11, 0, 13, 0, 15, 1, 17, 3}, out.toArray(), 0);
  }

  @Test
  void bothOperandsBroadcast() {
    // (1, 2, 1, 1) [1, 2] + (1, 1, 3, 1) [10, 20, 30] -> (1, 2, 3, 1): row y adds a[y] to each
    // b[x]: 11 21 31 / 12 22 32.
    TensorShape a = new TensorShape(1, 2, 1, 1);
    TensorShape b = new TensorShape(1, 1, 3, 1);
    TensorShape o = new TensorShape(1, 2, 3, 1);
    FloatTensor out =
        FloatGraphExecutor.runLayer(add(a, b, o, Activation.NONE), t(a, 1, 2), t(b, 10, 20, 30));
    assertArrayEquals(new double[] {11, 21, 31, 12, 22, 32}, out.toArray(), 0);
  }

  @Test
  void batchAndHeightBroadcastAcrossChannels() {
    // (2, 1, 1, 3) [1 2 3 | 4 5 6] + (1, 2, 1, 1) [100, 200] -> (2, 2, 1, 3):
    // n0: 101 102 103, 201 202 203; n1: 104 105 106, 204 205 206.
    TensorShape a = new TensorShape(2, 1, 1, 3);
    TensorShape b = new TensorShape(1, 2, 1, 1);
    TensorShape o = new TensorShape(2, 2, 1, 3);
    FloatTensor out =
        FloatGraphExecutor.runLayer(
            add(a, b, o, Activation.NONE), t(a, 1, 2, 3, 4, 5, 6), t(b, 100, 200));
    assertArrayEquals(
        new double[] {101, 102, 103, 201, 202, 203, 104, 105, 106, 204, 205, 206},
        out.toArray(),
        0);
  }

  @Test
  void aGraphConstantFeedsEitherOperandOfAnAdd() {
    // The constant is ADD's first operand here: 0.5 + x, then RELU6 clips 6.5 to 6;
    // x = (-1, 2, 6) on the channels of one pixel, the constant a scalar (1, 1, 1, 1).
    TensorShape x = new TensorShape(1, 1, 1, 3);
    TensorShape scalar = new TensorShape(1, 1, 1, 1);
    FloatLayer layer = FloatLayer.add("sum", "k", scalar, FloatGraph.INPUT, x, x, Activation.RELU6);
    FloatGraph g = new FloatGraph(x, Map.of("k", t(scalar, 0.5)), List.of(layer));
    assertTrue(g.isConstant("k"));
    assertEquals(List.of(layer), g.consumers("k"));
    assertEquals(scalar, g.shapeOf("k"));
    FloatActivations a = new FloatGraphExecutor(g).run(t(x, -1, 2, 6));
    assertArrayEquals(new double[] {0, 2.5, 6}, a.get("sum").toArray(), 0);
  }

  @Test
  void shapesThatDoNotBroadcastOrConstantsOutsideAddAreLocatedErrors() {
    TensorShape a = new TensorShape(1, 4, 4, 8);
    TensorShape b = new TensorShape(1, 1, 1, 3);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> add(a, b, a, Activation.NONE));
    assertTrue(e.getMessage().startsWith("layer sum: input1 shape"), e.getMessage());
    assertTrue(e.getMessage().contains("do not broadcast: dimension 3 (C) is 8 and 3"));
    IllegalArgumentException wrongOutput =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                add(a, new TensorShape(1, 1, 1, 8), new TensorShape(1, 4, 2, 8), Activation.NONE));
    assertEquals(
        "layer sum: ADD of [1, 4, 4, 8] and [1, 1, 1, 8] gives [1, 4, 4, 8], not [1, 4, 2, 8]",
        wrongOutput.getMessage());
    FloatLayer reshape =
        FloatLayer.weightless(
            "r", FloatOp.RESHAPE, "k", null, b, b, 1, 1, 1, 1, Padding.NONE, Activation.NONE, 0);
    IllegalArgumentException notAdd =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FloatGraph(a, Map.of("k", t(b, 1, 2, 3)), List.of(reshape)));
    assertEquals(
        "layer r (RESHAPE) reads the constant k; only ADD reads constants", notAdd.getMessage());
  }
}
