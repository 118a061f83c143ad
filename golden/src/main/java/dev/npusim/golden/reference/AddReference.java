package dev.npusim.golden.reference;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * TFLite's int8 ADD of two same-shape tensors ({@code reference_integer_ops::AddElementwise}).
 *
 * <p>Both inputs are brought to a common scale before the sum: each value, minus its zero point, is
 * shifted left by {@code leftShift} (20 for int8) to keep precision, then multiplied by its own Q31
 * multiplier ({@code scale_i / (2 * max(scale_1, scale_2))}, so at most 1/2 and no overflow); the
 * int32 sum is requantized by the output multiplier ({@code 2 * max(scale) / (2^leftShift *
 * scale_out)}), the output zero point added and the result clamped to the activation range. Every
 * multiply is gemmlowp's {@code SaturatingRoundingDoublingHighMul} followed by a rounding right
 * shift (half away from zero), as in {@link RequantArithmetic}.
 */
public final class AddReference {
  private AddReference() {}

  /**
   * @param input1Offset minus input 1's zero point
   * @param input1Shift a right shift, {@code <= 0} (TFLite's exponent convention)
   */
  public record Parameters(
      int leftShift,
      int input1Offset,
      int input1Multiplier,
      int input1Shift,
      int input2Offset,
      int input2Multiplier,
      int input2Shift,
      int outputOffset,
      int outputMultiplier,
      int outputShift,
      int activationMin,
      int activationMax) {
    public Parameters {
      checkArgument(leftShift >= 0 && leftShift <= 30, "left shift %s", leftShift);
      checkArgument(
          input1Shift <= 0 && input2Shift <= 0 && outputShift <= 0,
          "ADD multipliers are below one: shifts %s, %s, %s must be <= 0",
          input1Shift,
          input2Shift,
          outputShift);
      checkArgument(
          activationMin <= activationMax,
          "activation range [%s, %s]",
          activationMin,
          activationMax);
    }
  }

  public static int[] add(Parameters p, int[] input1, int[] input2) {
    checkArgument(
        input1.length == input2.length,
        "ADD inputs differ in size: %s and %s (broadcasting is not supported)",
        input1.length,
        input2.length);
    int[] out = new int[input1.length];
    for (int i = 0; i < out.length; i++) {
      int shifted1 = (p.input1Offset() + input1[i]) * (1 << p.leftShift());
      int shifted2 = (p.input2Offset() + input2[i]) * (1 << p.leftShift());
      int scaled1 =
          RequantArithmetic.multiplyByQuantizedMultiplier(
              shifted1, p.input1Multiplier(), p.input1Shift());
      int scaled2 =
          RequantArithmetic.multiplyByQuantizedMultiplier(
              shifted2, p.input2Multiplier(), p.input2Shift());
      int sum = scaled1 + scaled2;
      int raw =
          RequantArithmetic.multiplyByQuantizedMultiplier(
                  sum, p.outputMultiplier(), p.outputShift())
              + p.outputOffset();
      out[i] = Math.min(Math.max(raw, p.activationMin()), p.activationMax());
    }
    return out;
  }
}
