package dev.npusim.models.ssd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SsdPostprocessorTest {

  @Test
  void decodesABoxByModelMdsFormulas() {
    // Anchor [0.2, 0.4, 0.6, 0.5]: h 0.4, w 0.1, centre (0.4, 0.45).
    // ty = 1: centre y = 0.1 * 0.4 + 0.4 = 0.44; tx = -2: centre x = -0.2 * 0.1 + 0.45 = 0.43.
    // th = 0: half height 0.4 / 2 = 0.2; tw = 5 ln 2: half width 2 * 0.1 / 2 = 0.1.
    Box b = SsdPostprocessor.decodeBox(0.2, 0.4, 0.6, 0.5, 1, -2, 0, 5 * Math.log(2));
    assertEquals(0.24, b.yMin(), 1e-12);
    assertEquals(0.33, b.xMin(), 1e-12);
    assertEquals(0.64, b.yMax(), 1e-12);
    assertEquals(0.53, b.xMax(), 1e-12);
  }

  @Test
  void sigmoid() {
    assertEquals(0.5, SsdPostprocessor.sigmoid(0));
    assertEquals(1 / (1 + Math.exp(-2)), SsdPostprocessor.sigmoid(2), 1e-15);
  }

  @Test
  void intersectionOverUnionByHand() {
    // Two unit-height boxes overlapping over half their width: inter 0.5, union 1.5.
    assertEquals(1 / 3.0, new Box(0, 0, 1, 1).iou(new Box(0, 0.5, 1, 1.5)), 1e-15);
    assertEquals(0.0, new Box(0, 0, 1, 1).iou(new Box(2, 2, 3, 3)));
  }

  @Test
  void suppressesOnlyBoxesOverlappingABetterOneByMoreThanHalf() {
    Detection best = new Detection(0.9, new Box(0, 0, 1, 1), 0);
    Detection overlapping = new Detection(0.8, new Box(0, 0.1, 1, 1.1), 1); // IoU 0.9/1.1
    Detection third = new Detection(0.7, new Box(0, 0.5, 1, 1.5), 2); // IoU 1/3 with best
    Detection far = new Detection(0.6, new Box(5, 5, 6, 6), 3);
    assertEquals(
        List.of(best, third, far),
        SsdPostprocessor.nonMaxSuppression(List.of(far, overlapping, third, best), 0.5));
  }
}
