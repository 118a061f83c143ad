package dev.npusim.golden.reference;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The scalar arithmetic of the three requantization pipelines of {@code case-format.md}, written
 * from the spec for the golden references only. Nothing here is shared with the simulator: the
 * point of a reference is to be a second, independent reading of the spec.
 *
 * <p>Every method works on Java {@code int}, which is 32-bit two's complement and wraps on overflow
 * exactly like the C++ {@code int32_t} arithmetic of TFLite and CMSIS-NN (in practice).
 */
public final class RequantArithmetic {
  private RequantArithmetic() {}

  /**
   * gemmlowp's {@code SaturatingRoundingDoublingHighMul}: the high 32 bits of {@code 2 * a * b},
   * i.e. {@code a * b / 2^31} rounded to nearest.
   *
   * <p>The rounding is gemmlowp's exactly: a nudge of {@code 2^30} (a non-negative product) or
   * {@code 1 - 2^30} (a negative one) is added to the 64-bit product and the quotient is then
   * truncated toward zero, as C++ integer division does (hence {@code /}, not a shift). So ties
   * round up, toward +infinity: {@code 1.5 -> 2} but {@code -0.5 -> 0} and {@code -1.5 -> -1}.
   *
   * <p>The only product that does not fit is {@code INT_MIN * INT_MIN} (= 2^62, whose doubled high
   * half would be 2^31); it saturates to {@code INT_MAX}.
   */
  public static int saturatingRoundingDoublingHighMul(int a, int b) {
    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
      return Integer.MAX_VALUE;
    }
    long product = (long) a * (long) b;
    long nudge = product >= 0 ? (1L << 30) : (1L - (1L << 30));
    return (int) ((product + nudge) / (1L << 31));
  }

  /**
   * gemmlowp's {@code RoundingDivideByPOT}: {@code x / 2^exponent} rounded to nearest, ties away
   * from zero ({@code -1/2 -> -1}, {@code -3/2 -> -2}, {@code 5/2 -> 3}).
   *
   * <p>The arithmetic shift floors; the result is bumped by one when the discarded low bits exceed
   * half of the divisor. For negative {@code x} the threshold is one larger, so that an exact half
   * stays floored, which for a negative number means away from zero.
   */
  public static int roundingDivideByPowerOfTwo(int x, int exponent) {
    checkArgument(exponent >= 0 && exponent <= 31, "exponent %s is outside [0, 31]", exponent);
    int mask = (int) ((1L << exponent) - 1);
    int remainder = x & mask;
    int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
  }

  /**
   * {@code x * 2^shift} in 32 bits for {@code shift} in [0, 31]: the bits shifted out of the top
   * are lost, as {@code case-format.md} requires ("{@code x * 2^shift} for {@code shift > 0} also
   * wraps in 32 bits").
   */
  public static int shiftLeftWrapping(int x, int shift) {
    checkArgument(shift >= 0 && shift <= 31, "left shift %s is outside [0, 31]", shift);
    return x << shift;
  }

  /**
   * TFLite's {@code MultiplyByQuantizedMultiplier(acc, multiplier, shift)}, the double-rounding
   * form of {@code case-format.md}: a positive {@code shift} is a (wrapping) left shift applied
   * before the high multiply, a negative one a rounding right shift applied after it.
   */
  public static int multiplyByQuantizedMultiplier(int acc, int multiplier, int shift) {
    checkArgument(shift >= -31 && shift <= 31, "shift %s is outside [-31, 31]", shift);
    int leftShift = Math.max(shift, 0);
    int rightShift = Math.max(-shift, 0);
    int high = saturatingRoundingDoublingHighMul(shiftLeftWrapping(acc, leftShift), multiplier);
    return roundingDivideByPowerOfTwo(high, rightShift);
  }

  /**
   * The float-requant product {@code float32(float32(acc) * scale)} of ONNX Runtime's QLinearConv:
   * the accumulator is first rounded to the nearest float32 (ties to even, like C++'s {@code
   * static_cast<float>}), then multiplied in float32. Java {@code float} arithmetic is IEEE-754
   * binary32 with round-to-nearest-even, so both steps are exactly the C++ ones.
   */
  public static float scaleInFloat32(int acc, float scale) {
    float accAsFloat = (float) acc;
    return accAsFloat * scale;
  }

  /**
   * {@code round_half_to_even} of a float32 ({@code std::nearbyint} in the default rounding mode):
   * 2.5 -> 2, 3.5 -> 4, -2.5 -> -2. The result is an integer-valued double; it may be far outside
   * the int range (or infinite) when the scale is large, which the caller's clamp absorbs.
   */
  public static double roundHalfToEven(float value) {
    return Math.rint(value);
  }
}
