package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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

  // The fast engine's tracked kernels: exact int partial sums in program order, the watermark of
  // each instruction's partial sums, lanes below covered(vl) only (the caller does the rest).

  /** Offset (w - zw) operands, as a fused block's weight rows hold them. */
  static int[] offsets(Random r, int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(767) - 383;
    }
    return v;
  }

  @Test
  void dot4TrackedSeesEveryVdot4() {
    qt().withExamples(1_000)
        .forAll(integers().all(), integers().between(1, 40))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int lanes = vl + r.nextInt(9);
              int m = 1 + r.nextInt(8);
              int n = 4 * (1 + r.nextInt(6));
              int rowCount = 1 + r.nextInt(n);
              int[] w = offsets(r, rowCount * lanes);
              int[] rows = new int[n];
              for (int t = 0; t < n; t++) {
                rows[t] = r.nextInt(rowCount) * lanes;
              }
              int[] a = offsets(r, m * n);
              // Raw rows, as loaded, and the zero points the kernel subtracts from them.
              int[] zw = bytes(r, lanes, r.nextBoolean());
              int[] acc = new int[m * lanes];
              for (int i = 0; i < acc.length; i++) {
                acc[i] = r.nextInt(1 << 20) - (1 << 19);
              }
              int covered = VectorLanes.covered(vl);
              int[] expected = acc.clone();
              long expectedBits = 0;
              for (int i = 0; i < m; i++) {
                for (int l = 0; l < covered; l++) {
                  long v = expected[i * lanes + l];
                  for (int t = 0; t < n; t++) {
                    v += (long) a[i * n + t] * (w[rows[t] + l] - zw[l]);
                    if (t % 4 == 3) {
                      expectedBits |= bits(v);
                    }
                  }
                  expected[i * lanes + l] = (int) v;
                }
              }
              // The accumulators in registers of their own, in a random order, among others.
              List<Integer> order = new ArrayList<>();
              for (int d = 0; d < 8; d++) {
                order.add(d);
              }
              Collections.shuffle(order, r);
              int[] accs = new int[m];
              long[][] regs = new long[8][lanes];
              long[][] expectedRegs = new long[8][lanes];
              for (int d = 0; d < 8; d++) {
                for (int l = 0; l < lanes; l++) {
                  regs[d][l] = expectedRegs[d][l] = r.nextInt(1 << 20) - (1 << 19);
                }
              }
              for (int i = 0; i < m; i++) {
                accs[i] = order.get(i);
                for (int l = 0; l < lanes; l++) {
                  regs[accs[i]][l] = acc[i * lanes + l];
                  expectedRegs[accs[i]][l] = expected[i * lanes + l];
                }
              }
              int got = VectorLanes.dot4Tracked(regs, accs, a, n, m, w, rows, zw, vl);
              assertArrayEquals(expectedRegs, regs);
              assertEquals(expectedBits, got);
            });
  }

  /**
   * The direct blocks' tracked kernel: weight rows as bytes at any address in a scratchpad (vld.u8
   * or vld.s8), up to 12 accumulators (groups of eight and the rest), the watermark after every
   * four terms, against long arithmetic written out here.
   */
  @Test
  void dot4TrackedBytesSeesEveryVdot4() {
    qt().withExamples(1_000)
        .forAll(integers().all(), integers().between(1, 40))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int lanes = vl + r.nextInt(9);
              int m = 1 + r.nextInt(12);
              int n = 4 * (1 + r.nextInt(8));
              boolean signed = r.nextBoolean();
              byte[] sp = new byte[256 + lanes];
              r.nextBytes(sp);
              int[] rowAt = new int[n];
              for (int t = 0; t < n; t++) {
                rowAt[t] = r.nextInt(257);
              }
              int[] a = offsets(r, m * n);
              int[] zw = bytes(r, lanes, r.nextBoolean());
              int covered = VectorLanes.covered(vl);
              long[][] regs = new long[12][lanes];
              for (int d = 0; d < 12; d++) {
                for (int l = 0; l < lanes; l++) {
                  regs[d][l] = r.nextInt(1 << 20) - (1 << 19);
                }
              }
              List<Integer> order = new ArrayList<>();
              for (int d = 0; d < 12; d++) {
                order.add(d);
              }
              Collections.shuffle(order, r);
              int[] accs = new int[m];
              long[][] expected = new long[12][];
              for (int d = 0; d < 12; d++) {
                expected[d] = regs[d].clone();
              }
              long expectedBits = 0;
              for (int i = 0; i < m; i++) {
                accs[i] = order.get(i);
                for (int l = 0; l < covered; l++) {
                  long v = expected[accs[i]][l];
                  for (int t = 0; t < n; t++) {
                    int wb = signed ? sp[rowAt[t] + l] : Byte.toUnsignedInt(sp[rowAt[t] + l]);
                    v += (long) a[i * n + t] * (wb - zw[l]);
                    if (t % 4 == 3) {
                      expectedBits |= bits(v);
                    }
                  }
                  expected[accs[i]][l] = v;
                }
              }
              int got =
                  VectorLanes.dot4TrackedBytes(
                      regs, accs, a, n, m, sp, rowAt, signed ? -1 : 0xFF, zw, vl);
              assertArrayEquals(expected, regs);
              assertEquals(expectedBits, got);
            });
  }

  @Test
  void termsTrackedSeesEveryInstruction() {
    qt().withExamples(1_000)
        .forAll(integers().all(), integers().between(1, 40))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int[] ops = new int[1 + r.nextInt(8)];
              int n = 0;
              for (int k = 0; k < ops.length; k++) {
                ops[k] = r.nextBoolean() ? 4 : 1;
                n += ops[k];
              }
              int rowCount = 1 + r.nextInt(n);
              int[] w = offsets(r, rowCount * 48);
              int[] rows = new int[n];
              for (int t = 0; t < n; t++) {
                rows[t] = r.nextInt(rowCount) * 48;
              }
              int[] a = offsets(r, n);
              int[] acc = offsets(r, 48);
              int covered = VectorLanes.covered(vl);
              int[] expected = acc.clone();
              long expectedBits = 0;
              for (int l = 0; l < covered; l++) {
                long v = expected[l];
                int t = 0;
                for (int op : ops) {
                  for (int q = 0; q < op; q++, t++) {
                    v += (long) a[t] * w[rows[t] + l];
                  }
                  expectedBits |= bits(v);
                }
                expected[l] = (int) v;
              }
              int got = VectorLanes.termsTracked(acc, a, ops, w, rows, vl);
              assertArrayEquals(expected, acc);
              assertEquals(expectedBits, got);
            });
  }

  @Test
  void macsTrackedSeesEveryVmac() {
    qt().withExamples(1_000)
        .forAll(integers().all(), integers().between(1, 40))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int count = 1 + r.nextInt(9);
              int[] in = bytes(r, 10 * 48, r.nextBoolean());
              int[] w = offsets(r, 10 * 48);
              int[] inAt = new int[count];
              int[] wAt = new int[count];
              for (int j = 0; j < count; j++) {
                inAt[j] = r.nextInt(10) * 48;
                wAt[j] = r.nextInt(10) * 48;
              }
              int zx = r.nextInt(384) - 128;
              int[] acc = offsets(r, 48);
              int covered = VectorLanes.covered(vl);
              int[] expected = acc.clone();
              long expectedBits = 0;
              for (int l = 0; l < covered; l++) {
                long v = expected[l];
                for (int j = 0; j < count; j++) {
                  v += (long) (in[inAt[j] + l] - zx) * w[wAt[j] + l];
                  expectedBits |= bits(v);
                }
                expected[l] = (int) v;
              }
              int got = VectorLanes.macsTracked(acc, in, inAt, zx, w, wAt, vl);
              assertArrayEquals(expected, acc);
              assertEquals(expectedBits, got);
            });
  }

  /**
   * The depthwise pixel's kernels against a direct loop: rows in several arrays at several offsets,
   * zw subtracted per lane, on long accumulator lanes that hold ints; with tracking, every vmac's
   * partial sums in the watermark.
   */
  @Test
  void vmacsSeeEveryVmac() {
    qt().withExamples(1_000)
        .forAll(integers().all(), integers().between(1, 40))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              int count = 1 + r.nextInt(9);
              int[][] arrays = {bytes(r, 10 * 48, r.nextBoolean()), bytes(r, 48, true)};
              int[][] inRow = new int[count][];
              int[] inOff = new int[count];
              int[][] wRow = new int[count][];
              int[] wOff = new int[count];
              for (int j = 0; j < count; j++) {
                int k = r.nextInt(2);
                inRow[j] = arrays[k];
                inOff[j] = k == 0 ? r.nextInt(10) * 48 : 0;
                k = r.nextInt(2);
                wRow[j] = arrays[k];
                wOff[j] = k == 0 ? r.nextInt(10) * 48 : 0;
              }
              int zx = r.nextInt(384) - 128;
              int[] zw = bytes(r, 48, r.nextBoolean());
              long[] acc = new long[48];
              for (int l = 0; l < 48; l++) {
                acc[l] = r.nextInt(1 << 20) - (1 << 19);
              }
              int covered = VectorLanes.covered(vl);
              long[] expected = acc.clone();
              long expectedBits = 0;
              for (int l = 0; l < covered; l++) {
                long v = expected[l];
                for (int j = 0; j < count; j++) {
                  v += (long) (inRow[j][inOff[j] + l] - zx) * (wRow[j][wOff[j] + l] - zw[l]);
                  expectedBits |= bits(v);
                }
                expected[l] = v;
              }
              long[] untracked = acc.clone();
              VectorLanes.vmacs(untracked, inRow, inOff, zx, wRow, wOff, zw, vl);
              assertArrayEquals(expected, untracked);
              int got = VectorLanes.vmacsTracked(acc, inRow, inOff, zx, wRow, wOff, zw, vl);
              assertArrayEquals(expected, acc);
              assertEquals(expectedBits, got);
            });
  }

  @Test
  void narrowAndWidenMoveIntLanes() {
    qt().withExamples(500)
        .forAll(integers().all(), integers().between(1, 40))
        .checkAssert(
            (seed, vl) -> {
              Random r = new Random(seed);
              long[] from = new long[40];
              for (int l = 0; l < 40; l++) {
                from[l] = r.nextInt();
              }
              int at = r.nextInt(8);
              int[] to = new int[48];
              int[] expected = new int[48];
              int covered = VectorLanes.narrow(from, to, at, vl);
              assertEquals(VectorLanes.covered(vl), covered);
              for (int l = 0; l < covered; l++) {
                expected[at + l] = (int) from[l];
              }
              assertArrayEquals(expected, to);
              long[] back = new long[40];
              long[] expectedBack = new long[40];
              assertEquals(covered, VectorLanes.widen(to, at, back, vl));
              for (int l = 0; l < covered; l++) {
                expectedBack[l] = to[at + l];
              }
              assertArrayEquals(expectedBack, back);
            });
  }
}
