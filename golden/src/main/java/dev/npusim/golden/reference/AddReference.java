package dev.npusim.golden.reference;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * TFLite's int8 ADD of two tensors ({@code reference_integer_ops::AddElementwise} for one shape,
 * {@code BroadcastAdd4DSlow} for shapes that broadcast).
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

  /** Two inputs of one shape, element by element. */
  public static int[] add(Parameters p, int[] input1, int[] input2) {
    checkArgument(
        input1.length == input2.length,
        "ADD inputs differ in size: %s and %s, and no shapes are given to broadcast them",
        input1.length,
        input2.length);
    return add(p, new int[] {input1.length}, input1, new int[] {input2.length}, input2);
  }

  /**
   * Two inputs that broadcast, as TFLite's {@code BroadcastAdd4DSlow}: shapes of rank 1 to 4,
   * aligned at their last dimension (the shorter one extended with leading 1s); in each dimension
   * the sizes are equal or one of them is 1, and an input of size 1 is read at index 0 for every
   * output index. The output (row-major, of the larger size in each dimension) is returned.
   *
   * @throws IllegalArgumentException if a shape's rank is outside [1, 4], a shape does not match
   *     its data, or the shapes do not broadcast (naming the dimension)
   */
  public static int[] add(Parameters p, int[] shape1, int[] input1, int[] shape2, int[] input2) {
    int[] d1 = extended(shape1, input1.length, "input1");
    int[] d2 = extended(shape2, input2.length, "input2");
    int[] out = new int[RANK];
    for (int d = 0; d < RANK; d++) {
      checkArgument(
          d1[d] == d2[d] || d1[d] == 1 || d2[d] == 1,
          "ADD shapes %s and %s do not broadcast: dimension %s of the 4-D shapes is %s and %s",
          Arrays.toString(shape1),
          Arrays.toString(shape2),
          d,
          d1[d],
          d2[d]);
      out[d] = Math.max(d1[d], d2[d]);
    }
    int[] result = new int[out[0] * out[1] * out[2] * out[3]];
    int o = 0;
    for (int b = 0; b < out[0]; b++) {
      for (int y = 0; y < out[1]; y++) {
        for (int x = 0; x < out[2]; x++) {
          for (int c = 0; c < out[3]; c++) {
            int a1 = input1[at(d1, b, y, x, c)];
            int a2 = input2[at(d2, b, y, x, c)];
            result[o++] = one(p, a1, a2);
          }
        }
      }
    }
    return result;
  }

  private static final int RANK = 4;

  /** A shape of rank 1 to 4 as 4 sizes, leading 1s first; checked against its data's length. */
  private static int[] extended(int[] shape, int length, String which) {
    checkArgument(
        shape.length >= 1 && shape.length <= RANK,
        "%s shape %s: ADD takes ranks 1 to %s",
        which,
        Arrays.toString(shape),
        RANK);
    int[] d = {1, 1, 1, 1};
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      checkArgument(shape[i] > 0, "%s shape %s has a size below 1", which, Arrays.toString(shape));
      d[RANK - shape.length + i] = shape[i];
      elements *= shape[i];
    }
    checkArgument(
        elements == length,
        "%s shape %s holds %s values, the data has %s",
        which,
        Arrays.toString(shape),
        elements,
        length);
    return d;
  }

  /** The flat index of output element (b, y, x, c) in an input of sizes {@code d}. */
  private static int at(int[] d, int b, int y, int x, int c) {
    // A size-1 dimension is read at index 0 whatever the output index.
    int bb = d[0] == 1 ? 0 : b;
    int yy = d[1] == 1 ? 0 : y;
    int xx = d[2] == 1 ? 0 : x;
    int cc = d[3] == 1 ? 0 : c;
    return ((bb * d[1] + yy) * d[2] + xx) * d[3] + cc;
  }

  /** One output element from one value of each input. */
  private static int one(Parameters p, int x1, int x2) {
    int shifted1 = (p.input1Offset() + x1) * (1 << p.leftShift());
    int shifted2 = (p.input2Offset() + x2) * (1 << p.leftShift());
    int scaled1 =
        RequantArithmetic.multiplyByQuantizedMultiplier(
            shifted1, p.input1Multiplier(), p.input1Shift());
    int scaled2 =
        RequantArithmetic.multiplyByQuantizedMultiplier(
            shifted2, p.input2Multiplier(), p.input2Shift());
    int sum = scaled1 + scaled2;
    int raw =
        RequantArithmetic.multiplyByQuantizedMultiplier(sum, p.outputMultiplier(), p.outputShift())
            + p.outputOffset();
    return Math.min(Math.max(raw, p.activationMin()), p.activationMax());
  }
}
