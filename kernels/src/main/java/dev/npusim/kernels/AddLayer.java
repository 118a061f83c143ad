package dev.npusim.kernels;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.quant.QuantizedMultiplier;

/**
 * One quantized element-wise ADD of two 8-bit tensors, with TFLite's rescaling ({@code
 * reference_integer_ops/add.h}, {@code AddFunc}): each input has its zero point subtracted, is
 * shifted left by {@link #LEFT_SHIFT} and multiplied by its own multiplier below one; the sum is
 * multiplied by the output multiplier, the output zero point added and the result clamped to the
 * fused activation range. Multipliers are Q31 values in [2^30, 2^31) (or 0) and shifts are right
 * shifts ({@code <= 0}), as TFLite's {@code QuantizeMultiplierSmallerThanOneExp} makes them.
 *
 * <p>The inputs broadcast as TFLite's {@code BroadcastAdd4DSlow} does (numpy's rule on 4-D NHWC
 * shapes, lower ranks extended with leading 1s): in each dimension the two sizes are equal, or one
 * of them is 1 and that input's single element is read for every index of the other. The output has
 * the larger size in each dimension ({@link #shape}).
 */
public record AddLayer(
    DataType type,
    TensorShape input1Shape,
    TensorShape input2Shape,
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
    checkArgument(
        type != null && input1Shape != null && input2Shape != null,
        "type and both input shapes are required");
    broadcast(input1Shape, input2Shape);
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

  /** An ADD of two inputs of one shape (no broadcasting). */
  public AddLayer(
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
    this(
        type,
        shape,
        shape,
        input1ZeroPoint,
        input1Multiplier,
        input1Shift,
        input2ZeroPoint,
        input2Multiplier,
        input2Shift,
        outputZeroPoint,
        outputMultiplier,
        outputShift,
        activationMin,
        activationMax);
  }

  /** The output shape: in each dimension the larger of the two inputs' sizes. */
  public TensorShape shape() {
    return broadcast(input1Shape, input2Shape);
  }

  /** Whether the two inputs differ in shape, so that one or both are read more than once. */
  public boolean broadcasts() {
    return !input1Shape.equals(input2Shape);
  }

  /**
   * The shape two inputs broadcast to.
   *
   * @throws IllegalArgumentException naming the first dimension whose sizes differ with neither 1
   */
  public static TensorShape broadcast(TensorShape a, TensorShape b) {
    int[] da = dims(a);
    int[] db = dims(b);
    int[] out = new int[4];
    for (int d = 0; d < 4; d++) {
      checkArgument(
          da[d] == db[d] || da[d] == 1 || db[d] == 1,
          "input1 shape %s and input2 shape %s do not broadcast: dimension %s (%s) is %s and %s,"
              + " and neither is 1",
          a,
          b,
          d,
          "NHWC".charAt(d),
          da[d],
          db[d]);
      out[d] = Math.max(da[d], db[d]);
    }
    return new TensorShape(out[0], out[1], out[2], out[3]);
  }

  /** A shape's sizes in NHWC order. */
  public static int[] dims(TensorShape s) {
    return new int[] {s.n(), s.h(), s.w(), s.c()};
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
    return fromScales(
        type,
        shape,
        shape,
        input1Scale,
        input1ZeroPoint,
        input2Scale,
        input2ZeroPoint,
        outputScale,
        outputZeroPoint,
        activationMin,
        activationMax);
  }

  /**
   * {@link #fromScales(DataType, TensorShape, double, int, double, int, double, int, int, int)}
   * with inputs of two shapes that broadcast.
   */
  public static AddLayer fromScales(
      DataType type,
      TensorShape input1Shape,
      TensorShape input2Shape,
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
        input1Shape,
        input2Shape,
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
   * @throws IllegalArgumentException unless both inputs have their shapes' sizes and the type
   */
  public void checkInputs(ImmutableIntArray input1, ImmutableIntArray input2) {
    checkInput("input1", input1Shape, input1);
    checkInput("input2", input2Shape, input2);
  }

  private void checkInput(String which, TensorShape shape, ImmutableIntArray values) {
    checkArgument(
        values.length() == shape.elements(),
        "%s has %s values, its shape %s holds %s",
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
