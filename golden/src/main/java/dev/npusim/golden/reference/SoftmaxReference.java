package dev.npusim.golden.reference;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.kernels.quant.QuantizedMultiplier;

/**
 * TFLite's int8 SOFTMAX reference kernel ({@code reference_ops::Softmax} for quantized data, which
 * TFLite Micro runs), in gemmlowp's fixed-point arithmetic, over the last dimension.
 *
 * <p>Per row: the difference of each input to the row's maximum ({@code <= 0}) is scaled by the Q31
 * {@code inputMultiplier} after a {@code inputLeftShift} to a Q5.26 number (5 integer bits);
 * differences below {@code diffMin} give exactly 0. {@code exp} of it is evaluated on [-1/4, 0) by
 * a Taylor polynomial around -1/8 and extended to any negative argument by multiplying in the
 * constants exp(-1/4), exp(-1/2), ..., exp(-16) for each set bit (gemmlowp's {@code
 * exp_on_negative_values}); the exps are summed in Q12.19, the sum's reciprocal is taken by
 * Newton-Raphson ({@code one_over_one_plus_x_for_x_in_0_1}), and each output is {@code exp *
 * 1/sum}, rounded to 8 bits and shifted by -128 (output scale 1/256, zero point -128).
 */
public final class SoftmaxReference {
  private SoftmaxReference() {}

  private static final int SCALED_DIFF_INTEGER_BITS = 5;
  private static final int ACCUMULATION_INTEGER_BITS = 12;

  /**
   * @param inputMultiplier Q31 multiplier of {@code beta * input_scale * 2^26}
   * @param inputLeftShift its left shift, {@code >= 0}
   * @param diffMin the most negative input difference that still contributes
   */
  public record Parameters(int inputMultiplier, int inputLeftShift, int diffMin) {
    public Parameters {
      checkArgument(inputLeftShift >= 0 && inputLeftShift <= 31, "left shift %s", inputLeftShift);
      checkArgument(diffMin <= 0, "diff_min %s must be <= 0", diffMin);
    }
  }

  /**
   * TFLite's int8 softmax {@code Prepare}: {@code PreprocessSoftmaxScaling} with 5 integer bits,
   * then {@code CalculateInputRadius}. In double precision from the float32 {@code beta} and input
   * scale: {@code real = min(beta * input_scale * 2^26, 2^31 - 1)}, quantized as {@code
   * QuantizeMultiplierGreaterThanOne} (multiplier in [2^30, 2^31), left shift {@code >= 0}), and
   * {@code diff_min = -floor(31 * 2^26 / 2^left_shift)}.
   *
   * @throws IllegalArgumentException unless {@code real} is above 1 (TFLite checks it) and below
   *     2^30 (a left shift of at most 30)
   */
  public static Parameters prepare(float beta, float inputScale) {
    checkArgument(
        Float.isFinite(beta) && beta > 0 && Float.isFinite(inputScale) && inputScale > 0,
        "beta %s and input scale %s must be finite and positive",
        beta,
        inputScale);
    double real =
        Math.min(
            (double) beta * (double) inputScale * (double) (1L << (31 - SCALED_DIFF_INTEGER_BITS)),
            (1L << 31) - 1.0);
    checkArgument(
        real > 1 && real < (1 << 30),
        "beta * input scale * 2^26 = %s is outside (1, 2^30): beta * input scale must lie in"
            + " (2^-26, 16)",
        real);
    QuantizedMultiplier m = QuantizedMultiplier.of(real);
    double radius =
        ((1 << SCALED_DIFF_INTEGER_BITS) - 1)
            * (double) (1L << (31 - SCALED_DIFF_INTEGER_BITS))
            / (double) (1L << m.shift());
    return new Parameters(m.multiplier(), m.shift(), -(int) Math.floor(radius));
  }

  /** Softmax over rows of {@code depth} int8 values; the result is int8. */
  public static int[] softmax(Parameters p, int[] input, int depth) {
    checkArgument(
        depth > 0 && input.length % depth == 0, "%s values in rows of %s", input.length, depth);
    int[] out = new int[input.length];
    for (int row = 0; row < input.length / depth; row++) {
      int base = row * depth;
      int max = Integer.MIN_VALUE;
      for (int c = 0; c < depth; c++) {
        max = Math.max(max, input[base + c]);
      }
      int sumOfExps = 0; // Q12.19
      for (int c = 0; c < depth; c++) {
        int diff = input[base + c] - max;
        if (diff >= p.diffMin()) {
          int exp = expOnNegativeValues(scaledDiff(p, diff));
          sumOfExps += rescale(exp, 0, ACCUMULATION_INTEGER_BITS);
        }
      }
      int headroomPlusOne = Integer.numberOfLeadingZeros(sumOfExps);
      int numBitsOverUnit = ACCUMULATION_INTEGER_BITS - headroomPlusOne;
      int shiftedSumMinusOne = (sumOfExps << headroomPlusOne) - (1 << 31);
      int shiftedScale = oneOverOnePlusX(shiftedSumMinusOne); // Q0.31
      for (int c = 0; c < depth; c++) {
        int diff = input[base + c] - max;
        if (diff >= p.diffMin()) {
          int exp = expOnNegativeValues(scaledDiff(p, diff));
          int product = RequantArithmetic.saturatingRoundingDoublingHighMul(shiftedScale, exp);
          int unsaturated =
              RequantArithmetic.roundingDivideByPowerOfTwo(product, numBitsOverUnit + 31 - 8);
          out[base + c] = Math.max(-128, Math.min(127, unsaturated - 128));
        } else {
          out[base + c] = -128;
        }
      }
    }
    return out;
  }

  /** {@code MultiplyByQuantizedMultiplierGreaterThanOne}: the Q5.26 scaled difference. */
  private static int scaledDiff(Parameters p, int diff) {
    return RequantArithmetic.saturatingRoundingDoublingHighMul(
        diff * (1 << p.inputLeftShift()), p.inputMultiplier());
  }

  /** Fixed-point multiply: the raw result of a Qa * Qb product in Q(a+b). */
  private static int mul(int a, int b) {
    return RequantArithmetic.saturatingRoundingDoublingHighMul(a, b);
  }

  /**
   * gemmlowp's {@code SaturatingRoundingMultiplyByPOT<exponent>}: a saturating left shift, or a
   * rounding right shift for a negative exponent.
   */
  private static int multiplyByPowerOfTwo(int x, int exponent) {
    if (exponent == 0) {
      return x;
    }
    if (exponent < 0) {
      return RequantArithmetic.roundingDivideByPowerOfTwo(x, -exponent);
    }
    int threshold = (1 << (31 - exponent)) - 1;
    if (x > threshold) {
      return Integer.MAX_VALUE;
    }
    if (x < -threshold) {
      return Integer.MIN_VALUE;
    }
    return x << exponent;
  }

  /** gemmlowp's {@code Rescale}: the same real value with other integer bits. */
  private static int rescale(int raw, int integerBitsFrom, int integerBitsTo) {
    return multiplyByPowerOfTwo(raw, integerBitsFrom - integerBitsTo);
  }

  /** exp(a) for a in [-1/4, 0), a in Q0.31; Taylor series around -1/8. */
  private static int expOnIntervalNegativeQuarterToZero(int a) {
    final int constantTerm = 1895147668; // exp(-1/8) in Q0.31
    final int oneThird = 715827883; // 1/3 in Q0.31
    int x = a + (1 << 28); // a + 1/8
    int x2 = mul(x, x);
    int x3 = mul(x2, x);
    int x4 = mul(x2, x2);
    int x4Over4 = multiplyByPowerOfTwo(x4, -2);
    int polynomial = multiplyByPowerOfTwo(mul(x4Over4 + x3, oneThird) + x2, -1);
    return constantTerm + mul(constantTerm, x + polynomial);
  }

  // exp(-2^k) in Q0.31 for k = -2 .. 4: the barrel shifter's factors.
  private static final int[] EXP_OF_MINUS_POWER_OF_TWO = {
    1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242
  };

  /** exp(a) for a <= 0 in Q5.26, result in Q0.31 (gemmlowp's {@code exp_on_negative_values}). */
  static int expOnNegativeValues(int a) {
    final int fractionalBits = 31 - SCALED_DIFF_INTEGER_BITS;
    final int oneQuarter = 1 << (fractionalBits - 2);
    int aModQuarterMinusQuarter = (a & (oneQuarter - 1)) - oneQuarter;
    int result =
        expOnIntervalNegativeQuarterToZero(
            rescale(aModQuarterMinusQuarter, SCALED_DIFF_INTEGER_BITS, 0));
    int remainder = aModQuarterMinusQuarter - a;
    for (int k = -2; k <= 4; k++) {
      if (SCALED_DIFF_INTEGER_BITS > k) {
        int bit = 1 << (fractionalBits + k);
        if ((remainder & bit) != 0) {
          result = mul(result, EXP_OF_MINUS_POWER_OF_TWO[k + 2]);
        }
      }
    }
    return a == 0 ? Integer.MAX_VALUE : result;
  }

  /** 1 / (1 + x) for x in [0, 1), in Q0.31, by three Newton-Raphson steps. */
  private static int oneOverOnePlusX(int a) {
    // half_denominator = (a + 1) / 2, rounded (gemmlowp's RoundingHalfSum with One = INT_MAX).
    long sum = (long) a + Integer.MAX_VALUE;
    long sign = sum >= 0 ? 1 : -1;
    int halfDenominator = (int) ((sum + sign) / 2);
    final int constant48Over17 = 1515870810; // Q2.29
    final int constantNeg32Over17 = -1010580540; // Q2.29
    int x = constant48Over17 + mul(halfDenominator, constantNeg32Over17); // Q2.29
    final int oneQ2 = 1 << 29;
    for (int i = 0; i < 3; i++) {
      int halfDenominatorTimesX = mul(halfDenominator, x); // Q2.29
      int oneMinus = oneQ2 - halfDenominatorTimesX;
      x = x + rescale(mul(x, oneMinus), 4, 2);
    }
    // ExactMulByPot<-1> (Q2 -> Q1, same raw), then Rescale to Q0.
    return rescale(x, 1, 0);
  }
}
