package dev.npusim.models.graph;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float reference's convolution loops on JDK 17's (incubating) Vector API, register-blocked:
 * four output pixels times two vectors of output channels stay in registers over a regular
 * convolution's whole reduction, and one vector of channels over a depthwise one's taps.
 *
 * <p>Every output is bit-identical to the scalar loops of {@link FloatGraphExecutor}: each element
 * is still the sum, from +0.0, of {@code input * weight} in the order (ky, kx, input channel), each
 * product rounded before it is added (multiply, then add; never a fused multiply-add), one lane per
 * element. The scalar loops skip zero inputs and taps in the padding; here a padding tap reads
 * zeros and a zero input is multiplied like any other. That adds {@code +-0.0}, which leaves a sum
 * unchanged as long as the weights are finite (a sum that starts at +0.0 never becomes -0.0, and
 * {@code x + -0.0 == x} for every other x): {@link FloatGraphExecutor} uses these loops only for
 * layers whose weights are all finite.
 *
 * <p>A regular convolution's weights are packed by {@link #pack} into blocks of {@link #BLOCK}
 * output channels, each block's {@code [KH, KW, IC, BLOCK]} contiguous: the loops read one block
 * front to back for every four pixels, from L1 or L2, instead of rows a whole {@code OC} apart.
 *
 * <p>Used only when the JVM resolves {@code jdk.incubator.vector} (the launcher and the build add
 * it); a property test compares both paths bit for bit.
 */
final class FloatConvLanes {
  private FloatConvLanes() {}

  /** Whether this JVM can load this class; read before touching it. */
  static final boolean AVAILABLE =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
          && !Boolean.getBoolean("npusim.scalar");

  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

  private static final int L = S.length();

  /** Output channels per packed block: two vectors. */
  static final int BLOCK = 2 * L;

  /** Output pixels of a regular convolution's register block. */
  private static final int PIXELS = 4;

  /**
   * A layer's geometry as plain ints: input {@code [*, ih, iw, ic]}, output {@code [*, oh, ow,
   * oc]}, kernel, stride and the top/left padding.
   */
  record Geometry(
      int ih,
      int iw,
      int ic,
      int oh,
      int ow,
      int oc,
      int kh,
      int kw,
      int sh,
      int sw,
      int pt,
      int pl) {

    /** Reduction length of one output: {@code KH * KW * IC}. */
    int taps() {
      return kh * kw * ic;
    }
  }

  /**
   * OHWI weights as blocks of {@link #BLOCK} output channels, {@code [OC / BLOCK rounded up][KH,
   * KW, IC][BLOCK]}, the last block padded with zeros.
   */
  static double[] pack(double[] ohwi, Geometry g) {
    int k = g.taps();
    int blocks = (g.oc() + BLOCK - 1) / BLOCK;
    double[] p = new double[blocks * k * BLOCK];
    for (int o = 0; o < g.oc(); o++) {
      int base = (o / BLOCK) * k * BLOCK + o % BLOCK;
      for (int t = 0; t < k; t++) {
        p[base + t * BLOCK] = ohwi[o * k + t];
      }
    }
    return p;
  }

  /**
   * Sums of a regular convolution (before bias) for the flat output pixels {@code [p0, p1)} (NHW
   * order), every channel. {@code w} is {@link #pack}ed; {@code zeros} holds at least {@code ic}
   * zeros (what a padding tap reads).
   */
  static void conv(
      double[] in, double[] w, double[] out, double[] zeros, Geometry g, int p0, int p1) {
    int oc = g.oc();
    int full = oc / BLOCK * BLOCK;
    int ob = 0;
    // Two adjacent blocks at once where there are two: each broadcast input then feeds four
    // vectors instead of two, which halves the loads and bounds checks per multiply.
    for (; ob + 2 * BLOCK <= full; ob += 2 * BLOCK) {
      int wb = ob * g.taps();
      int p = p0;
      for (; p + PIXELS <= p1; p += PIXELS) {
        convQuad(in, w, wb, out, zeros, g, p, ob, true);
      }
      for (; p < p1; p++) {
        convScalar(in, w, wb, out, g, p, ob, BLOCK);
        convScalar(in, w, wb + g.taps() * BLOCK, out, g, p, ob + BLOCK, BLOCK);
      }
    }
    for (; ob < full; ob += BLOCK) {
      int wb = ob * g.taps();
      int p = p0;
      for (; p + PIXELS <= p1; p += PIXELS) {
        convQuad(in, w, wb, out, zeros, g, p, ob, false);
      }
      for (; p < p1; p++) {
        convScalar(in, w, wb, out, g, p, ob, BLOCK);
      }
    }
    if (full < oc) {
      for (int p = p0; p < p1; p++) {
        convScalar(in, w, full * g.taps(), out, g, p, full, oc - full);
      }
    }
  }

  /**
   * Four consecutive output pixels from {@code p}, channels {@code [ob, ob + BLOCK)} (or two
   * blocks, {@code [ob, ob + 2 * BLOCK)}, when {@code wide}): each tap adds its whole input-channel
   * reduction to the outputs (zero at the start), tap after tap.
   */
  private static void convQuad(
      double[] in,
      double[] w,
      int wb,
      double[] out,
      double[] zeros,
      Geometry g,
      int p,
      int ob,
      boolean wide) {
    int ic = g.ic();
    int o = p * g.oc() + ob;
    int tap = wb;
    for (int ky = 0; ky < g.kh(); ky++) {
      for (int kx = 0; kx < g.kw(); kx++, tap += ic * BLOCK) {
        int i0 = inputBase(g, p, ky, kx);
        int i1 = inputBase(g, p + 1, ky, kx);
        int i2 = inputBase(g, p + 2, ky, kx);
        int i3 = inputBase(g, p + 3, ky, kx);
        if ((i0 & i1 & i2 & i3) < 0) { // all four in the padding
          continue;
        }
        if (wide) {
          quadTapWide(
              i0 < 0 ? zeros : in,
              Math.max(i0, 0),
              i1 < 0 ? zeros : in,
              Math.max(i1, 0),
              i2 < 0 ? zeros : in,
              Math.max(i2, 0),
              i3 < 0 ? zeros : in,
              Math.max(i3, 0),
              ic,
              w,
              tap,
              tap + g.taps() * BLOCK,
              out,
              o,
              g.oc());
        } else {
          quadTap(
              i0 < 0 ? zeros : in,
              Math.max(i0, 0),
              i1 < 0 ? zeros : in,
              Math.max(i1, 0),
              i2 < 0 ? zeros : in,
              Math.max(i2, 0),
              i3 < 0 ? zeros : in,
              Math.max(i3, 0),
              ic,
              w,
              tap,
              out,
              o,
              g.oc());
        }
      }
    }
  }

  /**
   * One tap of {@link #convQuad}: {@code out} of four pixels ({@code oc} apart from {@code o}), two
   * vectors each, plus the sum over {@code i} of {@code x_k[b_k + i] * w[tap + i * BLOCK + lane]}.
   * A loop without branches: C2 keeps the eight sums in registers only when no vector value flows
   * through a conditional merge.
   */
  private static void quadTap(
      double[] x0,
      int b0,
      double[] x1,
      int b1,
      double[] x2,
      int b2,
      double[] x3,
      int b3,
      int ic,
      double[] w,
      int tap,
      double[] out,
      int o,
      int oc) {
    DoubleVector a00 = DoubleVector.fromArray(S, out, o);
    DoubleVector a01 = DoubleVector.fromArray(S, out, o + L);
    DoubleVector a10 = DoubleVector.fromArray(S, out, o + oc);
    DoubleVector a11 = DoubleVector.fromArray(S, out, o + oc + L);
    DoubleVector a20 = DoubleVector.fromArray(S, out, o + 2 * oc);
    DoubleVector a21 = DoubleVector.fromArray(S, out, o + 2 * oc + L);
    DoubleVector a30 = DoubleVector.fromArray(S, out, o + 3 * oc);
    DoubleVector a31 = DoubleVector.fromArray(S, out, o + 3 * oc + L);
    for (int i = 0; i < ic; i++) {
      int wr = tap + i * BLOCK;
      DoubleVector w0 = DoubleVector.fromArray(S, w, wr);
      DoubleVector w1 = DoubleVector.fromArray(S, w, wr + L);
      DoubleVector v0 = DoubleVector.broadcast(S, x0[b0 + i]);
      DoubleVector v1 = DoubleVector.broadcast(S, x1[b1 + i]);
      DoubleVector v2 = DoubleVector.broadcast(S, x2[b2 + i]);
      DoubleVector v3 = DoubleVector.broadcast(S, x3[b3 + i]);
      a00 = a00.add(v0.mul(w0));
      a01 = a01.add(v0.mul(w1));
      a10 = a10.add(v1.mul(w0));
      a11 = a11.add(v1.mul(w1));
      a20 = a20.add(v2.mul(w0));
      a21 = a21.add(v2.mul(w1));
      a30 = a30.add(v3.mul(w0));
      a31 = a31.add(v3.mul(w1));
    }
    a00.intoArray(out, o);
    a01.intoArray(out, o + L);
    a10.intoArray(out, o + oc);
    a11.intoArray(out, o + oc + L);
    a20.intoArray(out, o + 2 * oc);
    a21.intoArray(out, o + 2 * oc + L);
    a30.intoArray(out, o + 3 * oc);
    a31.intoArray(out, o + 3 * oc + L);
  }

  /**
   * {@link #quadTap} over two blocks at once: the block at {@code tapA} for channels {@code [o, o +
   * BLOCK)} and the one at {@code tapB} for the next {@code BLOCK}, sixteen sums in registers. Each
   * sum still adds its products in the order of {@code i}, multiply then add.
   */
  private static void quadTapWide(
      double[] x0,
      int b0,
      double[] x1,
      int b1,
      double[] x2,
      int b2,
      double[] x3,
      int b3,
      int ic,
      double[] w,
      int tapA,
      int tapB,
      double[] out,
      int o,
      int oc) {
    DoubleVector a00 = DoubleVector.fromArray(S, out, o);
    DoubleVector a01 = DoubleVector.fromArray(S, out, o + L);
    DoubleVector a02 = DoubleVector.fromArray(S, out, o + 2 * L);
    DoubleVector a03 = DoubleVector.fromArray(S, out, o + 3 * L);
    DoubleVector a10 = DoubleVector.fromArray(S, out, o + oc);
    DoubleVector a11 = DoubleVector.fromArray(S, out, o + oc + L);
    DoubleVector a12 = DoubleVector.fromArray(S, out, o + oc + 2 * L);
    DoubleVector a13 = DoubleVector.fromArray(S, out, o + oc + 3 * L);
    DoubleVector a20 = DoubleVector.fromArray(S, out, o + 2 * oc);
    DoubleVector a21 = DoubleVector.fromArray(S, out, o + 2 * oc + L);
    DoubleVector a22 = DoubleVector.fromArray(S, out, o + 2 * oc + 2 * L);
    DoubleVector a23 = DoubleVector.fromArray(S, out, o + 2 * oc + 3 * L);
    DoubleVector a30 = DoubleVector.fromArray(S, out, o + 3 * oc);
    DoubleVector a31 = DoubleVector.fromArray(S, out, o + 3 * oc + L);
    DoubleVector a32 = DoubleVector.fromArray(S, out, o + 3 * oc + 2 * L);
    DoubleVector a33 = DoubleVector.fromArray(S, out, o + 3 * oc + 3 * L);
    for (int i = 0; i < ic; i++) {
      int wa = tapA + i * BLOCK;
      int wb = tapB + i * BLOCK;
      DoubleVector w0 = DoubleVector.fromArray(S, w, wa);
      DoubleVector w1 = DoubleVector.fromArray(S, w, wa + L);
      DoubleVector w2 = DoubleVector.fromArray(S, w, wb);
      DoubleVector w3 = DoubleVector.fromArray(S, w, wb + L);
      DoubleVector v = DoubleVector.broadcast(S, x0[b0 + i]);
      a00 = a00.add(v.mul(w0));
      a01 = a01.add(v.mul(w1));
      a02 = a02.add(v.mul(w2));
      a03 = a03.add(v.mul(w3));
      v = DoubleVector.broadcast(S, x1[b1 + i]);
      a10 = a10.add(v.mul(w0));
      a11 = a11.add(v.mul(w1));
      a12 = a12.add(v.mul(w2));
      a13 = a13.add(v.mul(w3));
      v = DoubleVector.broadcast(S, x2[b2 + i]);
      a20 = a20.add(v.mul(w0));
      a21 = a21.add(v.mul(w1));
      a22 = a22.add(v.mul(w2));
      a23 = a23.add(v.mul(w3));
      v = DoubleVector.broadcast(S, x3[b3 + i]);
      a30 = a30.add(v.mul(w0));
      a31 = a31.add(v.mul(w1));
      a32 = a32.add(v.mul(w2));
      a33 = a33.add(v.mul(w3));
    }
    a00.intoArray(out, o);
    a01.intoArray(out, o + L);
    a02.intoArray(out, o + 2 * L);
    a03.intoArray(out, o + 3 * L);
    a10.intoArray(out, o + oc);
    a11.intoArray(out, o + oc + L);
    a12.intoArray(out, o + oc + 2 * L);
    a13.intoArray(out, o + oc + 3 * L);
    a20.intoArray(out, o + 2 * oc);
    a21.intoArray(out, o + 2 * oc + L);
    a22.intoArray(out, o + 2 * oc + 2 * L);
    a23.intoArray(out, o + 2 * oc + 3 * L);
    a30.intoArray(out, o + 3 * oc);
    a31.intoArray(out, o + 3 * oc + L);
    a32.intoArray(out, o + 3 * oc + 2 * L);
    a33.intoArray(out, o + 3 * oc + 3 * L);
  }

  /**
   * Flat index of input channel 0 that output pixel {@code p} (NHW order) reads at tap (ky, kx), or
   * -1 in the padding.
   */
  private static int inputBase(Geometry g, int p, int ky, int kx) {
    int ox = p % g.ow();
    int rest = p / g.ow();
    int oy = rest % g.oh();
    int b = rest / g.oh();
    int iy = oy * g.sh() - g.pt() + ky;
    int ix = ox * g.sw() - g.pl() + kx;
    if (iy < 0 || iy >= g.ih() || ix < 0 || ix >= g.iw()) {
      return -1;
    }
    return ((b * g.ih() + iy) * g.iw() + ix) * g.ic();
  }

  /** One output pixel, channels {@code [ob, ob + n)} of the block at {@code wb}, one at a time. */
  private static void convScalar(
      double[] in, double[] w, int wb, double[] out, Geometry g, int p, int ob, int n) {
    int ic = g.ic();
    for (int c = 0; c < n; c++) {
      double sum = 0;
      int tap = wb + c;
      for (int ky = 0; ky < g.kh(); ky++) {
        for (int kx = 0; kx < g.kw(); kx++, tap += ic * BLOCK) {
          int xb = inputBase(g, p, ky, kx);
          if (xb < 0) {
            continue;
          }
          for (int i = 0; i < ic; i++) {
            sum += in[xb + i] * w[tap + i * BLOCK];
          }
        }
      }
      out[p * g.oc() + ob + c] = sum;
    }
  }

  /**
   * {@code FloatGraphExecutor}'s per-pixel epilogue on whole vectors of channels {@code [0, n)} of
   * the pixel at {@code base}, where {@code n} is {@code oc} rounded down to vectors (returned; the
   * caller finishes the rest): {@code v + bias}, then {@code (v - mean) / rootVariance * gamma +
   * beta}, then {@code v > 0 ? min(v, upper) : 0.0}, each lane with the same IEEE operations in the
   * same order as the scalar loop (never a fused multiply-add), so bit for bit the same; a NaN or
   * -0.0 fails {@code v > 0} in both. Null arrays are steps the layer does not have.
   */
  static int finish(
      double[] out,
      int base,
      int oc,
      double[] bias,
      double[] mean,
      double[] rootVariance,
      double[] gamma,
      double[] beta,
      boolean rectify,
      double[] upper) {
    int n = oc / L * L;
    DoubleVector zero = DoubleVector.zero(S);
    for (int c = 0; c < n; c += L) {
      DoubleVector v = DoubleVector.fromArray(S, out, base + c);
      if (bias != null) {
        v = v.add(DoubleVector.fromArray(S, bias, c));
      }
      if (mean != null) {
        v =
            v.sub(DoubleVector.fromArray(S, mean, c))
                .div(DoubleVector.fromArray(S, rootVariance, c))
                .mul(DoubleVector.fromArray(S, gamma, c))
                .add(DoubleVector.fromArray(S, beta, c));
      }
      if (rectify) {
        v =
            zero.blend(
                v.min(DoubleVector.fromArray(S, upper, c)), v.compare(VectorOperators.GT, 0.0));
      }
      v.intoArray(out, base + c);
    }
    return n;
  }

  /**
   * Sums of a depthwise convolution (before bias) for the flat output pixels {@code [p0, p1)};
   * {@code w} is {@code [KH, KW, C]}. Each tap inside the input adds {@code x * w} to the outputs
   * (zero at the start), tap after tap: per pixel, the taps inside the input are listed first, then
   * each vector of channels sums them in a register (the same additions in the same order as one
   * pass over the outputs per tap, without storing and reloading the outputs between taps).
   */
  static void depthwise(double[] in, double[] w, double[] out, Geometry g, int p0, int p1) {
    int c = g.oc();
    int full = c / L * L;
    int[] xo = new int[g.kh() * g.kw()];
    int[] wo = new int[g.kh() * g.kw()];
    for (int p = p0; p < p1; p++) {
      int ox = p % g.ow();
      int rest = p / g.ow();
      int oy = rest % g.oh();
      int row = rest / g.oh() * g.ih();
      int n = 0;
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.sh() - g.pt() + ky;
        if (iy < 0 || iy >= g.ih()) {
          continue;
        }
        for (int kx = 0; kx < g.kw(); kx++) {
          int ix = ox * g.sw() - g.pl() + kx;
          if (ix >= 0 && ix < g.iw()) {
            xo[n] = ((row + iy) * g.iw() + ix) * c;
            wo[n] = (ky * g.kw() + kx) * c;
            n++;
          }
        }
      }
      depthwisePixel(in, w, out, p * c, c, full, xo, wo, n);
    }
  }

  /** One pixel's channels: {@code out[o + ch] += x[xo[t] + ch] * w[wo[t] + ch]} for t < n. */
  private static void depthwisePixel(
      double[] x, double[] w, double[] out, int o, int c, int full, int[] xo, int[] wo, int n) {
    for (int ch = 0; ch < full; ch += L) {
      DoubleVector acc = DoubleVector.fromArray(S, out, o + ch);
      for (int t = 0; t < n; t++) {
        acc =
            acc.add(
                DoubleVector.fromArray(S, x, xo[t] + ch)
                    .mul(DoubleVector.fromArray(S, w, wo[t] + ch)));
      }
      acc.intoArray(out, o + ch);
    }
    for (int ch = full; ch < c; ch++) {
      double sum = out[o + ch];
      for (int t = 0; t < n; t++) {
        sum += x[xo[t] + ch] * w[wo[t] + ch];
      }
      out[o + ch] = sum;
    }
  }
}
