package dev.npusim.kernels;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;

/**
 * One quantized pooling layer, TFLite's {@code AVERAGE_POOL_2D} or {@code MAX_POOL_2D} on 8-bit
 * data, in the conventions of TFLite's reference kernels ({@code reference_integer_ops/pooling.h}).
 * Input and output share one scale and zero point (TFLite requires it), so the layer has no
 * requantization: average pooling sums the raw values of the window's pixels inside the input and
 * divides by their count, rounding half away from zero; max pooling takes their maximum; both then
 * clamp to the fused activation range. Padding only moves the windows (TFLite's {@code
 * padding_values}): padded pixels are not counted.
 *
 * @param padTop input rows before the first window row (TFLite's {@code padding_values.height})
 * @param padLeft input columns before the first window column ({@code padding_values.width})
 */
public record PoolLayer(
    Kind kind,
    DataType type,
    TensorShape input,
    TensorShape output,
    int filterH,
    int filterW,
    int strideH,
    int strideW,
    int padTop,
    int padLeft,
    int activationMin,
    int activationMax) {

  /** The two pooling operators. */
  public enum Kind {
    AVERAGE("average_pool_2d"),
    MAX("max_pool_2d");

    private final String opName;

    Kind(String opName) {
      this.opName = opName;
    }

    /** TFLite's builtin operator name, lower case. */
    public String opName() {
      return opName;
    }
  }

  public PoolLayer {
    checkArgument(kind != null && type != null, "kind and type are required");
    checkArgument(filterH > 0 && filterW > 0, "filter must be positive: %sx%s", filterH, filterW);
    checkArgument(strideH > 0 && strideW > 0, "stride must be positive: %s,%s", strideH, strideW);
    checkArgument(
        padTop >= 0 && padLeft >= 0,
        "padding must be non-negative: top %s, left %s",
        padTop,
        padLeft);
    checkArgument(
        input.n() == output.n() && input.c() == output.c(),
        "pooling keeps batch and channels: input %s, output %s",
        input,
        output);
    // TFLite's kernel fails (returns false) on a window with no input pixel: reject it here.
    checkArgument(
        padTop < filterH && padLeft < filterW,
        "padding top %s, left %s leaves the first window of the %sx%s filter outside the input",
        padTop,
        padLeft,
        filterH,
        filterW);
    checkArgument(
        (output.h() - 1) * strideH - padTop < input.h()
            && (output.w() - 1) * strideW - padLeft < input.w(),
        "output %sx%s with stride %s,%s and padding top %s, left %s puts the last window outside"
            + " the %sx%s input",
        output.h(),
        output.w(),
        strideH,
        strideW,
        padTop,
        padLeft,
        input.h(),
        input.w());
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

  /**
   * A layer with TFLite's {@code SAME} or {@code VALID} padding ({@code
   * ComputePaddingHeightWidth}): {@code VALID} gives {@code ceil((in - filter + 1) / stride)}
   * outputs and no padding, {@code SAME} gives {@code ceil(in / stride)} outputs with half the
   * needed padding (rounded down) before the first window.
   */
  public static PoolLayer tflite(
      Kind kind,
      DataType type,
      TensorShape input,
      int filterH,
      int filterW,
      int strideH,
      int strideW,
      boolean same,
      int activationMin,
      int activationMax) {
    checkArgument(filterH > 0 && filterW > 0 && strideH > 0 && strideW > 0, "bad filter/stride");
    int oh = same ? ceilDiv(input.h(), strideH) : ceilDiv(input.h() - filterH + 1, strideH);
    int ow = same ? ceilDiv(input.w(), strideW) : ceilDiv(input.w() - filterW + 1, strideW);
    checkArgument(
        oh > 0 && ow > 0,
        "VALID padding: the %sx%s filter is larger than the %sx%s input",
        filterH,
        filterW,
        input.h(),
        input.w());
    int padH = same ? Math.max((oh - 1) * strideH + filterH - input.h(), 0) : 0;
    int padW = same ? Math.max((ow - 1) * strideW + filterW - input.w(), 0) : 0;
    return new PoolLayer(
        kind,
        type,
        input,
        new TensorShape(input.n(), oh, ow, input.c()),
        filterH,
        filterW,
        strideH,
        strideW,
        padH / 2,
        padW / 2,
        activationMin,
        activationMax);
  }

  private static int ceilDiv(int a, int b) {
    return a <= 0 ? 0 : (a + b - 1) / b;
  }

  /** Input pixels of output row {@code oy}'s windows that lie inside the input. */
  public int windowRows(int oy) {
    int origin = oy * strideH - padTop;
    return Math.min(filterH, input.h() - origin) - Math.max(0, -origin);
  }

  /** Input pixels of output column {@code ox}'s windows that lie inside the input. */
  public int windowCols(int ox) {
    int origin = ox * strideW - padLeft;
    return Math.min(filterW, input.w() - origin) - Math.max(0, -origin);
  }

  /**
   * @throws IllegalArgumentException unless {@code values} has the input's shape and type
   */
  public void checkInput(ImmutableIntArray values) {
    checkArgument(
        values.length() == input.elements(),
        "input has %s values, layer input %s holds %s",
        values.length(),
        input,
        input.elements());
    for (int i = 0; i < values.length(); i++) {
      checkArgument(
          type.contains(values.get(i)),
          "input[%s] = %s is outside %s",
          i,
          values.get(i),
          type.caseName());
    }
  }
}
