package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API MAC loops give exactly what plain loops give, for every vector length (including
 * lengths that leave a scalar tail) and for the width watermark. The tests run with {@code
 * jdk.incubator.vector} present, so the whole suite exercises the vector path as well.
 */
class VectorLanesProperties {
  @Test
  void theTestJvmUsesTheVectorPath() {
    assertTrue(Datapath.VECTOR_LANES, "surefire's argLine adds --add-modules jdk.incubator.vector");
  }

  static int[] bytes(Random r, int n, boolean signed) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = signed ? r.nextInt(256) - 128 : r.nextInt(256);
    }
    return v;
  }

  static long[] accumulators(Random r, int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt(1 << 24) - (1 << 23);
    }
    return a;
  }

  static long bits(long v) {
    return v ^ (v >> 63);
  }

  @Test
  void dot4() {
    qt().withExamples(2_000)
        .forAll(integers().all(), integers().between(1, 64))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int[][] w = {
                bytes(r, 64, true), bytes(r, 64, false), bytes(r, 64, true), bytes(r, 64, true)
              };
              int[] zw = bytes(r, 64, r.nextBoolean());
              int[] a = {
                r.nextInt(511) - 255,
                r.nextInt(511) - 255,
                r.nextInt(511) - 255,
                r.nextInt(511) - 255
              };
              long[] acc = accumulators(r, 64);
              long[] expected = acc.clone();
              long expectedBits = 0;
              for (int l = 0; l < vl; l++) {
                long dot = 0;
                for (int k = 0; k < 4; k++) {
                  dot += (long) a[k] * (w[k][l] - zw[l]);
                }
                expected[l] += dot;
                expectedBits |= bits(expected[l]);
              }
              long got =
                  VectorLanes.dot4(
                      acc, a[0], a[1], a[2], a[3], w[0], w[1], w[2], w[3], zw, vl, true);
              assertArrayEquals(expected, acc);
              assertEquals(expectedBits, got);
            });
  }

  @Test
  void macAndBroadcastMac() {
    qt().withExamples(2_000)
        .forAll(integers().all(), integers().between(1, 64))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int[] va = bytes(r, 64, r.nextBoolean());
              int[] vb = bytes(r, 64, r.nextBoolean());
              int[] zw = bytes(r, 64, r.nextBoolean());
              int zx = r.nextInt(384) - 128;
              long[] acc = accumulators(r, 64);
              long[] expected = acc.clone();
              long expectedBits = 0;
              for (int l = 0; l < vl; l++) {
                expected[l] += (long) (va[l] - zx) * (vb[l] - zw[l]);
                expectedBits |= bits(expected[l]);
              }
              long got = VectorLanes.mac(acc, va, vb, zx, zw, vl, true);
              assertArrayEquals(expected, acc);
              assertEquals(expectedBits, got);

              int xo = va[0] - zx;
              long[] acc2 = accumulators(r, 64);
              long[] expected2 = acc2.clone();
              for (int l = 0; l < vl; l++) {
                expected2[l] += (long) xo * (vb[l] - zw[l]);
              }
              assertEquals(0L, VectorLanes.macBroadcast(acc2, xo, vb, zw, vl, false));
              assertArrayEquals(expected2, acc2);
            });
  }
}
