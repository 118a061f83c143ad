package dev.npusim.kernels.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.TensorShape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationRewriteTest {

  @Test
  void turnsEveryRelu6IntoReluAndKeepsTheRest() {
    Random r = new Random(4);
    TensorShape in = new TensorShape(1, 4, 4, 3);
    FloatLayer a =
        FloatLayer.conv(
            "a",
            FloatGraph.INPUT,
            in,
            3,
            1,
            1,
            TestLayers.uniform(r, 9, -1, 1),
            null,
            Activation.RELU6);
    FloatLayer b =
        FloatLayer.conv(
            "b", "a", in, 3, 1, 1, TestLayers.uniform(r, 9, -1, 1), null, Activation.NONE);
    FloatLayer c =
        FloatLayer.conv(
            "c", "b", in, 3, 1, 1, TestLayers.uniform(r, 9, -1, 1), null, Activation.RELU);
    FloatLayer d =
        FloatLayer.conv(
            "d",
            "c",
            in,
            3,
            1,
            1,
            TestLayers.uniform(r, 9, -1, 1),
            null,
            Activation.reluClipPerChannel(ImmutableDoubleArray.of(1, 2, 3)));
    FloatGraph g = ActivationRewrite.relu6ToRelu(new FloatGraph(in, List.of(a, b, c, d)));
    assertEquals(Activation.RELU, g.layer("a").activation());
    assertEquals(Activation.NONE, g.layer("b").activation());
    assertEquals(Activation.RELU, g.layer("c").activation());
    assertEquals(Activation.RELU, g.layer("d").activation());
    assertEquals(a.filter(), g.layer("a").filter());
  }

  @Test
  void activationsComputeTheirDefinitions() {
    assertEquals(-7.5, Activation.NONE.apply(-7.5, 0));
    assertEquals(0.0, Activation.RELU.apply(-7.5, 0));
    assertEquals(7.5, Activation.RELU.apply(7.5, 0));
    assertEquals(6.0, Activation.RELU6.apply(7.5, 0));
    assertEquals(5.5, Activation.RELU6.apply(5.5, 0));
    Activation clip = Activation.reluClipPerChannel(ImmutableDoubleArray.of(1, 2));
    assertEquals(1.0, clip.apply(1.5, 0));
    assertEquals(1.5, clip.apply(1.5, 1));
    assertEquals(0.0, clip.apply(-1.5, 1));
  }
}
