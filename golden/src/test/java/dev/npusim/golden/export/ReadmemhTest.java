package dev.npusim.golden.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The {@code $readmemh} text, worked by hand. */
class ReadmemhTest {
  @Test
  void wordsAreLittleEndianAndZeroRunsBecomeAddressRecords() {
    byte[] b = {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0};
    assertEquals("@0\n04030201\n@3\n00000005\n", Readmemh.image(b, 0, 4));
    assertEquals("@0\n0201 0403\n@6\n0005 0000\n", Readmemh.image(b, 0, 2));
    assertEquals("@20\n0000000004030201 0000000500000000\n", Readmemh.image(b, 256, 8));
  }

  @Test
  void aShortLastWordIsPaddedWithZeroBytes() {
    assertEquals("@1\n00ff\n", Readmemh.image(new byte[] {-1}, 2, 2));
  }

  @Test
  void sixteenWordsPerLine() {
    byte[] b = new byte[17];
    java.util.Arrays.fill(b, (byte) 0x11);
    assertEquals("@0\n" + "11 ".repeat(15) + "11\n11\n", Readmemh.image(b, 0, 1));
  }

  @Test
  void programWordsOnePerLine() {
    assertEquals(
        "0308000000000005\n0200000000000000\n",
        Readmemh.words64(new long[] {0x0308000000000005L, 0x0200000000000000L}));
  }

  @Test
  void badWordWidthsAndAddressesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Readmemh.image(new byte[4], 0, 3));
    assertThrows(IllegalArgumentException.class, () -> Readmemh.image(new byte[4], 2, 4));
  }
}
