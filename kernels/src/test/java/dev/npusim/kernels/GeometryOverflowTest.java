package dev.npusim.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npusim.kernels.graph.Padding;
import org.junit.jupiter.api.Test;

/** Issue 12: shape arithmetic near 2^31 is an error or exact, never a wrapped plausible size. */
class GeometryOverflowTest {
  @Test
  void paddingNear2Pow31IsAnErrorNotAWrappedSize() {
    // (4 + (2^31 - 1) + (2^31 - 1) - 1) / 1 + 1 = 2^32 + 2 rows: no int holds it. In int
    // arithmetic 4 + 2 * (2^31 - 1) wrapped to 2, and the output had 2 rows.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> QuantizedLayer.outputSize(4, 1, 1, 1, Integer.MAX_VALUE, Integer.MAX_VALUE));
    assertEquals(
        "output size 4294967298 does not fit in 32 bits (input 4, padding 2147483647 +"
            + " 2147483647, kernel 1, dilation 1)",
        e.getMessage());
  }

  @Test
  void aDilatedKernelWiderThanTheInputGivesNoOutput() {
    // Extent (5 - 1) * 2^30 + 1 = 2^32 + 1 > 8: no output row. In int, 4 * 2^30 wrapped to 0, the
    // extent became 1 and the output had 8 rows.
    assertEquals(0, QuantizedLayer.outputSize(8, 5, 1, 1 << 30, 0, 0));
  }

  @Test
  void filterElementCountsThatOverflowAreErrors() {
    // 65536 x 65536 = 2^32, which wrapped to 0 in int.
    assertThrows(
        IllegalArgumentException.class,
        () -> QuantizedLayer.filterElements(LayerKind.FULLY_CONNECTED, 1 << 16, 1 << 16, 1, 1));
    assertEquals(3 * 3 * 8 * 4, QuantizedLayer.filterElements(LayerKind.CONV2D, 4, 8, 3, 3));
  }

  @Test
  void samePaddingOfAHugeInputIsExact() {
    // H = 2^31 - 1, kernel 3, stride 2: out = ceil(H / 2) = 2^30, total padding
    // (2^30 - 1) * 2 + 3 - (2^31 - 1) = 2, split 1 / 1. In int, H + stride - 1 overflowed.
    // W = 1, kernel 1, stride 1: no padding.
    Padding p = Padding.tfSame(Integer.MAX_VALUE, 1, 3, 1, 2, 1);
    assertEquals(1, p.top());
    assertEquals(1, p.bottom());
    assertEquals(0, p.left());
    assertEquals(0, p.right());
  }
}
