package dev.npusim.kernels.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PaddingTest {

  // Expected values by hand from TF's SAME rule: out = ceil(in / s),
  // total = max((out - 1) * s + k - in, 0), top = total / 2, bottom = the rest.

  @Test
  void stride2On3x3EvenInputPadsOnlyBottomAndRight() {
    // in 512: out 256, total (255 * 2 + 3 - 512) = 1 -> 0 before, 1 after.
    assertEquals(new Padding(0, 1, 0, 1), Padding.tfSame(512, 512, 3, 3, 2, 2));
    // in 2 (Prediction conv 7's input): out 1, total (0 + 3 - 2) = 1.
    assertEquals(new Padding(0, 1, 0, 1), Padding.tfSame(2, 2, 3, 3, 2, 2));
  }

  @Test
  void stride1On3x3PadsOneEachSide() {
    assertEquals(new Padding(1, 1, 1, 1), Padding.tfSame(32, 32, 3, 3, 1, 1));
  }

  @Test
  void oneByOneNeedsNoPadding() {
    assertEquals(Padding.NONE, Padding.tfSame(16, 16, 1, 1, 1, 1));
  }

  @Test
  void stride2OnOddInputSplitsEvenly() {
    // in 5: out 3, total (2 * 2 + 3 - 5) = 2 -> 1 and 1.
    assertEquals(new Padding(1, 1, 1, 1), Padding.tfSame(5, 5, 3, 3, 2, 2));
  }

  @Test
  void rejectsNegativePadding() {
    assertThrows(IllegalArgumentException.class, () -> new Padding(-1, 0, 0, 0));
  }
}
