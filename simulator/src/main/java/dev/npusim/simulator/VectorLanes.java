package dev.npusim.simulator;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The MAC loops of {@link Datapath} with JDK 17's (incubating) Vector API: the same integer
 * arithmetic, several lanes per host instruction. With 32 lanes a C2 auto-vectorized loop spends
 * more in its set-up than it saves, while an explicit vector of the host's width runs the MAC
 * several times faster.
 *
 * <p>Used only when the JVM resolves {@code jdk.incubator.vector} (the launcher and the build add
 * it; see {@link Datapath#VECTOR_LANES}); otherwise the scalar loops run. Both give identical
 * results: a property test compares them. Only the no-overflow fast paths are here; the checked
 * paths stay scalar. Products are formed in int lanes (|product| < 2^18, |dot4| < 2^20, exact),
 * then widened to long and added to the accumulators.
 */
final class VectorLanes {
  private VectorLanes() {}

  /** Long lanes of the host's preferred width, and int lanes of the same count. */
  private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;

  private static final VectorSpecies<Integer> INTS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(LONGS.vectorBitSize() / 2));

  private static final int STEP = LONGS.length();

  private static LongVector widen(IntVector v) {
    return (LongVector) v.convertShape(VectorOperators.I2L, LONGS, 0);
  }

  private static long magnitudeBits(LongVector v) {
    return v.lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.ASHR, 63))
        .reduceLanes(VectorOperators.OR);
  }

  /**
   * {@code acc[l] += sum_k a_k * (w_k[l] - zw[l])}; returns the OR of {@code v ^ (v >> 63)} over
   * the new values when {@code track} is set, else 0.
   */
  static long dot4(
      long[] acc,
      int a0,
      int a1,
      int a2,
      int a3,
      int[] w0,
      int[] w1,
      int[] w2,
      int[] w3,
      int[] zw,
      int vl,
      boolean track) {
    long bits = 0;
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      IntVector z = IntVector.fromArray(INTS, zw, l);
      IntVector dot =
          IntVector.fromArray(INTS, w0, l)
              .sub(z)
              .mul(a0)
              .add(IntVector.fromArray(INTS, w1, l).sub(z).mul(a1))
              .add(IntVector.fromArray(INTS, w2, l).sub(z).mul(a2))
              .add(IntVector.fromArray(INTS, w3, l).sub(z).mul(a3));
      LongVector v = LongVector.fromArray(LONGS, acc, l).add(widen(dot));
      v.intoArray(acc, l);
      if (track) {
        bits |= magnitudeBits(v);
      }
    }
    for (; l < vl; l++) {
      int z = zw[l];
      long v = acc[l] + a0 * (w0[l] - z) + a1 * (w1[l] - z) + a2 * (w2[l] - z) + a3 * (w3[l] - z);
      acc[l] = v;
      bits |= track ? v ^ (v >> 63) : 0;
    }
    return bits;
  }

  /** {@code acc[l] += (va[l] - zx) * (vb[l] - zw[l])}; see {@link #dot4} for the return value. */
  static long mac(long[] acc, int[] va, int[] vb, int zx, int[] zw, int vl, boolean track) {
    long bits = 0;
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      IntVector p =
          IntVector.fromArray(INTS, va, l)
              .sub(zx)
              .mul(IntVector.fromArray(INTS, vb, l).sub(IntVector.fromArray(INTS, zw, l)));
      LongVector v = LongVector.fromArray(LONGS, acc, l).add(widen(p));
      v.intoArray(acc, l);
      if (track) {
        bits |= magnitudeBits(v);
      }
    }
    for (; l < vl; l++) {
      long v = acc[l] + (va[l] - zx) * (vb[l] - zw[l]);
      acc[l] = v;
      bits |= track ? v ^ (v >> 63) : 0;
    }
    return bits;
  }

  /** {@code acc[l] += xo * (vb[l] - zw[l])}; see {@link #dot4} for the return value. */
  static long macBroadcast(long[] acc, int xo, int[] vb, int[] zw, int vl, boolean track) {
    long bits = 0;
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      IntVector p = IntVector.fromArray(INTS, vb, l).sub(IntVector.fromArray(INTS, zw, l)).mul(xo);
      LongVector v = LongVector.fromArray(LONGS, acc, l).add(widen(p));
      v.intoArray(acc, l);
      if (track) {
        bits |= magnitudeBits(v);
      }
    }
    for (; l < vl; l++) {
      long v = acc[l] + xo * (vb[l] - zw[l]);
      acc[l] = v;
      bits |= track ? v ^ (v >> 63) : 0;
    }
    return bits;
  }

  /**
   * Int lanes for the fast engine's exact int accumulation: the same species as {@link #INTS}. A
   * second int shape (the host's full width) would be faster alone, but once both shapes have run,
   * the Vector API's shared call sites see two classes, stop inlining, and both get several times
   * slower (measured: the fast engine 4x slower after one interpreter run in the same JVM).
   */
  private static final VectorSpecies<Integer> WIDE = INTS;

  /**
   * {@code acc[l] += sum_t a[t] * w[off[t] + l]} over t in [first, first + n) in int lanes, for l <
   * vl; the caller has proved that no partial sum leaves the int range ({@link FusedBlocks}).
   */
  static void termsInt(int[] acc, int[] a, int[] off, int first, int n, int[] w, int vl) {
    int last = first + n;
    int step = WIDE.length();
    int l = 0;
    for (; l <= vl - step; l += step) {
      IntVector v = IntVector.fromArray(WIDE, acc, l);
      for (int t = first; t < last; t++) {
        v = v.add(IntVector.fromArray(WIDE, w, off[t] + l).mul(a[t]));
      }
      v.intoArray(acc, l);
    }
    for (; l < vl; l++) {
      int sum = acc[l];
      for (int t = first; t < last; t++) {
        sum += a[t] * w[off[t] + l];
      }
      acc[l] = sum;
    }
  }

  /**
   * The fast engine's shared blocks ({@code FusedBlocks}): {@code acc[i * lanes + l] += sum_t a[i *
   * n + t] * w[rows[t] + l] - zw[l] * sums[i]} for i < m, in int lanes that wrap (the caller has
   * proved that the final sums fit), for l below the largest multiple of the vector width that is
   * at most vl; returns that multiple. Four accumulators at a time share each weight row's load.
   */
  static int sharedTerms(
      int[] acc,
      int[] a,
      int n,
      int m,
      int[] w,
      int[] rows,
      int[] zw,
      int[] sums,
      int vl,
      int lanes) {
    int step = WIDE.length();
    int l = 0;
    for (; l <= vl - step; l += step) {
      IntVector z = IntVector.fromArray(WIDE, zw, l);
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        int a0 = i * n;
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        IntVector v0 = IntVector.fromArray(WIDE, acc, i * lanes + l);
        IntVector v1 = IntVector.fromArray(WIDE, acc, (i + 1) * lanes + l);
        IntVector v2 = IntVector.fromArray(WIDE, acc, (i + 2) * lanes + l);
        IntVector v3 = IntVector.fromArray(WIDE, acc, (i + 3) * lanes + l);
        for (int t = 0; t < n; t++) {
          IntVector wv = IntVector.fromArray(WIDE, w, rows[t] + l);
          v0 = v0.add(wv.mul(a[a0 + t]));
          v1 = v1.add(wv.mul(a[a1 + t]));
          v2 = v2.add(wv.mul(a[a2 + t]));
          v3 = v3.add(wv.mul(a[a3 + t]));
        }
        v0.sub(z.mul(sums[i])).intoArray(acc, i * lanes + l);
        v1.sub(z.mul(sums[i + 1])).intoArray(acc, (i + 1) * lanes + l);
        v2.sub(z.mul(sums[i + 2])).intoArray(acc, (i + 2) * lanes + l);
        v3.sub(z.mul(sums[i + 3])).intoArray(acc, (i + 3) * lanes + l);
      }
      for (; i < m; i++) {
        int a0 = i * n;
        IntVector v0 = IntVector.fromArray(WIDE, acc, i * lanes + l);
        for (int t = 0; t < n; t++) {
          v0 = v0.add(IntVector.fromArray(WIDE, w, rows[t] + l).mul(a[a0 + t]));
        }
        v0.sub(z.mul(sums[i])).intoArray(acc, i * lanes + l);
      }
    }
    return l;
  }

  /**
   * The direct shared blocks ({@code FusedBlocks}): as {@link #sharedTerms}, with weight row t the
   * bytes {@code w[rowAt[t] + l] & mask} (mask 0xFF for vld.u8, -1 for vld.s8), widened here
   * instead of into a buffer first. Up to eight accumulators at a time share each row's load and
   * widening (eight accumulator vectors, the row and the zero point fit the host's 32 vector
   * registers).
   */
  static int sharedBytes(
      int[] acc,
      int[] a,
      int n,
      int m,
      byte[] w,
      int[] rowAt,
      int mask,
      int[] zw,
      int[] sums,
      int vl,
      int lanes) {
    int step = WIDE.length();
    int l = 0;
    for (; l <= vl - step; l += step) {
      IntVector z = IntVector.fromArray(WIDE, zw, l);
      int i = 0;
      for (; i + 8 <= m; i += 8) {
        int a0 = i * n;
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        int a4 = a3 + n;
        int a5 = a4 + n;
        int a6 = a5 + n;
        int a7 = a6 + n;
        int at = i * lanes + l;
        IntVector v0 = IntVector.fromArray(WIDE, acc, at);
        IntVector v1 = IntVector.fromArray(WIDE, acc, at + lanes);
        IntVector v2 = IntVector.fromArray(WIDE, acc, at + 2 * lanes);
        IntVector v3 = IntVector.fromArray(WIDE, acc, at + 3 * lanes);
        IntVector v4 = IntVector.fromArray(WIDE, acc, at + 4 * lanes);
        IntVector v5 = IntVector.fromArray(WIDE, acc, at + 5 * lanes);
        IntVector v6 = IntVector.fromArray(WIDE, acc, at + 6 * lanes);
        IntVector v7 = IntVector.fromArray(WIDE, acc, at + 7 * lanes);
        for (int t = 0; t < n; t++) {
          IntVector wv = row(w, rowAt[t] + l, mask);
          v0 = v0.add(wv.mul(a[a0 + t]));
          v1 = v1.add(wv.mul(a[a1 + t]));
          v2 = v2.add(wv.mul(a[a2 + t]));
          v3 = v3.add(wv.mul(a[a3 + t]));
          v4 = v4.add(wv.mul(a[a4 + t]));
          v5 = v5.add(wv.mul(a[a5 + t]));
          v6 = v6.add(wv.mul(a[a6 + t]));
          v7 = v7.add(wv.mul(a[a7 + t]));
        }
        v0.sub(z.mul(sums[i])).intoArray(acc, at);
        v1.sub(z.mul(sums[i + 1])).intoArray(acc, at + lanes);
        v2.sub(z.mul(sums[i + 2])).intoArray(acc, at + 2 * lanes);
        v3.sub(z.mul(sums[i + 3])).intoArray(acc, at + 3 * lanes);
        v4.sub(z.mul(sums[i + 4])).intoArray(acc, at + 4 * lanes);
        v5.sub(z.mul(sums[i + 5])).intoArray(acc, at + 5 * lanes);
        v6.sub(z.mul(sums[i + 6])).intoArray(acc, at + 6 * lanes);
        v7.sub(z.mul(sums[i + 7])).intoArray(acc, at + 7 * lanes);
      }
      for (; i < m; i++) {
        int a0 = i * n;
        IntVector v0 = IntVector.fromArray(WIDE, acc, i * lanes + l);
        for (int t = 0; t < n; t++) {
          v0 = v0.add(row(w, rowAt[t] + l, mask).mul(a[a0 + t]));
        }
        v0.sub(z.mul(sums[i])).intoArray(acc, i * lanes + l);
      }
    }
    return l;
  }

  /** Bytes {@code w[at..]} widened to int lanes and masked (0xFF: zero-extended; -1: signed). */
  private static IntVector row(byte[] w, int at, int mask) {
    return ((IntVector)
            ByteVector.fromArray(WIDE_BYTES, w, at).convertShape(VectorOperators.B2I, WIDE, 0))
        .and(mask);
  }

  /**
   * The broadcast terms of one accumulator of a direct shared block over k iterations: {@code to[at
   * + it * n + t] = (sp[addr + it * delta + t] & mask) - zx} for it < k and t < n, where n is a
   * multiple of the vector width (at least one); their sum goes to {@code sums[sumAt]}, and the sum
   * of their magnitudes is returned (|term| <= 383: int lanes do not overflow for any block's n).
   * Both are reduced once, after every iteration; the loops run at least once each (do-while: no
   * vector value merges with one from before a loop that may not run).
   */
  static long offsetRows(
      byte[] sp,
      int addr,
      int delta,
      int k,
      int mask,
      int zx,
      int[] to,
      int at,
      int n,
      int[] sums,
      int sumAt) {
    int step = WIDE.length();
    IntVector s = IntVector.zero(WIDE);
    IntVector g = IntVector.zero(WIDE);
    int it = 0;
    do {
      int from = addr + it * delta;
      int into = at + it * n;
      int t = 0;
      do {
        IntVector x = row(sp, from + t, mask).sub(zx);
        x.intoArray(to, into + t);
        s = s.add(x);
        g = g.add(x.abs());
        t += step;
      } while (t < n);
      it++;
    } while (it < k);
    sums[sumAt] = s.reduceLanes(VectorOperators.ADD);
    return g.reduceLanes(VectorOperators.ADD);
  }

  /** The lanes of one vector of the int-lane kernels ({@link #offsetRows} needs n a multiple). */
  static int width() {
    return WIDE.length();
  }

  /**
   * {@code to[at + l] = (int) from[l]} (accumulator lanes that hold ints) for l below {@link
   * #covered}(vl); returns that bound, the caller does the rest.
   */
  static int narrow(long[] from, int[] to, int at, int vl) {
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      LongVector.fromArray(LONGS, from, l)
          .convertShape(VectorOperators.L2I, INTS, 0)
          .reinterpretAsInts()
          .intoArray(to, at + l);
    }
    return l;
  }

  /** {@code to[l] = from[at + l]} for l below {@link #covered}(vl); returns that bound. */
  static int widen(int[] from, int at, long[] to, int vl) {
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      widen(IntVector.fromArray(INTS, from, at + l)).intoArray(to, l);
    }
    return l;
  }

  /** The lanes below vl that the int-lane kernels cover: the largest multiple of their width. */
  static int covered(int vl) {
    return vl - vl % WIDE.length();
  }

  /**
   * {@code x ^ (x >> 31)} of each lane (x for x >= 0, -x - 1 below), ORed into {@code bits}: the
   * width watermark of {@link AccumulatorFile#magnitudeBits} for int lanes.
   */
  private static IntVector watermark(IntVector bits, IntVector x) {
    return bits.or(x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.ASHR, 31)));
  }

  /*
   * The tracked kernels below keep accumulators and watermark in vector registers only because no
   * vector value flows through a conditional merge (bench/README.md): a for loop that may run zero
   * times is one (C2 merges the value from before the loop with the loop's), and so is a watermark
   * carried across the outer loops; measured on one 8 x 32-term block, a for loop per instruction
   * took 8.8 us, the watermark carried across chunks 0.75 us, and these forms 0.37 to 0.47 us
   * (untracked: 0.26 us). So the watermark is reduced per chunk, and inner loops are do-while loops
   * over counts of at least one.
   */

  /**
   * A shared block of vdot4s with width tracking, in program order: for i < m, accumulator register
   * {@code accs[i]}'s lanes {@code lanes[accs[i]][l] += a[i * n + t] * (w[rows[t] + l] - zw[l])}
   * for t in order (n a multiple of 4), and after each group of four terms (one vdot4) the
   * watermark of every accumulator's partial sums ORed into the result, for l below {@link
   * #covered}(vl). The caller has proved that the lanes hold ints and that every partial sum in
   * this order fits an int ({@link FusedBlocks}), so each one is the interpreter's. The raw weight
   * rows are read where they lie and zw subtracted as each is loaded (a copy of the rows minus zw
   * per block cost about a tenth of the block); the accumulators go between their long lanes and
   * int vectors here, in registers, rather than through an int staging array. Four accumulators
   * share each weight row's load.
   */
  static int dot4Tracked(
      long[][] lanes, int[] accs, int[] a, int n, int m, int[] w, int[] rows, int[] zw, int vl) {
    int step = WIDE.length();
    int result = 0;
    for (int l = 0; l <= vl - step; l += step) {
      IntVector z = IntVector.fromArray(WIDE, zw, l);
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        int a0 = i * n;
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        long[] r0 = lanes[accs[i]];
        long[] r1 = lanes[accs[i + 1]];
        long[] r2 = lanes[accs[i + 2]];
        long[] r3 = lanes[accs[i + 3]];
        IntVector v0 = narrow(r0, l);
        IntVector v1 = narrow(r1, l);
        IntVector v2 = narrow(r2, l);
        IntVector v3 = narrow(r3, l);
        IntVector bits = IntVector.zero(WIDE);
        for (int t = 0; t < n; t += 4) {
          // A constant trip count: C2 unrolls it whole (t + 4 as the bound stays a loop, and
          // boxes).
          for (int q = 0; q < 4; q++) {
            IntVector wv = IntVector.fromArray(WIDE, w, rows[t + q] + l).sub(z);
            v0 = v0.add(wv.mul(a[a0 + t + q]));
            v1 = v1.add(wv.mul(a[a1 + t + q]));
            v2 = v2.add(wv.mul(a[a2 + t + q]));
            v3 = v3.add(wv.mul(a[a3 + t + q]));
          }
          bits = watermark(watermark(watermark(watermark(bits, v0), v1), v2), v3);
        }
        widen(v0).intoArray(r0, l);
        widen(v1).intoArray(r1, l);
        widen(v2).intoArray(r2, l);
        widen(v3).intoArray(r3, l);
        result |= bits.reduceLanes(VectorOperators.OR);
      }
      for (; i < m; i++) {
        int a0 = i * n;
        long[] r0 = lanes[accs[i]];
        IntVector v0 = narrow(r0, l);
        IntVector bits = IntVector.zero(WIDE);
        for (int t = 0; t < n; t += 4) {
          for (int q = 0; q < 4; q++) {
            v0 = v0.add(IntVector.fromArray(WIDE, w, rows[t + q] + l).sub(z).mul(a[a0 + t + q]));
          }
          bits = watermark(bits, v0);
        }
        widen(v0).intoArray(r0, l);
        result |= bits.reduceLanes(VectorOperators.OR);
      }
    }
    return result;
  }

  /**
   * {@link #dot4Tracked} for a direct block ({@code FusedBlocks.runDirectTracked}): weight row t is
   * the bytes {@code w[rowAt[t] + l] & mask} (mask 0xFF for vld.u8, -1 for vld.s8) minus zw,
   * widened and offset here as it is read, shared by four accumulators (as in {@link #dot4Tracked}:
   * eight, as {@link #sharedBytes} does, ran 6x slower here); after each group of four terms (one
   * vdot4; n a multiple of 4) the watermark of every accumulator's partial sums is ORed into the
   * result, for l below {@link #covered}(vl). The caller has proved that the lanes hold ints and
   * that every partial sum in this order fits an int.
   */
  static int dot4TrackedBytes(
      long[][] lanes,
      int[] accs,
      int[] a,
      int n,
      int m,
      byte[] w,
      int[] rowAt,
      int mask,
      int[] zw,
      int vl) {
    int step = WIDE.length();
    int result = 0;
    for (int l = 0; l <= vl - step; l += step) {
      IntVector z = IntVector.fromArray(WIDE, zw, l);
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        int a0 = i * n;
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        long[] r0 = lanes[accs[i]];
        long[] r1 = lanes[accs[i + 1]];
        long[] r2 = lanes[accs[i + 2]];
        long[] r3 = lanes[accs[i + 3]];
        IntVector v0 = narrow(r0, l);
        IntVector v1 = narrow(r1, l);
        IntVector v2 = narrow(r2, l);
        IntVector v3 = narrow(r3, l);
        IntVector bits = IntVector.zero(WIDE);
        for (int t = 0; t < n; t += 4) {
          // A constant trip count: C2 unrolls it whole (as in dot4Tracked).
          for (int q = 0; q < 4; q++) {
            IntVector wv = row(w, rowAt[t + q] + l, mask).sub(z);
            v0 = v0.add(wv.mul(a[a0 + t + q]));
            v1 = v1.add(wv.mul(a[a1 + t + q]));
            v2 = v2.add(wv.mul(a[a2 + t + q]));
            v3 = v3.add(wv.mul(a[a3 + t + q]));
          }
          bits = watermark(watermark(watermark(watermark(bits, v0), v1), v2), v3);
        }
        widen(v0).intoArray(r0, l);
        widen(v1).intoArray(r1, l);
        widen(v2).intoArray(r2, l);
        widen(v3).intoArray(r3, l);
        result |= bits.reduceLanes(VectorOperators.OR);
      }
      for (; i < m; i++) {
        int a0 = i * n;
        long[] r0 = lanes[accs[i]];
        IntVector v0 = narrow(r0, l);
        IntVector bits = IntVector.zero(WIDE);
        for (int t = 0; t < n; t += 4) {
          for (int q = 0; q < 4; q++) {
            v0 = v0.add(row(w, rowAt[t + q] + l, mask).sub(z).mul(a[a0 + t + q]));
          }
          bits = watermark(bits, v0);
        }
        widen(v0).intoArray(r0, l);
        result |= bits.reduceLanes(VectorOperators.OR);
      }
    }
    return result;
  }

  /** Long lanes l..l+STEP that hold ints, as int lanes. */
  private static IntVector narrow(long[] from, int l) {
    return LongVector.fromArray(LONGS, from, l)
        .convertShape(VectorOperators.L2I, INTS, 0)
        .reinterpretAsInts();
  }

  /**
   * One accumulator's broadcast terms with width tracking, in program order: {@code acc[l] += a[t]
   * * w[rows[t] + l]} (rows already minus zw), instruction k adding the next {@code ops[k] >= 1}
   * terms, then the watermark of the partial sums ORed into the result; for l below {@link
   * #covered}(vl), every partial sum proved to fit an int by the caller.
   */
  static int termsTracked(int[] acc, int[] a, int[] ops, int[] w, int[] rows, int vl) {
    int step = WIDE.length();
    int result = 0;
    for (int l = 0; l <= vl - step; l += step) {
      IntVector v = IntVector.fromArray(WIDE, acc, l);
      IntVector bits = IntVector.zero(WIDE);
      int t = 0;
      int k = 0;
      do {
        int end = t + ops[k];
        do {
          v = v.add(IntVector.fromArray(WIDE, w, rows[t] + l).mul(a[t]));
          t++;
        } while (t < end);
        bits = watermark(bits, v);
        k++;
      } while (k < ops.length);
      v.intoArray(acc, l);
      result |= bits.reduceLanes(VectorOperators.OR);
    }
    return result;
  }

  /**
   * One accumulator's vmacs (at least one) with width tracking, in program order: {@code acc[l] +=
   * (in[inAt[j] + l] - zx) * w[wAt[j] + l]} for each j (weights already minus zw), the watermark of
   * every partial sum ORed into the result, for l below {@link #covered}(vl); the caller has proved
   * that every partial sum fits an int.
   */
  static int macsTracked(int[] acc, int[] in, int[] inAt, int zx, int[] w, int[] wAt, int vl) {
    int step = WIDE.length();
    int result = 0;
    for (int l = 0; l <= vl - step; l += step) {
      IntVector v = IntVector.fromArray(WIDE, acc, l);
      IntVector bits = IntVector.zero(WIDE);
      int j = 0;
      do {
        v =
            v.add(
                IntVector.fromArray(WIDE, in, inAt[j] + l)
                    .sub(zx)
                    .mul(IntVector.fromArray(WIDE, w, wAt[j] + l)));
        bits = watermark(bits, v);
        j++;
      } while (j < inAt.length);
      v.intoArray(acc, l);
      result |= bits.reduceLanes(VectorOperators.OR);
    }
    return result;
  }

  /**
   * One accumulator's vmacs (at least one), the fast engine's depthwise pixel: {@code acc[l] +=
   * (inRow[j][inOff[j] + l] - zx) * (wRow[j][wOff[j] + l] - zw[l])} for each j, on the long lanes
   * of an accumulator that hold ints, kept in an int vector across the vmacs; for l below {@link
   * #covered}(vl), the caller having proved that every partial sum fits an int. The rows are read
   * where they lie (a load's slot, or a vector register), zw subtracted here: a copy of the weights
   * minus zw per block cost about as much as the MACs.
   */
  static void vmacs(
      long[] acc, int[][] inRow, int[] inOff, int zx, int[][] wRow, int[] wOff, int[] zw, int vl) {
    int step = WIDE.length();
    for (int l = 0; l <= vl - step; l += step) {
      IntVector v = narrow(acc, l);
      IntVector z = IntVector.fromArray(WIDE, zw, l);
      int j = 0;
      do {
        v =
            v.add(
                IntVector.fromArray(WIDE, inRow[j], inOff[j] + l)
                    .sub(zx)
                    .mul(IntVector.fromArray(WIDE, wRow[j], wOff[j] + l).sub(z)));
        j++;
      } while (j < inRow.length);
      widen(v).intoArray(acc, l);
    }
  }

  /**
   * {@link #vmacs} with width tracking: the watermark of every partial sum ({@code v ^ (v >> 31)}
   * after each vmac) ORed into the result.
   */
  static int vmacsTracked(
      long[] acc, int[][] inRow, int[] inOff, int zx, int[][] wRow, int[] wOff, int[] zw, int vl) {
    int step = WIDE.length();
    int result = 0;
    for (int l = 0; l <= vl - step; l += step) {
      IntVector v = narrow(acc, l);
      IntVector z = IntVector.fromArray(WIDE, zw, l);
      IntVector bits = IntVector.zero(WIDE);
      int j = 0;
      do {
        v =
            v.add(
                IntVector.fromArray(WIDE, inRow[j], inOff[j] + l)
                    .sub(zx)
                    .mul(IntVector.fromArray(WIDE, wRow[j], wOff[j] + l).sub(z)));
        bits = watermark(bits, v);
        j++;
      } while (j < inRow.length);
      widen(v).intoArray(acc, l);
      result |= bits.reduceLanes(VectorOperators.OR);
    }
    return result;
  }

  /**
   * {@code acc[l] += (in[inAt + l] - zx) * w[wAt + l]} in int lanes (a fused vmac, its weights
   * already minus zw), as {@link #widen} for the range of l.
   */
  static int macInt(int[] acc, int[] in, int inAt, int zx, int[] w, int wAt, int vl) {
    int step = WIDE.length();
    int l = 0;
    for (; l <= vl - step; l += step) {
      IntVector.fromArray(WIDE, acc, l)
          .add(
              IntVector.fromArray(WIDE, in, inAt + l)
                  .sub(zx)
                  .mul(IntVector.fromArray(WIDE, w, wAt + l)))
          .intoArray(acc, l);
    }
    return l;
  }

  private static final VectorSpecies<Byte> WIDE_BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(WIDE.vectorBitSize() / 4));

  /**
   * {@code to[at + l]} = byte {@code sp[addr + l]}, sign- or zero-extended, for l below the largest
   * multiple of the vector width that is at most vl; returns that multiple (the caller does the
   * rest).
   */
  static int widen(byte[] sp, int addr, boolean signed, int[] to, int at, int vl) {
    int step = WIDE.length();
    int l = 0;
    for (; l <= vl - step; l += step) {
      IntVector v =
          (IntVector)
              ByteVector.fromArray(WIDE_BYTES, sp, addr + l)
                  .convertShape(VectorOperators.B2I, WIDE, 0);
      if (!signed) {
        v = v.and(0xFF);
      }
      v.intoArray(to, at + l);
    }
    return l;
  }

  /** {@code to[at + l] = from[fromAt + l] - zw[l]}, as {@link #widen} for the range of l. */
  static int subtract(int[] from, int fromAt, int[] zw, int[] to, int at, int vl) {
    int step = WIDE.length();
    int l = 0;
    for (; l <= vl - step; l += step) {
      IntVector.fromArray(WIDE, from, fromAt + l)
          .sub(IntVector.fromArray(WIDE, zw, l))
          .intoArray(to, at + l);
    }
    return l;
  }
}
