package dev.npusim.simulator;

import dev.npusim.isa.Csr.RoundingMode;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Datapath#vrq} on JDK 17's (incubating) Vector API, for the fast engine's epilogues ({@link
 * FusedEpilogue}): the same outputs and the same saturation and clamp counts, bit for bit,
 * including ties, {@code INT_MIN * INT_MIN}, wrapping left shifts and output-offset adds, and NaN,
 * infinite and extreme float scales. The interpreter keeps the scalar {@link Datapath#vrq}, so the
 * engine comparisons check this class too.
 *
 * <p>Each method does the lanes below the largest multiple of the vector width that is at most
 * {@code vl}, returns that multiple, and leaves the rest (and the lanes above vl) to the caller.
 * Loaded only when the JVM resolves {@code jdk.incubator.vector} ({@link Datapath#VECTOR_LANES}).
 *
 * <p>Species: long lanes of the host's preferred width, and int and float lanes of the same count
 * (half the width), the shapes {@link VectorLanes} uses; a second int shape in one JVM makes the
 * Vector API's shared call sites polymorphic and everything several times slower.
 */
final class VectorRequant {
  private VectorRequant() {}

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
    long sat = 0;
    long clamp = 0;
    int l = 0;
    for (; l <= vl - STEP; l += STEP) {
      IntVector shift = IntVector.fromArray(INTS, s, l);
      IntVector left = shift.max(0);
      IntVector right = shift.neg().max(0);
      // x * (1 << left), wrapping in 32 bits as TFLite's.
      IntVector x = saturated(acc, l).lanewise(VectorOperators.LSHL, left);
      IntVector high = highMul(x, IntVector.fromArray(INTS, m, l));
      IntVector q =
          switch (rounding) {
            case TFLITE -> divideHalfAwayFromZero(high, right);
            case HALF_EVEN -> divideHalfEven(high, right);
            case TRUNCATE -> high.lanewise(VectorOperators.ASHR, right);
          };
      IntVector r = q.add(zeroPoint);
      VectorMask<Integer> outsideType = r.compare(VectorOperators.LT, typeMin);
      outsideType = outsideType.or(r.compare(VectorOperators.GT, typeMax));
      VectorMask<Integer> outsideClamp = r.compare(VectorOperators.LT, clampMin);
      outsideClamp = outsideClamp.or(r.compare(VectorOperators.GT, clampMax));
      sat += outsideType.trueCount();
      clamp += outsideClamp.andNot(outsideType).trueCount();
      r.max(clampMin).min(clampMax).max(typeMin).min(typeMax).intoArray(vd, l);
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
    VectorMask<Long> negative = ab.compare(VectorOperators.LT, 0);
    LongVector sum = ab.add(1L << 30).blend(ab.add(1L - (1L << 30)), negative);
    LongVector bias = sum.lanewise(VectorOperators.ASHR, 63).and((1L << 31) - 1);
    return (IntVector)
        sum.add(bias)
            .lanewise(VectorOperators.ASHR, 31)
            .min(Integer.MAX_VALUE)
            .convertShape(VectorOperators.L2I, INTS, 0);
  }

  /**
   * RoundingDivideByPOT: {@code (x >> e) + (remainder > threshold ? 1 : 0)} with mask {@code 2^e -
   * 1} (in wrapping int arithmetic {@code (1 << 31) - 1} is {@code INT_MAX}, as the scalar long
   * mask cast to int), remainder {@code x & mask}, threshold {@code (mask >> 1) + (x < 0 ? 1 : 0)}.
   */
  private static IntVector divideHalfAwayFromZero(IntVector x, IntVector e) {
    IntVector mask = IntVector.broadcast(INTS, 1).lanewise(VectorOperators.LSHL, e).sub(1);
    IntVector remainder = x.and(mask);
    IntVector threshold =
        mask.lanewise(VectorOperators.ASHR, 1).add(x.lanewise(VectorOperators.LSHR, 31));
    return x.lanewise(VectorOperators.ASHR, e)
        .add(1, remainder.compare(VectorOperators.GT, threshold));
  }

  /**
   * {@link Datapath#roundingDivideByPowerOfTwoHalfEven}: up when the remainder is above half, or
   * equal to it with an odd floor; half is {@code (mask >>> 1) + 1}, which for e = 0 is 1, above
   * the remainder 0, so e = 0 gives x as the scalar path does.
   */
  private static IntVector divideHalfEven(IntVector x, IntVector e) {
    IntVector mask = IntVector.broadcast(INTS, 1).lanewise(VectorOperators.LSHL, e).sub(1);
    IntVector remainder = x.and(mask);
    IntVector half = mask.lanewise(VectorOperators.LSHR, 1).add(1);
    IntVector floor = x.lanewise(VectorOperators.ASHR, e);
    VectorMask<Integer> up =
        remainder
            .compare(VectorOperators.GT, half)
            .or(
                remainder
                    .compare(VectorOperators.EQ, half)
                    .and(floor.and(1).compare(VectorOperators.NE, 0)));
    return floor.add(1, up);
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
    long sat = 0;
    long clamp = 0;
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
      VectorMask<Integer> outsideType = r.compare(VectorOperators.LT, typeMin);
      outsideType = outsideType.or(r.compare(VectorOperators.GT, typeMax));
      VectorMask<Integer> outsideClamp = r.compare(VectorOperators.LT, clampMin);
      outsideClamp = outsideClamp.or(r.compare(VectorOperators.GT, clampMax));
      sat += outsideType.trueCount();
      clamp += outsideClamp.andNot(outsideType).trueCount();
      r.max(clampMin).min(clampMax).max(typeMin).min(typeMax).intoArray(vd, l);
    }
    counts[0] += sat;
    counts[1] += clamp;
    return l;
  }

  static {
    // The float species must have the int species' lane count for the reinterpretations above.
    if (FLOATS.length() != INTS.length() || INTS.length() != LONGS.length()) {
      throw new AssertionError("vector species of different lane counts");
    }
  }
}
