package dev.npusim.golden.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** TFLite SAME/VALID padding resolved by hand. */
class PaddingTest {

  @Test
  void sameWithEvenTotal() {
    // in 5, k 3, s 2: out = ceil(5/2) = 3; total = (3-1)*2 + 3 - 5 = 2 -> 1 and 1.
    assertEquals(
        new dev.npusim.kernels.graph.Padding(1, 1, 1, 1),
        Padding.same().resolve(5, 5, 3, 3, 2, 2, 1, 1));
  }

  @Test
  void sameWithOddTotalPutsTheExtraRowAtTheBottom() {
    // in 4, k 3, s 2: out 2; total = 2 + 3 - 4 = 1 -> top 0, bottom 1 (and left 0, right 1).
    assertEquals(
        new dev.npusim.kernels.graph.Padding(0, 1, 0, 1),
        Padding.same().resolve(4, 4, 3, 3, 2, 2, 1, 1));
  }

  @Test
  void sameWithDilation() {
    // in 4, k 3, d 2 (extent 5), s 1: out 4; total = 3 + 5 - 4 = 4 -> 2 and 2.
    // Width: in 6, k 2, d 1, s 1: out 6, total 5 + 2 - 6 = 1 -> 0 and 1.
    assertEquals(
        new dev.npusim.kernels.graph.Padding(2, 2, 0, 1),
        Padding.same().resolve(4, 6, 3, 2, 1, 1, 2, 1));
  }

  @Test
  void sameNeverPadsNegatively() {
    // in 6, k 1, s 2: out 3; (3-1)*2 + 1 - 6 = -1 -> 0.
    assertEquals(
        new dev.npusim.kernels.graph.Padding(0, 0, 0, 0),
        Padding.same().resolve(6, 6, 1, 1, 2, 2, 1, 1));
  }

  @Test
  void validIsZeroAndNeedsTheKernelToFit() {
    assertEquals(
        new dev.npusim.kernels.graph.Padding(0, 0, 0, 0),
        Padding.valid().resolve(3, 3, 3, 3, 1, 1, 1, 1));
    // k 2 with dilation 3 spans 4 > 3.
    assertThrows(
        IllegalArgumentException.class, () -> Padding.valid().resolve(3, 3, 2, 1, 1, 1, 3, 1));
  }

  @Test
  void explicitIsKeptWhenTheKernelFits() {
    Padding.Explicit p = Padding.explicit(1, 0, 2, 3);
    assertEquals(
        new dev.npusim.kernels.graph.Padding(1, 0, 2, 3), p.resolve(1, 1, 2, 3, 1, 1, 1, 1));
    assertEquals("[1, 0, 2, 3]", p.toString());
    assertThrows(IllegalArgumentException.class, () -> Padding.explicit(-1, 0, 0, 0));
  }

  @Test
  void parsesCommandLineForms() {
    assertEquals(Padding.same(), Padding.parse("SAME"));
    assertEquals(Padding.valid(), Padding.parse(" valid "));
    assertEquals(Padding.explicit(1, 2, 0, 3), Padding.parse("1, 2,0,3"));
    assertThrows(IllegalArgumentException.class, () -> Padding.parse("1,2,3"));
    assertThrows(IllegalArgumentException.class, () -> Padding.parse("1,2,x,3"));
    assertThrows(IllegalArgumentException.class, () -> Padding.parse("1,2,-1,3"));
  }
}
