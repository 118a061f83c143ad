package dev.npusim.simulator;

import dev.npusim.isa.Csr.OutputType;
import dev.npusim.isa.Csr.RequantMode;
import dev.npusim.isa.Csr.RoundingMode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * All datapath arithmetic of the machine, in one place, and the semantics of every instruction, one
 * static method per opcode with the opcode's name.
 *
 * <p>The fixed-point functions follow the names and definitions of gemmlowp / TensorFlow Lite
 * ({@code fixedpoint.h}, {@code MultiplyByQuantizedMultiplier}) as restated in {@code
 * case-format.md}; the float32 requantization follows ONNX Runtime's QLinearConv ({@code
 * MlasRequantizeOutput}: {@code float(acc) * scale}, round half to even).
 */
public final class Datapath {
  private Datapath() {}

  /**
   * True when the JVM resolves {@code jdk.incubator.vector}: the no-overflow MAC paths then run on
   * {@link VectorLanes}. The check does not touch the vector classes, so without the module they
   * are never loaded.
   */
  static final boolean VECTOR_LANES =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
          && !Boolean.getBoolean("npusim.scalar");

  /** Largest |x - z| for 8-bit x and zero point z of either signedness: 255 - (-128). */
  static final int MAX_OFFSET_OPERAND = 383;

  /** Largest |(x - zx) * (w - zw)|. */
  static final long MAX_PRODUCT = (long) MAX_OFFSET_OPERAND * MAX_OFFSET_OPERAND;

  // ------------------------------------------------------------------ fixed-point arithmetic

  /**
   * gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of {@code 2*a*b}, rounded half
   * up in magnitude (the nudge is {@code 2^30} for a non-negative product, {@code 1 - 2^30} for a
   * negative one, then the division truncates toward zero). The single overflow case {@code a == b
   * == INT_MIN} saturates to {@code INT_MAX}.
   */
  public static int saturatingRoundingDoublingHighMul(int a, int b) {
    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
      return Integer.MAX_VALUE;
    }
    long ab = (long) a * (long) b;
    long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
    // Java's long division truncates toward zero, as C++'s does.
    return (int) ((ab + nudge) / (1L << 31));
  }

  /**
   * gemmlowp's RoundingDivideByPOT: {@code x / 2^exponent} rounded half away from zero, for
   * exponent in [0, 31].
   */
  public static int roundingDivideByPowerOfTwo(int x, int exponent) {
    int mask = (int) ((1L << exponent) - 1);
    int remainder = x & mask;
    int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
  }

  /** {@code x / 2^exponent} rounded half to even, for exponent in [0, 31]. */
  public static int roundingDivideByPowerOfTwoHalfEven(int x, int exponent) {
    if (exponent == 0) {
      return x;
    }
    int floor = x >> exponent;
    long remainder = x & ((1L << exponent) - 1);
    long half = 1L << (exponent - 1);
    if (remainder > half || (remainder == half && (floor & 1) != 0)) {
      return floor + 1;
    }
    return floor;
  }

  /** {@code x / 2^exponent} rounded toward minus infinity (an arithmetic shift). */
  public static int truncatingDivideByPowerOfTwo(int x, int exponent) {
    return x >> exponent;
  }

  /**
   * TFLite's MultiplyByQuantizedMultiplier with a selectable final rounding: {@code shift > 0} is a
   * left shift applied before the high multiply (the product {@code x * 2^shift} wraps in 32 bits,
   * as in TFLite), {@code shift < 0} a right shift applied after it.
   */
  public static int multiplyByQuantizedMultiplier(
      int x, int multiplier, int shift, RoundingMode rounding) {
    int leftShift = shift > 0 ? shift : 0;
    int rightShift = shift > 0 ? 0 : -shift;
    int high = saturatingRoundingDoublingHighMul(x * (1 << leftShift), multiplier);
    return switch (rounding) {
      case TFLITE -> roundingDivideByPowerOfTwo(high, rightShift);
      case HALF_EVEN -> roundingDivideByPowerOfTwoHalfEven(high, rightShift);
      case TRUNCATE -> truncatingDivideByPowerOfTwo(high, rightShift);
    };
  }

  /**
   * ONNX Runtime's float requantization: {@code round_half_to_even(float32(acc) * scale)}, the
   * product formed in float32 and clamped in float before it becomes an integer, as {@code
   * MlasRequantizeOutput} clamps it to the output range. The clamp here is to [-2^31, 2^31] (both
   * exact floats), wide enough that any product outside an 8-bit range stays outside it (and counts
   * as a saturation) and narrow enough that adding a zero point cannot overflow: a product of 1e14
   * or of 3.4e38 saturates instead of wrapping. NaN gives 0.
   */
  public static long requantizeFloat32(int acc, float scale) {
    float product = (float) acc * scale;
    float clamped = Math.min(Math.max(product, -0x1p31f), 0x1p31f);
    return (long) Math.rint(clamped);
  }

  /** Two's-complement wrap of a value to {@code bits} bits (sign-extended). */
  public static long wrap(long value, int bits) {
    int drop = 64 - bits;
    return (value << drop) >> drop;
  }

  /** Saturation of a value to the signed range of {@code bits} bits. */
  public static long saturate(long value, int bits) {
    long max = (1L << (bits - 1)) - 1;
    long min = -(1L << (bits - 1));
    return value > max ? max : (value < min ? min : value);
  }

  // ------------------------------------------------------------------ scalar instructions

  public static int add(int a, int b) {
    return a + b;
  }

  public static int sub(int a, int b) {
    return a - b;
  }

  public static int mul(int a, int b) {
    return a * b;
  }

  public static int and(int a, int b) {
    return a & b;
  }

  public static int or(int a, int b) {
    return a | b;
  }

  public static int xor(int a, int b) {
    return a ^ b;
  }

  public static int sll(int a, int b) {
    return a << (b & 31);
  }

  public static int srl(int a, int b) {
    return a >>> (b & 31);
  }

  public static int sra(int a, int b) {
    return a >> (b & 31);
  }

  public static int slt(int a, int b) {
    return a < b ? 1 : 0;
  }

  public static int addi(int a, int imm) {
    return a + imm;
  }

  public static int muli(int a, int imm) {
    return a * imm;
  }

  public static int andi(int a, int imm) {
    return a & imm;
  }

  public static int slli(int a, int shamt) {
    return a << shamt;
  }

  public static int srli(int a, int shamt) {
    return a >>> shamt;
  }

  public static int srai(int a, int shamt) {
    return a >> shamt;
  }

  public static boolean beq(int a, int b) {
    return a == b;
  }

  public static boolean bne(int a, int b) {
    return a != b;
  }

  public static boolean blt(int a, int b) {
    return a < b;
  }

  public static boolean bge(int a, int b) {
    return a >= b;
  }

  // ------------------------------------------------------------------ vector memory

  public static void vldS8(byte[] spad, int addr, int[] vd, int vl) {
    for (int l = 0; l < vl; l++) {
      vd[l] = spad[addr + l];
    }
    clearTail(vd, vl);
  }

  public static void vldU8(byte[] spad, int addr, int[] vd, int vl) {
    for (int l = 0; l < vl; l++) {
      vd[l] = spad[addr + l] & 0xFF;
    }
    clearTail(vd, vl);
  }

  public static void vldsS8(byte[] spad, int addr, int stride, int[] vd, int vl) {
    for (int l = 0; l < vl; l++) {
      vd[l] = spad[addr + l * stride];
    }
    clearTail(vd, vl);
  }

  public static void vldsU8(byte[] spad, int addr, int stride, int[] vd, int vl) {
    for (int l = 0; l < vl; l++) {
      vd[l] = spad[addr + l * stride] & 0xFF;
    }
    clearTail(vd, vl);
  }

  public static void vbcS8(byte[] spad, int addr, int[] vd, int vl) {
    Arrays.fill(vd, 0, vl, spad[addr]);
    clearTail(vd, vl);
  }

  public static void vbcU8(byte[] spad, int addr, int[] vd, int vl) {
    Arrays.fill(vd, 0, vl, spad[addr] & 0xFF);
    clearTail(vd, vl);
  }

  public static void vst(byte[] spad, int addr, int[] vs, int vl) {
    for (int l = 0; l < vl; l++) {
      spad[addr + l] = (byte) vs[l];
    }
  }

  public static void vsts(byte[] spad, int addr, int stride, int[] vs, int vl) {
    for (int l = 0; l < vl; l++) {
      spad[addr + l * stride] = (byte) vs[l];
    }
  }

  static void clearTail(int[] v, int vl) {
    if (vl < v.length) {
      Arrays.fill(v, vl, v.length, 0);
    }
  }

  // ------------------------------------------------------------------ multiply-accumulate

  /** {@code acc[l] += (va[l] - zx) * (vb[l] - zw[l])}. */
  static void vmac(AccumulatorFile accs, int d, int[] va, int[] vb, int zx, int[] zw, int vl) {
    long[] acc = accs.lanes[d];
    if (accs.headroom(d, MAX_PRODUCT)) {
      if (VECTOR_LANES) {
        accs.magnitudeBits |= VectorLanes.mac(acc, va, vb, zx, zw, vl, accs.trackWidth);
      } else if (accs.trackWidth) {
        long bits = 0;
        for (int l = 0; l < vl; l++) {
          long v = acc[l] + (va[l] - zx) * (vb[l] - zw[l]);
          acc[l] = v;
          bits |= v ^ (v >> 63);
        }
        accs.magnitudeBits |= bits;
      } else {
        for (int l = 0; l < vl; l++) {
          acc[l] += (va[l] - zx) * (vb[l] - zw[l]);
        }
      }
      accs.bound[d] += MAX_PRODUCT;
    } else {
      for (int l = 0; l < vl; l++) {
        acc[l] = accs.fit(acc[l] + (long) ((va[l] - zx) * (vb[l] - zw[l])));
      }
      accs.rebound(d);
    }
  }

  /** {@code acc[l] += (x - zx) * (vb[l] - zw[l])} with x = va[lane] broadcast. */
  static void vmacE(AccumulatorFile accs, int d, int x, int[] vb, int zx, int[] zw, int vl) {
    long[] acc = accs.lanes[d];
    int xo = x - zx;
    long product = (long) Math.abs(xo) * MAX_OFFSET_OPERAND;
    if (accs.headroom(d, product)) {
      if (VECTOR_LANES) {
        accs.magnitudeBits |= VectorLanes.macBroadcast(acc, xo, vb, zw, vl, accs.trackWidth);
      } else if (accs.trackWidth) {
        long bits = 0;
        for (int l = 0; l < vl; l++) {
          long v = acc[l] + xo * (vb[l] - zw[l]);
          acc[l] = v;
          bits |= v ^ (v >> 63);
        }
        accs.magnitudeBits |= bits;
      } else {
        for (int l = 0; l < vl; l++) {
          acc[l] += xo * (vb[l] - zw[l]);
        }
      }
      accs.bound[d] += product;
    } else {
      for (int l = 0; l < vl; l++) {
        acc[l] = accs.fit(acc[l] + (long) (xo * (vb[l] - zw[l])));
      }
      accs.rebound(d);
    }
  }

  /**
   * {@code acc[l] += sum_k (x_k - zx) * (w_k[l] - zw[l])} for k in 0..3: the four products are
   * summed exactly, then added to the accumulator once (one overflow check per lane).
   */
  static void vdot4(
      AccumulatorFile accs,
      int d,
      int x0,
      int x1,
      int x2,
      int x3,
      int[] w0,
      int[] w1,
      int[] w2,
      int[] w3,
      int zx,
      int[] zw,
      int vl) {
    long[] acc = accs.lanes[d];
    int a0 = x0 - zx;
    int a1 = x1 - zx;
    int a2 = x2 - zx;
    int a3 = x3 - zx;
    long sum =
        ((long) Math.abs(a0) + Math.abs(a1) + Math.abs(a2) + Math.abs(a3)) * MAX_OFFSET_OPERAND;
    if (accs.headroom(d, sum)) {
      if (VECTOR_LANES) {
        accs.magnitudeBits |=
            VectorLanes.dot4(acc, a0, a1, a2, a3, w0, w1, w2, w3, zw, vl, accs.trackWidth);
      } else if (accs.trackWidth) {
        long bits = 0;
        for (int l = 0; l < vl; l++) {
          int z = zw[l];
          long v =
              acc[l] + a0 * (w0[l] - z) + a1 * (w1[l] - z) + a2 * (w2[l] - z) + a3 * (w3[l] - z);
          acc[l] = v;
          bits |= v ^ (v >> 63);
        }
        accs.magnitudeBits |= bits;
      } else {
        for (int l = 0; l < vl; l++) {
          int z = zw[l];
          acc[l] += a0 * (w0[l] - z) + a1 * (w1[l] - z) + a2 * (w2[l] - z) + a3 * (w3[l] - z);
        }
      }
      accs.bound[d] += sum;
    } else {
      for (int l = 0; l < vl; l++) {
        int z = zw[l];
        long dot =
            (long) (a0 * (w0[l] - z)) + a1 * (w1[l] - z) + a2 * (w2[l] - z) + a3 * (w3[l] - z);
        acc[l] = accs.fit(acc[l] + dot);
      }
      accs.rebound(d);
    }
  }

  static void vclr(AccumulatorFile accs, int d) {
    Arrays.fill(accs.lanes[d], 0);
    accs.bound[d] = 0;
  }

  /** {@code acc[l] = int32le(par[addr + 4l])} for l < vl, 0 above; checked at the width. */
  static void vbias(AccumulatorFile accs, int d, byte[] par, int addr, int vl) {
    long[] acc = accs.lanes[d];
    if (accs.bits >= 32) {
      // Every int32 fits: nothing to count, and the bound is the largest |bias| (the lanes above
      // vl are 0). One pass instead of fit per lane and rebound over all lanes; with width
      // tracking, each bias folded in as fit folds it.
      long bound = 0;
      long bits = 0;
      for (int l = 0; l < vl; l++) {
        long bias = (int) INT32_LE.get(par, addr + 4 * l);
        acc[l] = bias;
        bound = Math.max(bound, Math.abs(bias));
        bits |= bias ^ (bias >> 63);
      }
      if (vl < acc.length) {
        Arrays.fill(acc, vl, acc.length, 0);
      }
      accs.bound[d] = bound;
      if (accs.trackWidth) {
        accs.magnitudeBits |= bits;
      }
      return;
    }
    for (int l = 0; l < vl; l++) {
      acc[l] = accs.fit(int32(par, addr + 4 * l));
    }
    if (vl < acc.length) {
      Arrays.fill(acc, vl, acc.length, 0);
    }
    accs.rebound(d);
  }

  static void vsetzw(int[] zw, int[] vs, int vl) {
    System.arraycopy(vs, 0, zw, 0, vl);
  }

  /**
   * Loads per-lane multipliers and shifts.
   *
   * @return the first lane whose shift is outside [-31, 31], or -1
   */
  static int rqld(int[] m, int[] s, byte[] par, int addrM, int addrS, int vl) {
    int bad = -1;
    for (int l = 0; l < vl; l++) {
      m[l] = int32(par, addrM + 4 * l);
      int shift = int32(par, addrS + 4 * l);
      if ((shift < -31 || shift > 31) && bad < 0) {
        bad = l;
      }
      s[l] = shift;
    }
    return bad;
  }

  /**
   * Requantizes accumulator lanes to 8-bit outputs: {@code r = zo + requantize(acc)} (an int32 add
   * in Q31 mode, as TFLite's; exact in float32 mode, as ONNX Runtime's); an {@code r} outside the
   * 8-bit output type counts as a saturation, an {@code r} inside it but outside [amin, amax] as a
   * clamp hit; the output is r clamped to [amin, amax] and then to the type. Accumulators wider
   * than 32 bits saturate into the 32-bit requantizer input.
   *
   * @param counts {@code counts[0] += saturations; counts[1] += clamp hits}
   */
  static void vrq(
      int[] vd,
      long[] acc,
      int[] m,
      int[] s,
      RoundingMode rounding,
      RequantMode mode,
      OutputType type,
      int zeroPoint,
      int clampMin,
      int clampMax,
      int vl,
      long[] counts) {
    vrqLanes(vd, acc, m, s, rounding, mode, type, zeroPoint, clampMin, clampMax, 0, vl, counts);
    clearTail(vd, vl);
  }

  /**
   * {@link #vrq} of lanes {@code from} to {@code to - 1} only (the lanes above are left alone): the
   * scalar rest of the fast engine's vector requantization ({@link FusedEpilogue}).
   */
  static void vrqLanes(
      int[] vd,
      long[] acc,
      int[] m,
      int[] s,
      RoundingMode rounding,
      RequantMode mode,
      OutputType type,
      int zeroPoint,
      int clampMin,
      int clampMax,
      int from,
      int to,
      long[] counts) {
    int typeMin = type.min();
    int typeMax = type.max();
    long sat = 0;
    long clamp = 0;
    for (int l = from; l < to; l++) {
      int x = (int) saturate(acc[l], 32);
      long r;
      if (mode == RequantMode.Q31) {
        // TFLite adds the output offset in int32 (acc += output_offset), which wraps when the
        // requantized value lies within 255 of the int32 limits; bit-exactness keeps the wrap.
        int sum = zeroPoint + multiplyByQuantizedMultiplier(x, m[l], s[l], rounding);
        r = sum;
      } else {
        // ONNX Runtime clamps in float before adding the zero point: no wrap.
        r = zeroPoint + requantizeFloat32(x, Float.intBitsToFloat(m[l]));
      }
      // Counted without branches (1 when r lies outside a range): outputs are near-random, and
      // the branches mispredicted often enough to be a large part of a layer's time (JFR).
      long outsideType = ((r - typeMin) | (typeMax - r)) >>> 63;
      long outsideClamp = ((r - clampMin) | (clampMax - r)) >>> 63;
      sat += outsideType;
      clamp += outsideClamp & ~outsideType;
      r = Math.min(Math.max(r, clampMin), clampMax);
      r = Math.min(Math.max(r, typeMin), typeMax);
      vd[l] = (int) r;
    }
    counts[0] += sat;
    counts[1] += clamp;
  }

  // ------------------------------------------------------------------ pooling and element-wise

  /**
   * TFLite's {@code left_shift} for 8-bit ADD ({@code add.cc}: {@code data->left_shift = 20}): the
   * inputs are scaled up by 2^20 before their multipliers, so the rescale keeps 20 fraction bits.
   */
  public static final int ADD_LEFT_SHIFT = 20;

  /**
   * TFLite's average-pool rounding ({@code reference_integer_ops/pooling.h}, {@code AveragePool}):
   * {@code acc > 0 ? (acc + filter_count / 2) / filter_count : (acc - filter_count / 2) /
   * filter_count}, every division truncating toward zero (C++ and Java alike), the adds in int32.
   */
  public static int roundedAverage(int acc, int filterCount) {
    return acc > 0 ? (acc + filterCount / 2) / filterCount : (acc - filterCount / 2) / filterCount;
  }

  /**
   * One input of TFLite's 8-bit ADD ({@code reference_integer_ops/add.h}, {@code AddFunc}): {@code
   * input_val = x + input_offset} (the offset is minus the zero point), {@code shifted_input_val =
   * input_val * 2^left_shift}, {@code scaled_input_val =
   * MultiplyByQuantizedMultiplierSmallerThanOneExp(shifted_input_val, multiplier, shift)}, which
   * for {@code shift <= 0} is {@link #multiplyByQuantizedMultiplier} (a positive shift, which
   * TFLite's converter never produces here, is its left shift).
   */
  public static int scaledAddInput(
      int x, int zeroPoint, int multiplier, int shift, RoundingMode rounding) {
    int inputVal = x - zeroPoint;
    int shiftedInputVal = inputVal * (1 << ADD_LEFT_SHIFT);
    return multiplyByQuantizedMultiplier(shiftedInputVal, multiplier, shift, rounding);
  }

  /** {@code acc[l] += va[l] - zx}, checked at the accumulator width. */
  static void vacc(AccumulatorFile accs, int d, int[] va, int zx, int vl) {
    long[] acc = accs.lanes[d];
    if (accs.headroom(d, MAX_OFFSET_OPERAND)) {
      long bits = 0;
      for (int l = 0; l < vl; l++) {
        long v = acc[l] + (va[l] - zx);
        acc[l] = v;
        bits |= v ^ (v >> 63);
      }
      if (accs.trackWidth) {
        accs.magnitudeBits |= bits;
      }
      accs.bound[d] += MAX_OFFSET_OPERAND;
    } else {
      for (int l = 0; l < vl; l++) {
        acc[l] = accs.fit(acc[l] + (va[l] - zx));
      }
      accs.rebound(d);
    }
  }

  /** {@code vd[l] = max(va[l], vb[l])}. */
  static void vmax(int[] vd, int[] va, int[] vb, int vl) {
    for (int l = 0; l < vl; l++) {
      vd[l] = Math.max(va[l], vb[l]);
    }
  }

  /**
   * {@code vd[l] = va[l]} clamped to [amin, amax], then to the output type, counted as by {@link
   * #vrq}: TFLite's max pool clamps its maximum to the activation range ({@code
   * reference_integer_ops/pooling.h}, {@code MaxPool}).
   */
  static void vclamp(
      int[] vd, int[] va, OutputType type, int clampMin, int clampMax, int vl, long[] counts) {
    for (int l = 0; l < vl; l++) {
      vd[l] = toOutput(va[l], type, clampMin, clampMax, counts);
    }
  }

  /**
   * {@code vd[l] = roundedAverage(acc[l], n)} clamped to [amin, amax] and to the output type;
   * accumulators wider than 32 bits saturate into int32 first, as for {@link #vrq}.
   */
  static void vavg(
      int[] vd,
      long[] acc,
      int n,
      OutputType type,
      int clampMin,
      int clampMax,
      int vl,
      long[] counts) {
    for (int l = 0; l < vl; l++) {
      int a = (int) saturate(acc[l], 32);
      vd[l] = toOutput(roundedAverage(a, n), type, clampMin, clampMax, counts);
    }
  }

  /**
   * {@code acc[l] += scaledAddInput(va[l], z, m, s)}, checked at the accumulator width: two of
   * these into a cleared accumulator form TFLite's {@code raw_sum}, which {@link #vrq} then
   * rescales with the output multiplier, adds the output offset to and clamps.
   */
  static void vsadd(
      AccumulatorFile accs,
      int d,
      int[] va,
      int multiplier,
      int shift,
      int zeroPoint,
      RoundingMode rounding,
      int vl) {
    long[] acc = accs.lanes[d];
    for (int l = 0; l < vl; l++) {
      acc[l] = accs.fit(acc[l] + scaledAddInput(va[l], zeroPoint, multiplier, shift, rounding));
    }
    accs.rebound(d);
  }

  /** r clamped to [amin, amax], then to the type; counts[0] saturations, counts[1] clamp hits. */
  private static int toOutput(long r, OutputType type, int clampMin, int clampMax, long[] counts) {
    if (r < type.min() || r > type.max()) {
      counts[0]++;
    } else if (r < clampMin || r > clampMax) {
      counts[1]++;
    }
    r = Math.min(Math.max(r, clampMin), clampMax);
    r = Math.min(Math.max(r, type.min()), type.max());
    return (int) r;
  }

  /** Little-endian int32 view of a byte array: one load where {@link #int32} assembles four. */
  private static final VarHandle INT32_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  static int int32(byte[] b, int addr) {
    return (b[addr] & 0xFF)
        | (b[addr + 1] & 0xFF) << 8
        | (b[addr + 2] & 0xFF) << 16
        | (b[addr + 3] & 0xFF) << 24;
  }
}
