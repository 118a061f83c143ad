package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.isa.Csr.AccumulatorMode;
import org.junit.jupiter.api.Test;

/**
 * {@code vbias} by hand: little-endian words into the lanes below vl, zeros above, the register's
 * bound the largest |bias|, and overflows counted only where a word does not fit the accumulator.
 * Covers both of its paths: accumulators of 32 bits and more (every word fits) and narrower ones.
 */
class DatapathVbiasTest {
  /** Words 1, -1, -2^31 and 0x09090909, little-endian. */
  private static final byte[] PAR = {
    1, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, (byte) 0x80, 9, 9, 9, 9
  };

  @Test
  void wideAccumulatorTakesEveryWord() {
    for (int bits : new int[] {32, 48}) {
      AccumulatorFile af = new AccumulatorFile(4, bits, AccumulatorMode.WRAP);
      af.lanes[2][3] = 77; // above vl: cleared
      Datapath.vbias(af, 2, PAR, 0, 3);
      assertArrayEquals(new long[] {1, -1, -2147483648L, 0}, af.lanes[2]);
      assertEquals(2147483648L, af.bound[2]);
      assertEquals(0, af.overflows);
    }
  }

  @Test
  void wideAccumulatorAtAnOffset() {
    AccumulatorFile af = new AccumulatorFile(2, 32, AccumulatorMode.WRAP);
    Datapath.vbias(af, 0, PAR, 8, 2);
    // 0x09090909 = 151587081.
    assertArrayEquals(new long[] {-2147483648L, 151587081L}, af.lanes[0]);
    assertEquals(2147483648L, af.bound[0]);
  }

  @Test
  void narrowAccumulatorCountsWordsThatDoNotFit() {
    AccumulatorFile af = new AccumulatorFile(4, 24, AccumulatorMode.WRAP);
    Datapath.vbias(af, 1, PAR, 0, 4);
    // -2^31 wraps to 0 in 24 bits; 0x09090909 wraps to 0x090909 = 592137.
    assertArrayEquals(new long[] {1, -1, 0, 592137}, af.lanes[1]);
    assertEquals(592137, af.bound[1]);
    assertEquals(2, af.overflows);
  }

  @Test
  void trackedWidthSeesEveryWord() {
    AccumulatorFile af = new AccumulatorFile(2, 32, AccumulatorMode.WRAP);
    af.trackWidth = true;
    Datapath.vbias(af, 0, PAR, 0, 2);
    // 1 ^ 0 = 1 and -1 ^ -1 = 0: a 2-bit signed width holds both.
    assertEquals(1, af.magnitudeBits);
    assertArrayEquals(new long[] {1, -1}, af.lanes[0]);
  }

  @Test
  void trackedWidthSeesOnlyWordsBelowVl() {
    for (int bits : new int[] {24, 32, 48}) {
      AccumulatorFile af = new AccumulatorFile(2, bits, AccumulatorMode.WRAP);
      af.trackWidth = true;
      // -1 alone: -1 ^ -1 = 0 (a 1-bit signed width holds it); -2^31 above vl is not seen.
      Datapath.vbias(af, 0, PAR, 4, 1);
      assertEquals(0, af.magnitudeBits, bits + " bits");
      // 0x09090909 alone: every bit of it, before the 24-bit accumulator wraps it.
      Datapath.vbias(af, 1, PAR, 12, 1);
      assertEquals(0x09090909L, af.magnitudeBits, bits + " bits");
    }
  }
}
