package dev.npusim.kernels;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;

/**
 * One quantized layer: geometry, types, zero points, clamp, weights, bias and requantization, in
 * the conventions of {@code case-format.md} (TFLite's). Validated at construction; everything that
 * holds a {@code QuantizedLayer} may trust it.
 *
 * <p>Layouts: input and output NHWC; {@code conv2d} filter OHWI {@code [OC, KH, KW, IC]}; {@code
 * depthwise_conv2d} filter {@code [1, KH, KW, IC * M]} with output channel {@code oc = ic * M + m};
 * {@code fully_connected} filter {@code [OC, IC]} with input {@code [N, 1, 1, IC]}.
 *
 * @param bias int32 per output channel in the accumulator scale, or null for no bias
 * @param filterZeroPoints one entry (per tensor) or one per output channel
 */
public record QuantizedLayer(
    LayerKind kind,
    Semantics semantics,
    TensorShape input,
    TensorShape output,
    int kernelH,
    int kernelW,
    int strideH,
    int strideW,
    int dilationH,
    int dilationW,
    int padTop,
    int padBottom,
    int padLeft,
    int padRight,
    int depthMultiplier,
    DataType inputType,
    DataType filterType,
    DataType outputType,
    int inputZeroPoint,
    ImmutableIntArray filterZeroPoints,
    int outputZeroPoint,
    int activationMin,
    int activationMax,
    ImmutableIntArray filter,
    ImmutableIntArray bias,
    Requantization requant) {

  public QuantizedLayer {
    checkArgument(kernelH > 0 && kernelW > 0, "kernel must be positive: %sx%s", kernelH, kernelW);
    checkArgument(strideH > 0 && strideW > 0, "stride must be positive: %s,%s", strideH, strideW);
    checkArgument(
        dilationH > 0 && dilationW > 0, "dilation must be positive: %s,%s", dilationH, dilationW);
    checkArgument(
        padTop >= 0 && padBottom >= 0 && padLeft >= 0 && padRight >= 0,
        "padding must be non-negative: [%s, %s, %s, %s]",
        padTop,
        padBottom,
        padLeft,
        padRight);
    checkArgument(depthMultiplier > 0, "depth multiplier must be positive: %s", depthMultiplier);
    checkArgument(input.n() == output.n(), "batch: input %s, output %s", input.n(), output.n());
    int oh = outputSize(input.h(), kernelH, strideH, dilationH, padTop, padBottom);
    int ow = outputSize(input.w(), kernelW, strideW, dilationW, padLeft, padRight);
    checkArgument(
        output.h() == oh && output.w() == ow,
        "output spatial size %sx%s, but input %sx%s with kernel %sx%s, stride %s,%s, dilation"
            + " %s,%s and padding [%s, %s, %s, %s] gives %sx%s",
        output.h(),
        output.w(),
        input.h(),
        input.w(),
        kernelH,
        kernelW,
        strideH,
        strideW,
        dilationH,
        dilationW,
        padTop,
        padBottom,
        padLeft,
        padRight,
        oh,
        ow);
    int oc = output.c();
    switch (kind) {
      case DEPTHWISE_CONV2D ->
          checkArgument(
              oc == input.c() * depthMultiplier,
              "depthwise output channels %s != input channels %s x depth multiplier %s",
              oc,
              input.c(),
              depthMultiplier);
      case FULLY_CONNECTED -> {
        checkArgument(
            input.h() == 1 && input.w() == 1 && kernelH == 1 && kernelW == 1,
            "fully_connected takes [N, 1, 1, IC] input and a 1x1 kernel");
        checkArgument(depthMultiplier == 1, "fully_connected has no depth multiplier");
      }
      case CONV2D -> checkArgument(depthMultiplier == 1, "conv2d has no depth multiplier");
    }
    checkArgument(
        filter.length() == filterElements(kind, input.c(), oc, kernelH, kernelW),
        "filter has %s values, expected %s",
        filter.length(),
        filterElements(kind, input.c(), oc, kernelH, kernelW));
    checkRange("input zero point", inputZeroPoint, inputType);
    checkRange("output zero point", outputZeroPoint, outputType);
    checkArgument(
        filterZeroPoints.length() == 1 || filterZeroPoints.length() == oc,
        "filter zero points: %s entries, expected 1 or %s",
        filterZeroPoints.length(),
        oc);
    for (int i = 0; i < filterZeroPoints.length(); i++) {
      checkRange("filter zero point", filterZeroPoints.get(i), filterType);
    }
    for (int i = 0; i < filter.length(); i++) {
      checkRange("filter value", filter.get(i), filterType);
    }
    checkRange("activation_min", activationMin, outputType);
    checkRange("activation_max", activationMax, outputType);
    checkArgument(
        activationMin <= activationMax,
        "activation_min %s > activation_max %s",
        activationMin,
        activationMax);
    checkArgument(
        bias == null || bias.length() == oc,
        "bias has %s values, expected %s",
        bias == null ? 0 : bias.length(),
        oc);
    checkArgument(
        requant.size() == 1 || requant.size() == oc,
        "requantization has %s entries, expected 1 or %s",
        requant.size(),
        oc);
    semantics.checkTypes(inputType, filterType, outputType);
    switch (semantics) {
      case TFLITE_INT8, TFLITE_UINT8 ->
          checkArgument(
              requant instanceof Requantization.Q31,
              "%s uses multiplier/shift",
              semantics.caseName());
      case FLOAT_REQUANT ->
          checkArgument(
              requant instanceof Requantization.FloatScale, "float-requant uses float32 scales");
    }
  }

  /** TFLite/ONNX output size for explicit padding. */
  public static int outputSize(int in, int k, int stride, int dilation, int padLo, int padHi) {
    // In long: a padding or dilation near 2^31 wrapped into a plausible size (issue 12).
    long effective = (long) (k - 1) * dilation + 1;
    long span = (long) in + padLo + padHi - effective;
    long out = span < 0 ? 0 : span / stride + 1;
    checkArgument(
        out <= Integer.MAX_VALUE,
        "output size %s does not fit in 32 bits (input %s, padding %s + %s, kernel %s, dilation %s)",
        out,
        in,
        padLo,
        padHi,
        k,
        dilation);
    return (int) out;
  }

  /** Number of filter values for a layer of this kind. */
  public static int filterElements(LayerKind kind, int ic, int oc, int kh, int kw) {
    long n =
        switch (kind) {
          case CONV2D -> (long) oc * kh * kw * ic;
          case DEPTHWISE_CONV2D -> (long) kh * kw * oc;
          case FULLY_CONNECTED -> (long) oc * ic;
        };
    checkArgument(n <= Integer.MAX_VALUE, "filter of %s elements does not fit in 32 bits", n);
    return (int) n;
  }

  private static void checkRange(String what, int v, DataType t) {
    checkArgument(
        t.contains(v), "%s %s is outside %s [%s, %s]", what, v, t.caseName(), t.min(), t.max());
  }

  /**
   * @throws IllegalArgumentException unless {@code input} has this layer's input shape and every
   *     value is of the input type
   */
  public void checkInput(ImmutableIntArray input) {
    checkArgument(
        input.length() == input().elements(),
        "input has %s values, layer input %s holds %s",
        input.length(),
        input(),
        input().elements());
    for (int i = 0; i < input.length(); i++) {
      checkArgument(
          inputType.contains(input.get(i)),
          "input[%s] = %s is outside %s",
          i,
          input.get(i),
          inputType.caseName());
    }
  }

  /** Filter zero point of an output channel. */
  public int filterZeroPoint(int oc) {
    return filterZeroPoints.get(filterZeroPoints.length() == 1 ? 0 : oc);
  }

  /** Bias of an output channel (0 when the layer has none). */
  public int biasOf(int oc) {
    return bias == null ? 0 : bias.get(oc);
  }

  /**
   * Filter value for output channel {@code oc}, tap (ky, kx) and input channel {@code ic} (for
   * depthwise, {@code ic} is ignored: the tap's channel is {@code oc}).
   */
  public int filterAt(int oc, int ky, int kx, int ic) {
    return switch (kind) {
      case CONV2D -> filter.get(((oc * kernelH + ky) * kernelW + kx) * input.c() + ic);
      case DEPTHWISE_CONV2D -> filter.get((ky * kernelW + kx) * output.c() + oc);
      case FULLY_CONNECTED -> filter.get(oc * input.c() + ic);
    };
  }

  /** Multiply-accumulates per inference. */
  public long macs() {
    long perOutput =
        kind == LayerKind.DEPTHWISE_CONV2D
            ? (long) kernelH * kernelW
            : (long) kernelH * kernelW * input.c();
    return output.elements() * perOutput;
  }
}
