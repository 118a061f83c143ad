package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.npusim.isa.Csr.OutputType;
import dev.npusim.isa.Csr.RequantMode;
import dev.npusim.isa.Csr.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast engine's requantization ({@link FusedEpilogue#vrq}: {@link VectorEpilogue} for whole
 * vector steps, the scalar lanes for the rest) against the interpreter's {@link Datapath#vrq} (and
 * its {@code vbias} against {@link Datapath#vbias}): outputs, the lanes above vl, and saturation
 * and clamp counts, for both modes and every rounding. Every combination of edge accumulators,
 * multipliers and shifts; every edge float scale (NaN payloads, infinities, zeros, subnormals,
 * Float.MAX_VALUE, scales whose products tie); and random lanes, zero points, clamps, types and
 * vector lengths.
 */
class VectorEpilogueProperties {
  private static final int LANES = 64;

  @Test
  void theVectorStepsCoverTheLanes() {
    assertTrue(Datapath.VECTOR_LANES, "surefire's argLine adds --add-modules jdk.incubator.vector");
    long[] counts = new long[2];
    int done =
        VectorEpilogue.float32(
            new int[LANES], new long[LANES], new int[LANES], 0, -128, 127, -128, 127, 37, counts);
    // Not vacuous: the vector path did the lanes of whole steps, the scalar tail only the rest.
    assertEquals(37 - 37 % VectorEpilogue.STEP, done);
    assertTrue(done > 0);
  }

  /** Accumulator lanes at the edges of int32, of 48-bit accumulators, and of the rounding. */
  static final long[] EDGE_ACCS = {
    0,
    1,
    -1,
    2,
    -2,
    3,
    -3,
    5,
    -5,
    7,
    -7,
    127,
    -128,
    255,
    1 << 15,
    -(1 << 15),
    (1 << 24) + 1,
    -(1 << 24) - 1,
    (1 << 30) + 5,
    1 << 30,
    -(1 << 30),
    Integer.MAX_VALUE,
    Integer.MAX_VALUE - 1,
    Integer.MIN_VALUE,
    Integer.MIN_VALUE + 1,
    (1L << 31),
    -(1L << 31) - 1,
    (1L << 47) - 1,
    -(1L << 47),
    123456789,
    -987654321,
  };

  static final int[] EDGE_MULTIPLIERS = {
    0,
    1,
    -1,
    1 << 30,
    (1 << 30) + 1,
    (1 << 30) - 1,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    Integer.MIN_VALUE + 1,
    1518500250, // about 2^31 / sqrt(2)
    -1518500250,
    1073741823,
    3,
  };

  @Test
  void q31EdgeAccumulatorsMultipliersAndShiftsGiveTheScalarResults() {
    List<long[]> accs = new ArrayList<>();
    List<int[]> ms = new ArrayList<>();
    List<int[]> ss = new ArrayList<>();
    // Every accumulator x multiplier x shift, LANES at a time.
    long[] acc = new long[LANES];
    int[] m = new int[LANES];
    int[] s = new int[LANES];
    int l = 0;
    for (long a : EDGE_ACCS) {
      for (int mult : EDGE_MULTIPLIERS) {
        for (int shift = -31; shift <= 31; shift++) {
          acc[l] = a;
          m[l] = mult;
          s[l] = shift;
          if (++l == LANES) {
            accs.add(acc);
            ms.add(m);
            ss.add(s);
            acc = new long[LANES];
            m = new int[LANES];
            s = new int[LANES];
            l = 0;
          }
        }
      }
    }
    for (int i = 0; i < accs.size(); i++) {
      for (RoundingMode rounding : RoundingMode.values()) {
        for (OutputType type : OutputType.values()) {
          for (int zo : new int[] {-128, -5, 0, 98, 255}) {
            compare(accs.get(i), ms.get(i), ss.get(i), rounding, RequantMode.Q31, type, zo, LANES);
            compare(accs.get(i), ms.get(i), ss.get(i), rounding, RequantMode.Q31, type, zo, 29);
          }
        }
      }
    }
  }

  /** Scales at the edges: NaN payloads, infinities, zeros, subnormals, the largest floats. */
  static final float[] EDGE_SCALES = {
    Float.NaN,
    Float.intBitsToFloat(0x7f800001),
    Float.intBitsToFloat(0xffc00000),
    Float.intBitsToFloat(0xffffffff),
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    0.0f,
    -0.0f,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    Float.MIN_NORMAL,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    3.4028235e38f,
    1e14f,
    -1e14f,
    1.0f,
    -1.0f,
    0.5f,
    -0.5f,
    0.25f,
    1.5f,
    0.8333334f,
    0x1p-31f,
    0x1p-11f,
    0x1.fffffep-2f,
    0x1.000002p-1f,
    4.8828125e-4f,
    1e-3f,
  };

  @Test
  void float32EdgeScalesGiveTheScalarResults() {
    long[] acc = new long[LANES];
    int[] m = new int[LANES];
    int[] s = new int[LANES];
    int l = 0;
    for (long a : EDGE_ACCS) {
      for (float scale : EDGE_SCALES) {
        acc[l] = a;
        m[l] = Float.floatToRawIntBits(scale);
        if (++l == LANES) {
          floatCases(acc, m, s);
          l = 0;
        }
      }
    }
    floatCases(acc, m, s);
  }

  /**
   * Products at every tie and around the clamp: acc * 2^-k for every acc in [-2^12, 2^12] and k in
   * 1..4 (all the .5, .25, .75 cases), and accumulators whose products land next to 2^20 and 2^22,
   * where the vector path's clamp and magic-number rounding change.
   */
  @Test
  void float32TiesAndRoundingBoundariesGiveTheScalarResults() {
    long[] acc = new long[LANES];
    int[] m = new int[LANES];
    int[] s = new int[LANES];
    int l = 0;
    List<long[]> pairs = new ArrayList<>();
    for (int k = 1; k <= 4; k++) {
      for (int a = -(1 << 12); a <= 1 << 12; a++) {
        pairs.add(new long[] {a, Float.floatToRawIntBits((float) Math.scalb(1.0, -k))});
      }
    }
    for (int e : new int[] {20, 21, 22, 23, 31}) {
      for (int d = -4; d <= 4; d++) {
        for (float scale : new float[] {0.5f, 1.0f, -1.0f, 0.25f}) {
          long a = (long) ((1L << e) / scale) + d;
          pairs.add(new long[] {a, Float.floatToRawIntBits(scale)});
          pairs.add(new long[] {-a, Float.floatToRawIntBits(scale)});
        }
      }
    }
    for (long[] pair : pairs) {
      acc[l] = pair[0];
      m[l] = (int) pair[1];
      if (++l == LANES) {
        floatCases(acc, m, s);
        l = 0;
      }
    }
    floatCases(acc, m, s);
  }

  private static void floatCases(long[] acc, int[] m, int[] s) {
    for (OutputType type : OutputType.values()) {
      for (int zo : new int[] {-128, -5, 0, 127, 255}) {
        compare(acc, m, s, RoundingMode.TFLITE, RequantMode.FLOAT32, type, zo, LANES);
        compare(acc, m, s, RoundingMode.TFLITE, RequantMode.FLOAT32, type, zo, 13);
      }
    }
  }

  @Test
  void randomLanesGiveTheScalarResults() {
    qt().withExamples(20_000)
        .forAll(longs().all(), integers().between(1, LANES))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              long[] acc = new long[LANES];
              int[] m = new int[LANES];
              int[] s = new int[LANES];
              RequantMode mode = RequantMode.values()[r.nextInt(2)];
              for (int l = 0; l < LANES; l++) {
                acc[l] =
                    switch (r.nextInt(4)) {
                      case 0 -> r.nextInt();
                      case 1 -> r.nextInt(1 << 16) - (1 << 15);
                      case 2 -> EDGE_ACCS[r.nextInt(EDGE_ACCS.length)] + r.nextInt(5) - 2;
                      default -> Datapath.wrap(r.nextLong(), 48);
                    };
                m[l] =
                    mode == RequantMode.FLOAT32 && r.nextBoolean()
                        ? Float.floatToRawIntBits((float) Math.scalb(r.nextFloat(), -r.nextInt(40)))
                        : r.nextInt(3) == 0
                            ? EDGE_MULTIPLIERS[r.nextInt(EDGE_MULTIPLIERS.length)]
                            : r.nextInt();
                s[l] = r.nextInt(63) - 31;
              }
              OutputType type = OutputType.values()[r.nextInt(2)];
              int lo = r.nextInt(384) - 128;
              int hi = r.nextInt(384) - 128;
              compare(
                  acc,
                  m,
                  s,
                  RoundingMode.values()[r.nextInt(3)],
                  mode,
                  type,
                  r.nextInt(384) - 128,
                  Math.min(lo, hi),
                  Math.max(lo, hi),
                  vl);
            });
  }

  @Test
  void biasesGiveTheScalarResults() {
    qt().withExamples(5_000)
        .forAll(longs().all(), integers().between(1, LANES))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              byte[] par = new byte[4 * LANES + 64];
              r.nextBytes(par);
              int addr = r.nextInt(64);
              int bits = new int[] {32, 40, 48}[r.nextInt(3)];
              AccumulatorFile expected =
                  new AccumulatorFile(LANES, bits, dev.npusim.isa.Csr.AccumulatorMode.WRAP);
              AccumulatorFile got =
                  new AccumulatorFile(LANES, bits, dev.npusim.isa.Csr.AccumulatorMode.WRAP);
              for (int l = 0; l < LANES; l++) {
                expected.lanes[3][l] = got.lanes[3][l] = r.nextLong() >> 20;
              }
              expected.bound[3] = got.bound[3] = 1L << 43;
              // With width tracking (the study's cumulative runs) the biases' watermark is folded
              // into the one the run has so far: a few low bits, or none.
              expected.trackWidth = got.trackWidth = r.nextBoolean();
              expected.magnitudeBits = got.magnitudeBits = r.nextBoolean() ? 0 : r.nextInt(16);
              if (r.nextInt(4) == 0) {
                // Small biases, so that the watermark's top bit comes from every lane in turn.
                for (int l = 0; l < LANES; l++) {
                  int v = r.nextInt() >> r.nextInt(32);
                  word(par, addr + 4 * l, l == r.nextInt(LANES) ? Integer.MIN_VALUE : v);
                }
              }
              Datapath.vbias(expected, 3, par, addr, vl);
              FusedEpilogue.vbias(got, 3, par, addr, vl);
              assertArrayEquals(expected.lanes[3], got.lanes[3]);
              assertEquals(expected.bound[3], got.bound[3]);
              assertEquals(expected.magnitudeBits, got.magnitudeBits);
            });
  }

  /** Little-endian int32 at {@code at}, as the scratchpads hold parameters. */
  private static void word(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >> 8);
    b[at + 2] = (byte) (v >> 16);
    b[at + 3] = (byte) (v >> 24);
  }

  @Test
  void storesGiveTheScalarResults() {
    qt().withExamples(5_000)
        .forAll(longs().all(), integers().between(1, LANES))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int[] v = new int[LANES];
              for (int l = 0; l < LANES; l++) {
                v[l] = r.nextBoolean() ? r.nextInt(384) - 128 : r.nextInt();
              }
              byte[] expected = new byte[LANES + 64];
              r.nextBytes(expected);
              byte[] got = expected.clone();
              int addr = r.nextInt(64);
              Datapath.vst(expected, addr, v, vl);
              FusedEpilogue.vst(got, addr, v, vl);
              assertArrayEquals(expected, got);
            });
  }

  private static void compare(
      long[] acc,
      int[] m,
      int[] s,
      RoundingMode rounding,
      RequantMode mode,
      OutputType type,
      int zo,
      int vl) {
    compare(acc, m, s, rounding, mode, type, zo, type.min(), type.max(), vl);
    // A clamp inside the type (ReLU6-like), and one wider than it.
    compare(acc, m, s, rounding, mode, type, zo, type.min() + 10, type.max() - 100, vl);
    compare(acc, m, s, rounding, mode, type, zo, -128, 255, vl);
  }

  private static void compare(
      long[] acc,
      int[] m,
      int[] s,
      RoundingMode rounding,
      RequantMode mode,
      OutputType type,
      int zo,
      int clampMin,
      int clampMax,
      int vl) {
    int[] expected = new int[LANES];
    int[] got = new int[LANES];
    Arrays.fill(expected, 77);
    Arrays.fill(got, 77);
    long[] expectedCounts = {3, 4};
    long[] gotCounts = {3, 4};
    Datapath.vrq(
        expected, acc, m, s, rounding, mode, type, zo, clampMin, clampMax, vl, expectedCounts);
    FusedEpilogue.vrq(got, acc, m, s, rounding, mode, type, zo, clampMin, clampMax, vl, gotCounts);
    String what =
        mode
            + " "
            + rounding
            + " "
            + type
            + " zo "
            + zo
            + " clamp ["
            + clampMin
            + ", "
            + clampMax
            + "] vl "
            + vl
            + "\nacc "
            + Arrays.toString(acc)
            + "\nm "
            + Arrays.toString(m)
            + "\ns "
            + Arrays.toString(s);
    assertArrayEquals(expected, got, what);
    assertArrayEquals(expectedCounts, gotCounts, what);
  }
}
