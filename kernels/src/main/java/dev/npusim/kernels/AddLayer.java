package dev.npusim.kernels;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.quant.QuantizedMultiplier;

/**
 * One quantized element-wise ADD of two 8-bit tensors of the same shape, with TFLite's rescaling
 * ({@code reference_integer_ops/add.h}, {@code AddFunc}): each input has its zero point subtracted,
 * is shifted left by {@link #LEFT_SHIFT} and multiplied by its own multiplier below one; the sum is
 * multiplied by the output multiplier, the output zero point added and the result clamped to the
 * fused activation range. Multipliers are Q31 values in [2^30, 2^31) (or 0) and shifts are right
 * shifts ({@code <= 0}), as TFLite's {@code QuantizeMultiplierSmallerThanOneExp} makes them.
 */
public record AddLayer(
    DataType type,
    TensorShape shape,
    int input1ZeroPoint,
    int input1Multiplier,
    int input1Shift,
    int input2ZeroPoint,
    int input2Multiplier,
    int input2Shift,
    int outputZeroPoint,
    int outputMultiplier,
    int outputShift,
    int activationMin,
    int activationMax) {

  /** TFLite's {@code left_shift} for 8-bit ADD ({@code add.cc}, {@code Prepare}). */
  public static final int LEFT_SHIFT = 20;

  public AddLayer {
    checkArgument(type != null && shape != null, "type and shape are required");
    checkZeroPoint("input1", input1ZeroPoint, type);
    checkZeroPoint("input2", input2ZeroPoint, type);
    checkZeroPoint("output", outputZeroPoint, type);
    checkMultiplier("input1", input1Multiplier, input1Shift);
    checkMultiplier("input2", input2Multiplier, input2Shift);
    checkMultiplier("output", outputMultiplier, outputShift);
    checkArgument(
        type.contains(activationMin) && type.contains(activationMax),
        "activation range [%s, %s] is outside %s",
        activationMin,
        activationMax,
        type.caseName());
    checkArgument(
        activationMin <= activationMax,
        "activation_min %s > activation_max %s",
        activationMin,
        activationMax);
  }

  private static void checkZeroPoint(String which, int z, DataType type) {
    checkArgument(type.contains(z), "%s zero point %s is outside %s", which, z, type.caseName());
  }

  private static void checkMultiplier(String which, int m, int shift) {
    checkArgument(
        m == 0 || m >= (1 << 30), "%s multiplier %s is not 0 or in [2^30, 2^31)", which, m);
    checkArgument(
        shift >= -31 && shift <= 0,
        "%s shift %s is outside [-31, 0] (TFLite's ADD multipliers are below one)",
        which,
        shift);
  }

  /**
   * The layer TFLite's {@code Prepare} makes from the tensors' scales: {@code twice_max_input_scale
   * = 2 max(s1, s2)}, input multipliers {@code s_i / twice_max_input_scale}, output multiplier
   * {@code twice_max_input_scale / (2^20 so)}, each quantized by {@code QuantizeMultiplier} in
   * double precision.
   */
  public static AddLayer fromScales(
      DataType type,
      TensorShape shape,
      double input1Scale,
      int input1ZeroPoint,
      double input2Scale,
      int input2ZeroPoint,
      double outputScale,
      int outputZeroPoint,
      int activationMin,
      int activationMax) {
    checkArgument(input1Scale > 0 && input2Scale > 0 && outputScale > 0, "scales must be positive");
    double twiceMaxInputScale = 2 * Math.max(input1Scale, input2Scale);
    QuantizedMultiplier m1 = QuantizedMultiplier.of(input1Scale / twiceMaxInputScale);
    QuantizedMultiplier m2 = QuantizedMultiplier.of(input2Scale / twiceMaxInputScale);
    QuantizedMultiplier mo =
        QuantizedMultiplier.of(twiceMaxInputScale / ((1 << LEFT_SHIFT) * outputScale));
    return new AddLayer(
        type,
        shape,
        input1ZeroPoint,
        m1.multiplier(),
        m1.shift(),
        input2ZeroPoint,
        m2.multiplier(),
        m2.shift(),
        outputZeroPoint,
        mo.multiplier(),
        mo.shift(),
        activationMin,
        activationMax);
  }

  /**
   * @throws IllegalArgumentException unless {@code values} has the layer's shape and type
   */
  public void checkInput(String which, ImmutableIntArray values) {
    checkArgument(
        values.length() == shape.elements(),
        "%s has %s values, layer shape %s holds %s",
        which,
        values.length(),
        shape,
        shape.elements());
    for (int i = 0; i < values.length(); i++) {
      checkArgument(
          type.contains(values.get(i)),
          "%s[%s] = %s is outside %s",
          which,
          i,
          values.get(i),
          type.caseName());
    }
  }
}
