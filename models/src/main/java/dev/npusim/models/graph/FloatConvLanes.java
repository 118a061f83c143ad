package dev.npusim.models.graph;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float reference's convolution loops on JDK 17's (incubating) Vector API, register-blocked:
 * four output pixels times four vectors of output channels stay in registers over a regular
 * convolution's input channels (a whole kernel row of them where the row is inside the input), and
 * a 3x3 depthwise convolution keeps its nine weight vectors in registers over a row of pixels.
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
 * <p>Few vector methods, on purpose: each costs a C2 compilation of 100 to 450 ms, and until it is
 * compiled the Vector API runs its lambda-based fallback about a hundred times slower, while the
 * study runs only about twenty passes (bench/README.md, "The float reference's passes").
 *
 * <p>Used only when the JVM resolves {@code jdk.incubator.vector} (the launcher and the build add
 * it); {@code FloatConvLanesProperties} compares both paths bit for bit with a plain loop.
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
   * OHWI weights as blocks of {@link #BLOCK} output channels, {@code [blocks][KH, KW, IC][BLOCK]},
   * zeros after the last channel up to an even number of blocks (the loops take blocks in pairs).
   */
  static double[] pack(double[] ohwi, Geometry g) {
    int k = g.taps();
    int blocks = (g.oc() + 2 * BLOCK - 1) / (2 * BLOCK) * 2;
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
   * order), every channel. {@code w} is {@link #pack}ed; {@code zeros} holds at least {@code KW *
   * IC} zeros (what a kernel row in the padding reads).
   */
  static void conv(
      double[] in, double[] w, double[] out, double[] zeros, Geometry g, int p0, int p1) {
    int oc = g.oc();
    int pairs = oc / (2 * BLOCK) * 2 * BLOCK;
    int other = g.taps() * BLOCK;
    // Two adjacent blocks at once: each broadcast input feeds four vectors, which halves the loads
    // and bounds checks per multiply.
    for (int ob = 0; ob < pairs; ob += 2 * BLOCK) {
      int wb = ob * g.taps();
      int p = p0;
      for (; p + PIXELS <= p1; p += PIXELS) {
        convQuad(in, w, wb, out, p * oc + ob, oc, zeros, g, p);
      }
      for (; p < p1; p++) {
        convScalar(in, w, wb, out, g, p, ob, BLOCK);
        convScalar(in, w, wb + other, out, g, p, ob + BLOCK, BLOCK);
      }
    }
    if (pairs < oc) {
      // The last, partial pair of blocks (the box predictors' 9 to 24 channels): its packed weights
      // are zero after the last channel, so four pixels run on the same loop into a scratch pair,
      // of which the real channels are copied out. One loop for every block keeps the JIT's work
      // (and the Vector API's slow start before it) to one method.
      int wb = pairs * g.taps();
      int n = oc - pairs;
      double[] scratch = new double[PIXELS * 2 * BLOCK];
      int p = p0;
      for (; p + PIXELS <= p1; p += PIXELS) {
        java.util.Arrays.fill(scratch, 0.0);
        convQuad(in, w, wb, scratch, 0, 2 * BLOCK, zeros, g, p);
        for (int k = 0; k < PIXELS; k++) {
          System.arraycopy(scratch, k * 2 * BLOCK, out, (p + k) * oc + pairs, n);
        }
      }
      for (; p < p1; p++) {
        convScalar(in, w, wb, out, g, p, pairs, Math.min(n, BLOCK));
        if (n > BLOCK) {
          convScalar(in, w, wb + other, out, g, p, pairs + BLOCK, n - BLOCK);
        }
      }
    }
  }

  /**
   * Four consecutive output pixels from {@code p}, the two blocks of channels whose packed weights
   * start at {@code wb}; pixel k's sums are at {@code out[o + k * stride]}, zero at the start. Taps
   * are added in the order (ky, kx, input channel). For one kernel row, the inputs (kx, i) of a
   * pixel whose row is inside the input and whose kx all are (every pixel away from the left and
   * right padding) are contiguous, {@code KW * IC} values, and so are the packed weights: the row
   * is one run of the tap loop instead of {@code KW} (Conv2d_0 has only three input channels). A
   * row in the padding reads zeros.
   */
  private static void convQuad(
      double[] in,
      double[] w,
      int wb,
      double[] out,
      int o,
      int stride,
      double[] zeros,
      Geometry g,
      int p) {
    int ic = g.ic();
    int span = g.kw() * ic;
    int other = g.taps() * BLOCK;
    // Output row (b * OH + oy) and first input column of each pixel: a quad may cross rows.
    int r0 = p / g.ow();
    int r1 = (p + 1) / g.ow();
    int r2 = (p + 2) / g.ow();
    int r3 = (p + 3) / g.ow();
    int c0 = (p - r0 * g.ow()) * g.sw() - g.pl();
    int c1 = (p + 1 - r1 * g.ow()) * g.sw() - g.pl();
    int c2 = (p + 2 - r2 * g.ow()) * g.sw() - g.pl();
    int c3 = (p + 3 - r3 * g.ow()) * g.sw() - g.pl();
    int lastColumn = g.iw() - g.kw();
    boolean spans =
        Math.min(Math.min(c0, c1), Math.min(c2, c3)) >= 0
            && Math.max(Math.max(c0, c1), Math.max(c2, c3)) <= lastColumn;
    for (int ky = 0; ky < g.kh(); ky++) {
      int tap = wb + ky * span * BLOCK;
      if (spans) {
        int i0 = rowBase(g, r0, ky, c0);
        int i1 = rowBase(g, r1, ky, c1);
        int i2 = rowBase(g, r2, ky, c2);
        int i3 = rowBase(g, r3, ky, c3);
        if ((i0 & i1 & i2 & i3) >= 0) { // not all four in the padding
          quadRun(in, zeros, i0, i1, i2, i3, span, w, tap, other, out, o, stride);
        }
        continue;
      }
      for (int kx = 0; kx < g.kw(); kx++, tap += ic * BLOCK) {
        int i0 = pixelBase(g, r0, ky, c0 + kx);
        int i1 = pixelBase(g, r1, ky, c1 + kx);
        int i2 = pixelBase(g, r2, ky, c2 + kx);
        int i3 = pixelBase(g, r3, ky, c3 + kx);
        if ((i0 & i1 & i2 & i3) >= 0) {
          quadRun(in, zeros, i0, i1, i2, i3, ic, w, tap, other, out, o, stride);
        }
      }
    }
  }

  /**
   * One run of {@code n} taps for four pixels whose inputs start at {@code i0..i3} in {@code in},
   * or in {@code zeros} where negative.
   */
  private static void quadRun(
      double[] in,
      double[] zeros,
      int i0,
      int i1,
      int i2,
      int i3,
      int n,
      double[] w,
      int tap,
      int other,
      double[] out,
      int o,
      int stride) {
    quadTapWide(
        i0 < 0 ? zeros : in,
        Math.max(i0, 0),
        i1 < 0 ? zeros : in,
        Math.max(i1, 0),
        i2 < 0 ? zeros : in,
        Math.max(i2, 0),
        i3 < 0 ? zeros : in,
        Math.max(i3, 0),
        n,
        w,
        tap,
        tap + other,
        out,
        o,
        stride);
  }

  /**
   * Flat index of input pixel (iy, ix), channel 0, for output row {@code row} ({@code b * OH + oy})
   * at kernel row {@code ky}, where {@code ix} is the first column the kernel row reads and all its
   * columns are inside the input; -1 when the input row is in the padding.
   */
  private static int rowBase(Geometry g, int row, int ky, int ix) {
    int b = row / g.oh();
    int iy = (row - b * g.oh()) * g.sh() - g.pt() + ky;
    if (iy < 0 || iy >= g.ih()) {
      return -1;
    }
    return ((b * g.ih() + iy) * g.iw() + ix) * g.ic();
  }

  /** {@link #rowBase} for one column {@code ix}, -1 if that pixel is in the padding. */
  private static int pixelBase(Geometry g, int row, int ky, int ix) {
    return ix < 0 || ix >= g.iw() ? -1 : rowBase(g, row, ky, ix);
  }

  /**
   * One run of {@link #convQuad}: {@code out} of four pixels ({@code stride} apart from {@code o}),
   * four vectors each, plus the sum over {@code i < n} of {@code x_k[b_k + i] * w}, the weights of
   * the block at {@code tapA} for channels {@code [o, o + BLOCK)} and of the one at {@code tapB}
   * for the next {@code BLOCK}: sixteen sums in registers, each adding its products in the order of
   * {@code i}, multiply then add. A loop without branches: C2 keeps the sums in registers only when
   * no vector value flows through a conditional merge.
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
      int n,
      double[] w,
      int tapA,
      int tapB,
      double[] out,
      int o,
      int stride) {
    DoubleVector a00 = DoubleVector.fromArray(S, out, o);
    DoubleVector a01 = DoubleVector.fromArray(S, out, o + L);
    DoubleVector a02 = DoubleVector.fromArray(S, out, o + 2 * L);
    DoubleVector a03 = DoubleVector.fromArray(S, out, o + 3 * L);
    DoubleVector a10 = DoubleVector.fromArray(S, out, o + stride);
    DoubleVector a11 = DoubleVector.fromArray(S, out, o + stride + L);
    DoubleVector a12 = DoubleVector.fromArray(S, out, o + stride + 2 * L);
    DoubleVector a13 = DoubleVector.fromArray(S, out, o + stride + 3 * L);
    DoubleVector a20 = DoubleVector.fromArray(S, out, o + 2 * stride);
    DoubleVector a21 = DoubleVector.fromArray(S, out, o + 2 * stride + L);
    DoubleVector a22 = DoubleVector.fromArray(S, out, o + 2 * stride + 2 * L);
    DoubleVector a23 = DoubleVector.fromArray(S, out, o + 2 * stride + 3 * L);
    DoubleVector a30 = DoubleVector.fromArray(S, out, o + 3 * stride);
    DoubleVector a31 = DoubleVector.fromArray(S, out, o + 3 * stride + L);
    DoubleVector a32 = DoubleVector.fromArray(S, out, o + 3 * stride + 2 * L);
    DoubleVector a33 = DoubleVector.fromArray(S, out, o + 3 * stride + 3 * L);
    for (int i = 0; i < n; i++) {
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
    a10.intoArray(out, o + stride);
    a11.intoArray(out, o + stride + L);
    a12.intoArray(out, o + stride + 2 * L);
    a13.intoArray(out, o + stride + 3 * L);
    a20.intoArray(out, o + 2 * stride);
    a21.intoArray(out, o + 2 * stride + L);
    a22.intoArray(out, o + 2 * stride + 2 * L);
    a23.intoArray(out, o + 2 * stride + 3 * L);
    a30.intoArray(out, o + 3 * stride);
    a31.intoArray(out, o + 3 * stride + L);
    a32.intoArray(out, o + 3 * stride + 2 * L);
    a33.intoArray(out, o + 3 * stride + 3 * L);
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
   * Sums of a depthwise convolution (before bias) for one output row ({@code row = b * OH + oy}),
   * every pixel and channel; {@code w} is {@code [KH, KW, C]} and {@code zeros} holds at least
   * {@code IW * C} zeros (what a kernel row in the padding reads). Each output is the sum, from
   * +0.0, of the taps inside the input in the order (ky, kx).
   *
   * <p>A 3x3 kernel runs the columns whose three taps are all inside the input through {@link
   * #depthwise3x3}, with a kernel row in the padding reading zeros (a {@code +-0.0} product, which
   * leaves the sum unchanged); the columns at the left and right padding, and other kernel sizes,
   * go through {@link #depthwiseListed}, which skips the taps in the padding.
   */
  static void depthwiseRow(
      double[] in, double[] w, double[] out, double[] zeros, Geometry g, int row) {
    int c = g.oc();
    int ow = g.ow();
    if (g.kh() != 3 || g.kw() != 3) {
      int[] xo = new int[g.kh() * g.kw()];
      int[] wo = new int[g.kh() * g.kw()];
      for (int p = row * ow; p < (row + 1) * ow; p++) {
        depthwiseListed(in, w, out, g, p, xo, wo);
      }
      return;
    }
    // Columns [lo, hi) read columns ox * SW - PL + kx inside [0, IW) for kx = 0, 1, 2.
    int lo = Math.min(ow, (g.pl() + g.sw() - 1) / g.sw());
    int last = g.iw() - 3 + g.pl(); // the largest ox * SW that still fits
    int hi = last < 0 ? lo : Math.max(lo, Math.min(ow, last / g.sw() + 1));
    int b = row / g.oh();
    int iy = (row - b * g.oh()) * g.sh() - g.pt();
    int rowSize = g.iw() * c;
    int base = b * g.ih() * rowSize;
    boolean in0 = iy >= 0 && iy < g.ih();
    boolean in1 = iy + 1 >= 0 && iy + 1 < g.ih();
    boolean in2 = iy + 2 >= 0 && iy + 2 < g.ih();
    depthwise3x3(
        in0 ? in : zeros,
        in0 ? base + iy * rowSize : 0,
        in1 ? in : zeros,
        in1 ? base + (iy + 1) * rowSize : 0,
        in2 ? in : zeros,
        in2 ? base + (iy + 2) * rowSize : 0,
        w,
        out,
        row * ow * c,
        c,
        lo,
        hi,
        g.sw(),
        g.pl());
    if (lo > 0 || hi < ow) {
      int[] xo = new int[9];
      int[] wo = new int[9];
      for (int ox = 0; ox < lo; ox++) {
        depthwiseListed(in, w, out, g, row * ow + ox, xo, wo);
      }
      for (int ox = hi; ox < ow; ox++) {
        depthwiseListed(in, w, out, g, row * ow + ox, xo, wo);
      }
    }
  }

  /**
   * Output columns {@code [lo, hi)} of one row of a 3x3 depthwise convolution: kernel row ky reads
   * {@code xk} from {@code bk} (the input row's column 0, channel 0), pixel ox's channel ch at
   * {@code out[o + ox * c + ch]}. Each output is {@code ((+0.0 + x00 * w00) + x01 * w01) + ... +
   * x22 * w22}, every product rounded before it is added, as the scalar loops compute it.
   *
   * <p>Per vector of channels the nine weight vectors stay in registers over the row; at stride 1
   * four pixels go at a time (four independent sums in flight), reading six input columns per
   * kernel row instead of twelve. Other strides take one pixel at a time: each vector method costs
   * the JIT a long compilation, and the Vector API runs about a hundred times slower until it is
   * done, which a pass or two of the study's twenty would not earn back.
   */
  private static void depthwise3x3(
      double[] x0,
      int b0,
      double[] x1,
      int b1,
      double[] x2,
      int b2,
      double[] w,
      double[] out,
      int o,
      int c,
      int lo,
      int hi,
      int sw,
      int pl) {
    int full = c / L * L;
    int quads = sw == 1 ? (hi - lo) / PIXELS * PIXELS : 0;
    for (int ch = 0; ch < full; ch += L) {
      int x = (lo * sw - pl) * c + ch;
      if (quads > 0) {
        depthwise3x3Stride1(
            x0, b0 + x, x1, b1 + x, x2, b2 + x, w, ch, out, o + lo * c + ch, c, quads);
      }
      int rest = lo + quads;
      depthwise3x3Pixels(
          x0,
          b0 + x + quads * sw * c,
          x1,
          b1 + x + quads * sw * c,
          x2,
          b2 + x + quads * sw * c,
          w,
          ch,
          out,
          o + rest * c + ch,
          c,
          hi - rest,
          sw);
    }
    for (int ch = full; ch < c; ch++) {
      int step = sw * c;
      int x = (lo * sw - pl) * c + ch;
      for (int ox = lo; ox < hi; ox++, x += step) {
        double sum = 0;
        sum += x0[b0 + x] * w[ch];
        sum += x0[b0 + x + c] * w[c + ch];
        sum += x0[b0 + x + 2 * c] * w[2 * c + ch];
        sum += x1[b1 + x] * w[3 * c + ch];
        sum += x1[b1 + x + c] * w[4 * c + ch];
        sum += x1[b1 + x + 2 * c] * w[5 * c + ch];
        sum += x2[b2 + x] * w[6 * c + ch];
        sum += x2[b2 + x + c] * w[7 * c + ch];
        sum += x2[b2 + x + 2 * c] * w[8 * c + ch];
        out[o + ox * c + ch] = sum;
      }
    }
  }

  /**
   * {@code n} pixels, one at a time, of one vector of channels: the first pixel's kernel row ky
   * starts at {@code xk[bk]}, its output at {@code out[o]}; pixels are {@code sw * c} apart in the
   * input and {@code c} in the output. Weights of channel vector {@code ch} in {@code [KH, KW, C]}.
   */
  private static void depthwise3x3Pixels(
      double[] x0,
      int b0,
      double[] x1,
      int b1,
      double[] x2,
      int b2,
      double[] w,
      int ch,
      double[] out,
      int o,
      int c,
      int n,
      int sw) {
    DoubleVector zero = DoubleVector.zero(S);
    DoubleVector w00 = DoubleVector.fromArray(S, w, ch);
    DoubleVector w01 = DoubleVector.fromArray(S, w, c + ch);
    DoubleVector w02 = DoubleVector.fromArray(S, w, 2 * c + ch);
    DoubleVector w10 = DoubleVector.fromArray(S, w, 3 * c + ch);
    DoubleVector w11 = DoubleVector.fromArray(S, w, 4 * c + ch);
    DoubleVector w12 = DoubleVector.fromArray(S, w, 5 * c + ch);
    DoubleVector w20 = DoubleVector.fromArray(S, w, 6 * c + ch);
    DoubleVector w21 = DoubleVector.fromArray(S, w, 7 * c + ch);
    DoubleVector w22 = DoubleVector.fromArray(S, w, 8 * c + ch);
    int step = sw * c;
    for (int k = 0, x = 0; k < n; k++, x += step) {
      DoubleVector acc =
          zero.add(DoubleVector.fromArray(S, x0, b0 + x).mul(w00))
              .add(DoubleVector.fromArray(S, x0, b0 + x + c).mul(w01))
              .add(DoubleVector.fromArray(S, x0, b0 + x + 2 * c).mul(w02))
              .add(DoubleVector.fromArray(S, x1, b1 + x).mul(w10))
              .add(DoubleVector.fromArray(S, x1, b1 + x + c).mul(w11))
              .add(DoubleVector.fromArray(S, x1, b1 + x + 2 * c).mul(w12))
              .add(DoubleVector.fromArray(S, x2, b2 + x).mul(w20))
              .add(DoubleVector.fromArray(S, x2, b2 + x + c).mul(w21))
              .add(DoubleVector.fromArray(S, x2, b2 + x + 2 * c).mul(w22));
      acc.intoArray(out, o + k * c);
    }
  }

  /**
   * {@link #depthwise3x3Pixels} at stride 1 for {@code n} pixels, {@code n} a multiple of four:
   * four pixels read six columns per kernel row.
   */
  private static void depthwise3x3Stride1(
      double[] x0,
      int b0,
      double[] x1,
      int b1,
      double[] x2,
      int b2,
      double[] w,
      int ch,
      double[] out,
      int o,
      int c,
      int n) {
    DoubleVector zero = DoubleVector.zero(S);
    DoubleVector w00 = DoubleVector.fromArray(S, w, ch);
    DoubleVector w01 = DoubleVector.fromArray(S, w, c + ch);
    DoubleVector w02 = DoubleVector.fromArray(S, w, 2 * c + ch);
    DoubleVector w10 = DoubleVector.fromArray(S, w, 3 * c + ch);
    DoubleVector w11 = DoubleVector.fromArray(S, w, 4 * c + ch);
    DoubleVector w12 = DoubleVector.fromArray(S, w, 5 * c + ch);
    DoubleVector w20 = DoubleVector.fromArray(S, w, 6 * c + ch);
    DoubleVector w21 = DoubleVector.fromArray(S, w, 7 * c + ch);
    DoubleVector w22 = DoubleVector.fromArray(S, w, 8 * c + ch);
    for (int k = 0, x = 0; k < n; k += PIXELS, x += PIXELS * c) {
      DoubleVector k0 = DoubleVector.fromArray(S, x0, b0 + x);
      DoubleVector k1 = DoubleVector.fromArray(S, x0, b0 + x + c);
      DoubleVector k2 = DoubleVector.fromArray(S, x0, b0 + x + 2 * c);
      DoubleVector k3 = DoubleVector.fromArray(S, x0, b0 + x + 3 * c);
      DoubleVector k4 = DoubleVector.fromArray(S, x0, b0 + x + 4 * c);
      DoubleVector k5 = DoubleVector.fromArray(S, x0, b0 + x + 5 * c);
      DoubleVector a0 = zero.add(k0.mul(w00)).add(k1.mul(w01)).add(k2.mul(w02));
      DoubleVector a1 = zero.add(k1.mul(w00)).add(k2.mul(w01)).add(k3.mul(w02));
      DoubleVector a2 = zero.add(k2.mul(w00)).add(k3.mul(w01)).add(k4.mul(w02));
      DoubleVector a3 = zero.add(k3.mul(w00)).add(k4.mul(w01)).add(k5.mul(w02));
      k0 = DoubleVector.fromArray(S, x1, b1 + x);
      k1 = DoubleVector.fromArray(S, x1, b1 + x + c);
      k2 = DoubleVector.fromArray(S, x1, b1 + x + 2 * c);
      k3 = DoubleVector.fromArray(S, x1, b1 + x + 3 * c);
      k4 = DoubleVector.fromArray(S, x1, b1 + x + 4 * c);
      k5 = DoubleVector.fromArray(S, x1, b1 + x + 5 * c);
      a0 = a0.add(k0.mul(w10)).add(k1.mul(w11)).add(k2.mul(w12));
      a1 = a1.add(k1.mul(w10)).add(k2.mul(w11)).add(k3.mul(w12));
      a2 = a2.add(k2.mul(w10)).add(k3.mul(w11)).add(k4.mul(w12));
      a3 = a3.add(k3.mul(w10)).add(k4.mul(w11)).add(k5.mul(w12));
      k0 = DoubleVector.fromArray(S, x2, b2 + x);
      k1 = DoubleVector.fromArray(S, x2, b2 + x + c);
      k2 = DoubleVector.fromArray(S, x2, b2 + x + 2 * c);
      k3 = DoubleVector.fromArray(S, x2, b2 + x + 3 * c);
      k4 = DoubleVector.fromArray(S, x2, b2 + x + 4 * c);
      k5 = DoubleVector.fromArray(S, x2, b2 + x + 5 * c);
      a0 = a0.add(k0.mul(w20)).add(k1.mul(w21)).add(k2.mul(w22));
      a1 = a1.add(k1.mul(w20)).add(k2.mul(w21)).add(k3.mul(w22));
      a2 = a2.add(k2.mul(w20)).add(k3.mul(w21)).add(k4.mul(w22));
      a3 = a3.add(k3.mul(w20)).add(k4.mul(w21)).add(k5.mul(w22));
      a0.intoArray(out, o + k * c);
      a1.intoArray(out, o + (k + 1) * c);
      a2.intoArray(out, o + (k + 2) * c);
      a3.intoArray(out, o + (k + 3) * c);
    }
  }

  /**
   * One output pixel {@code p} (NHW order) of a depthwise convolution, any kernel: its taps inside
   * the input are listed in {@code xo} and {@code wo} (scratch of {@code KH * KW} entries), then
   * each vector of channels sums them in a register (zero at the start).
   */
  private static void depthwiseListed(
      double[] in, double[] w, double[] out, Geometry g, int p, int[] xo, int[] wo) {
    int c = g.oc();
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
    depthwisePixel(in, w, out, p * c, c, c / L * L, xo, wo, n);
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
