package dev.npusim.kernels.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.kernels.TensorShape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatGraphTest {
  private final Random r = new Random(8);
  private final TensorShape in = new TensorShape(1, 8, 8, 3);

  private FloatLayer conv(String name, String input, TensorShape shape, int oc, int k, int s) {
    return FloatLayer.conv(
        name,
        input,
        shape,
        oc,
        k,
        s,
        TestLayers.uniform(r, oc * k * k * shape.c(), -1, 1),
        null,
        Activation.RELU6);
  }

  @Test
  void wiresLayersAndFindsConsumersAndOutputs() {
    FloatLayer a = conv("a", FloatGraph.INPUT, in, 4, 3, 2); // 8x8 -> 4x4
    FloatLayer b = conv("b", "a", a.outputShape(), 5, 1, 1);
    FloatLayer c = conv("c", "a", a.outputShape(), 2, 3, 2); // 4x4 -> 2x2
    FloatGraph g = new FloatGraph(in, List.of(a, b, c));
    assertEquals(new TensorShape(1, 4, 4, 4), g.shapeOf("a"));
    assertEquals(new TensorShape(1, 2, 2, 2), g.shapeOf("c"));
    assertEquals(List.of(b, c), g.consumers("a"));
    assertEquals(List.of(b, c), g.outputs());
    assertEquals(List.of(a), g.consumers(FloatGraph.INPUT));
    assertEquals(new Padding(0, 1, 0, 1), a.padding());
    // MACs by hand: a = 4*4*4 outputs x 27, b = 4*4*5 x 4, c = 2*2*2 x 36.
    assertEquals(64 * 27 + 80 * 4 + 8 * 36, g.macs());
  }

  @Test
  void rejectsALayerReadingALaterOrUnknownTensor() {
    FloatLayer a = conv("a", FloatGraph.INPUT, in, 4, 3, 2);
    FloatLayer b = conv("b", "a", a.outputShape(), 5, 1, 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new FloatGraph(in, List.of(b, a)));
    assertTrue(e.getMessage().contains("not an earlier layer"), e.getMessage());
  }

  @Test
  void rejectsShapeMismatchAndDuplicateNames() {
    FloatLayer a = conv("a", FloatGraph.INPUT, in, 4, 3, 2);
    FloatLayer wrong = conv("b", "a", new TensorShape(1, 8, 8, 4), 5, 1, 1);
    assertThrows(IllegalArgumentException.class, () -> new FloatGraph(in, List.of(a, wrong)));
    FloatLayer dup = conv("a", "a", a.outputShape(), 4, 1, 1);
    assertThrows(IllegalArgumentException.class, () -> new FloatGraph(in, List.of(a, dup)));
  }

  @Test
  void layerRejectsAWrongFilterSize() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            FloatLayer.conv(
                "a",
                FloatGraph.INPUT,
                in,
                4,
                3,
                1,
                TestLayers.uniform(r, 10, -1, 1),
                null,
                Activation.NONE));
  }
}
