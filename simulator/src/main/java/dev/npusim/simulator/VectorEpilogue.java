package dev.npusim.simulator;

import dev.npusim.isa.Csr.RoundingMode;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Datapath#vrq}, {@link Datapath#vbias} and {@link Datapath#vst} on JDK 17's (incubating)
 * Vector API, for the fast engine's epilogues ({@link FusedEpilogue}): the same outputs and the
 * same saturation and clamp counts, bit for bit, including ties, {@code INT_MIN * INT_MIN},
 * wrapping left shifts and output-offset adds, and NaN, infinite and extreme float scales. The
 * interpreter keeps the scalar {@link Datapath} methods, so the engine comparisons check this class
 * too.
 *
 * <p>Each method does the lanes below the largest multiple of the vector width that is at most
 * {@code vl}, returns that multiple, and leaves the rest (and the lanes above vl) to the caller.
 * Loaded only when the JVM resolves {@code jdk.incubator.vector} ({@link Datapath#VECTOR_LANES}).
 *
 * <p>Species: long lanes of the host's preferred width, and int and float lanes of the same count
 * (half the width), the shapes {@link VectorLanes} uses; a second int shape in one JVM makes the
 * Vector API's shared call sites polymorphic and everything several times slower.
 */
final class VectorEpilogue {
  private VectorEpilogue() {}

  private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;

  private static final VectorSpecies<Integer> INTS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(LONGS.vectorBitSize() / 2));

  private static final VectorSpecies<Float> FLOATS =
      VectorSpecies.of(float.class, INTS.vectorShape());

  /** Lanes per step. */
  static final int STEP = LONGS.length();

  /**
   * The float products are clamped to [-2^20, 2^20] instead of the scalar path's [-2^31, 2^31]: any
   * product beyond 2^20 in magnitude gives, after the zero point (at most 255 in magnitude) is
   * added, a value outside every 8-bit type on the same side, so the output and the counts are the
   * same; and inside 2^22 the magic-number rounding below is exact.
   */
  private static final float FLOAT_CLAMP = 0x1p20f;

  /**
   * 1.5 * 2^23: for |p| < 2^22, p + MAGIC lies in [2^23, 2^24), where floats are the integers, so
   * the add itself rounds p half to even (MAGIC is even, so the parity of the sum is that of the
   * rounded p) and the sum's bit pattern minus MAGIC's is the rounded p as an int. JDK 17's Vector
   * API has no round-to-integer operation.
   */
  private static final float MAGIC = 0x1.8p23f;

  private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);

  /** Lanes l..l+STEP of {@code acc} saturated into int32, as vrq's {@code saturate(acc, 32)}. */
  private static IntVector saturated(long[] acc, int l) {
    return (IntVector)
        LongVector.fromArray(LONGS, acc, l)
            .max(Integer.MIN_VALUE)
            .min(Integer.MAX_VALUE)
            .convertShape(VectorOperators.L2I, INTS, 0);
  }

  private static LongVector widen(IntVector v) {
    return (LongVector) v.convertShape(VectorOperators.I2L, LONGS, 0);
  }

  /**
   * {@link Datapath#vrq} in {@code Q31} mode: {@code r = zo + multiplyByQuantizedMultiplier(x, m,
   * s, rounding)} in wrapping int32, then counted and clamped.
   *
   * <p>The three roundings share one loop, chosen by scalars rather than by a branch: C2 keeps
   * vectors in registers only when no vector value flows through a conditional merge (a switch over
   * the rounding inside the loop boxed every vector and ran ten times slower). With {@code floor =
   * high >> right}, {@code remainder = high & mask & keep} and {@code mask = 2^right - 1}, the
   * result is {@code floor + 1} when {@code remainder > t}, or when {@code remainder == t} and
   * {@code floor & odd} is not 0, with
   *
   * <ul>
   *   <li>TFLite's RoundingDivideByPOT: {@code t = (mask >> 1) + (high < 0 ? 1 : 0)}, odd = 0 (keep
   *       all ones, plusOne 0, negative 1);
   *   <li>half to even: {@code t = (mask >> 1) + 1}, the half, and odd = 1 (plusOne 1, negative 0);
   *   <li>truncation: keep = 0, so the remainder 0 is never above t (at least 0), and odd = 0.
   * </ul>
   *
   * @param s per-lane shifts, each in [-31, 31] ({@code rqld} faults on any other)
   * @return the lanes done
   */
  static int q31(
      int[] vd,
      long[] acc,
      int[] m,
      int[] s,
      RoundingMode rounding,
      int zeroPoint,
      int typeMin,
      int typeMax,
      int clampMin,
      int clampMax,
      int vl,
      long[] counts) {
    final int keep = rounding == RoundingMode.TRUNCATE ? 0 : -1;
    final int plusOne = rounding == RoundingMode.HALF_EVEN ? 1 : 0;
    final int negative = rounding == RoundingMode.TFLITE ? 1 : 0;
    final int odd = rounding == RoundingMode.HALF_EVEN ? 1 : 0;
    long sat = 0;
    long clamp = 0;
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      IntVector shift = IntVector.fromArray(INTS, s, l);
      IntVector left = shift.max(0);
      // max(s, 0) - s = max(-s, 0): IntVector.neg (JDK 17) made the whole loop four times slower.
      IntVector right = left.sub(shift);
      // x * (1 << left), wrapping in 32 bits as TFLite's.
      IntVector x = saturated(acc, l).lanewise(VectorOperators.LSHL, left);
      IntVector high = highMul(x, IntVector.fromArray(INTS, m, l));
      IntVector mask = IntVector.broadcast(INTS, 1).lanewise(VectorOperators.LSHL, right).sub(1);
      IntVector remainder = high.and(mask).and(keep);
      IntVector t =
          mask.lanewise(VectorOperators.ASHR, 1)
              .add(plusOne)
              .add(high.lanewise(VectorOperators.LSHR, 31).and(negative));
      IntVector floor = high.lanewise(VectorOperators.ASHR, right);
      // Both t and the remainder lie in [0, 2^31), so t - remainder is negative exactly when the
      // remainder is above t; z - 1 & ~z is negative exactly when z is 0.
      IntVector above = t.sub(remainder).lanewise(VectorOperators.LSHR, 31);
      IntVector z = remainder.lanewise(VectorOperators.XOR, t);
      IntVector tie = z.sub(1).and(z.not()).lanewise(VectorOperators.LSHR, 31).and(floor).and(odd);
      IntVector r = floor.add(above.or(tie)).add(zeroPoint);
      // r is any int (the output offset add wraps); clamped to [-1024, 1024] it lies outside a
      // range exactly when r does, and the differences below cannot overflow: their sign bits
      // count saturations and clamp hits as the scalar path does, without a mask.
      IntVector c = r.max(-1024).min(1024);
      IntVector outsideType =
          c.sub(typeMin)
              .or(IntVector.broadcast(INTS, typeMax).sub(c))
              .lanewise(VectorOperators.LSHR, 31);
      IntVector outsideClamp =
          c.sub(clampMin)
              .or(IntVector.broadcast(INTS, clampMax).sub(c))
              .lanewise(VectorOperators.LSHR, 31);
      // Both counts in one reduction (at most STEP each): loop-carried count vectors, as in
      // float32, made C2 box this longer loop's vectors (four times slower).
      int both =
          outsideType
              .add(outsideClamp.and(outsideType.not()).lanewise(VectorOperators.LSHL, 16))
              .reduceLanes(VectorOperators.ADD);
      sat += both & 0xFFFF;
      clamp += both >>> 16;
      c.max(clampMin).min(clampMax).max(typeMin).min(typeMax).intoArray(vd, l);
    }
    counts[0] += sat;
    counts[1] += clamp;
    return l;
  }

  /**
   * SaturatingRoundingDoublingHighMul: {@code (a * b + nudge) / 2^31} truncated toward zero, with
   * nudge {@code 2^30} for a non-negative product and {@code 1 - 2^30} for a negative one, in long
   * lanes. The truncating division adds {@code 2^31 - 1} to a negative dividend before the
   * arithmetic shift. Only {@code INT_MIN * INT_MIN} gives 2^31, which the min saturates to {@code
   * INT_MAX}.
   */
  private static IntVector highMul(IntVector a, IntVector b) {
    LongVector ab = widen(a).mul(widen(b));
    // The nudge without a compare and blend: 2^30, plus 1 - 2^31 where ab is negative.
    LongVector sum =
        ab.add(ab.lanewise(VectorOperators.ASHR, 63).and(1L - (1L << 31))).add(1L << 30);
    LongVector bias = sum.lanewise(VectorOperators.ASHR, 63).and((1L << 31) - 1);
    return (IntVector)
        sum.add(bias)
            .lanewise(VectorOperators.ASHR, 31)
            .min(Integer.MAX_VALUE)
            .convertShape(VectorOperators.L2I, INTS, 0);
  }

  /**
   * {@link Datapath#vrq} in {@code FLOAT32} mode: {@code r = zo + round_half_to_even(clamp(float(x)
   * * scale))}, a NaN product giving 0, then counted and clamped. The scales are the bits of {@code
   * m}.
   *
   * @return the lanes done
   */
  static int float32(
      int[] vd,
      long[] acc,
      int[] m,
      int zeroPoint,
      int typeMin,
      int typeMax,
      int clampMin,
      int clampMax,
      int vl,
      long[] counts) {
    IntVector sat = IntVector.zero(INTS);
    IntVector clamp = IntVector.zero(INTS);
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      FloatVector x = (FloatVector) saturated(acc, l).convert(VectorOperators.I2F, 0);
      FloatVector product = x.mul(IntVector.fromArray(INTS, m, l).reinterpretAsFloats());
      VectorMask<Integer> nan = product.test(VectorOperators.IS_NAN).cast(INTS);
      IntVector rounded =
          product
              .max(-FLOAT_CLAMP)
              .min(FLOAT_CLAMP)
              .add(MAGIC)
              .reinterpretAsInts()
              .sub(MAGIC_BITS)
              .blend(0, nan);
      IntVector r = rounded.add(zeroPoint);
      // r is any int (the output offset add wraps); clamped to [-1024, 1024] it lies outside a
      // range exactly when r does, and the differences below cannot overflow: their sign bits
      // count saturations and clamp hits as the scalar path does, without a mask.
      IntVector c = r.max(-1024).min(1024);
      IntVector outsideType =
          c.sub(typeMin)
              .or(IntVector.broadcast(INTS, typeMax).sub(c))
              .lanewise(VectorOperators.LSHR, 31);
      IntVector outsideClamp =
          c.sub(clampMin)
              .or(IntVector.broadcast(INTS, clampMax).sub(c))
              .lanewise(VectorOperators.LSHR, 31);
      sat = sat.add(outsideType);
      clamp = clamp.add(outsideClamp.and(outsideType.not()));
      c.max(clampMin).min(clampMax).max(typeMin).min(typeMax).intoArray(vd, l);
    }
    counts[0] += sat.reduceLanes(VectorOperators.ADD);
    counts[1] += clamp.reduceLanes(VectorOperators.ADD);
    return l;
  }

  /**
   * {@link Datapath#vbias} for 32-bit or wider accumulators without width tracking: {@code acc[l] =
   * int32le(par[addr + 4l])}.
   *
   * @return the largest |bias| of the lanes done
   */
  static long bias(long[] acc, byte[] par, int addr, int vl) {
    long bound = 0;
    for (int l = 0; l <= vl - STEP; l += STEP) {
      LongVector v =
          widen(IntVector.fromByteArray(INTS, par, addr + 4 * l, ByteOrder.LITTLE_ENDIAN));
      v.intoArray(acc, l);
      bound = Math.max(bound, v.lanewise(VectorOperators.ABS).reduceLanes(VectorOperators.MAX));
    }
    return bound;
  }

  /**
   * {@link Datapath#vbias} for 32-bit or wider accumulators with width tracking: as {@link #bias},
   * and the watermark of the biases ({@code v ^ (v >> 63)} ORed over the lanes done), which {@link
   * AccumulatorFile#fit} would fold in. Both come back in one long: the bound (at most 2^31) in the
   * high 32 bits, the watermark (below 2^31) in the low 32.
   */
  static long biasTracked(long[] acc, byte[] par, int addr, int vl) {
    long bound = 0;
    long bits = 0;
    for (int l = 0; l <= vl - STEP; l += STEP) {
      LongVector v =
          widen(IntVector.fromByteArray(INTS, par, addr + 4 * l, ByteOrder.LITTLE_ENDIAN));
      v.intoArray(acc, l);
      bound = Math.max(bound, v.lanewise(VectorOperators.ABS).reduceLanes(VectorOperators.MAX));
      bits |=
          v.lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.ASHR, 63))
              .reduceLanes(VectorOperators.OR);
    }
    return bound << 32 | bits;
  }

  /** Byte lanes of the int lanes' count. */
  private static final VectorSpecies<Byte> BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(INTS.vectorBitSize() / 4));

  /**
   * {@link Datapath#vst}: {@code spad[addr + l] = (byte) v[l]}, the low 8 bits as Java's cast.
   *
   * @return the lanes done
   */
  static int store(byte[] spad, int addr, int[] v, int vl) {
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      IntVector.fromArray(INTS, v, l)
          .convertShape(VectorOperators.I2B, BYTES, 0)
          .reinterpretAsBytes()
          .intoArray(spad, addr + l);
    }
    return l;
  }

  static {
    // The float species must have the int species' lane count for the reinterpretations above.
    if (FLOATS.length() != INTS.length() || INTS.length() != LONGS.length()) {
      throw new AssertionError("vector species of different lane counts");
    }
  }
}
