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
    // The test first: the message's arguments are boxed into an array on every call otherwise,
    // which costs more than the check over a network's millions of filter values.
    if (!t.contains(v)) {
      checkArgument(false, "%s %s is outside %s [%s, %s]", what, v, t.caseName(), t.min(), t.max());
    }
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

  /**
   * A builder for {@link #QuantizedLayer}: every field by name, so no call site depends on the
   * record's component order. Stride, dilation and depth multiplier default to 1, padding to 0 and
   * bias to none; everything else must be set. The record's constructor validates the result.
   */
  public static Builder builder(LayerKind kind, Semantics semantics) {
    return new Builder().kind(kind).semantics(semantics);
  }

  /** A builder holding this layer's fields, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.kind = kind;
    b.semantics = semantics;
    b.input = input;
    b.output = output;
    b.kernelH = kernelH;
    b.kernelW = kernelW;
    b.strideH = strideH;
    b.strideW = strideW;
    b.dilationH = dilationH;
    b.dilationW = dilationW;
    b.padTop = padTop;
    b.padBottom = padBottom;
    b.padLeft = padLeft;
    b.padRight = padRight;
    b.depthMultiplier = depthMultiplier;
    b.inputType = inputType;
    b.filterType = filterType;
    b.outputType = outputType;
    b.inputZeroPoint = inputZeroPoint;
    b.filterZeroPoints = filterZeroPoints;
    b.outputZeroPoint = outputZeroPoint;
    b.activationMin = activationMin;
    b.activationMax = activationMax;
    b.filter = filter;
    b.bias = bias;
    b.requant = requant;
    return b;
  }

  /** See {@link #builder}. */
  public static final class Builder {
    private LayerKind kind;
    private Semantics semantics;
    private TensorShape input;
    private TensorShape output;
    private int kernelH;
    private int kernelW;
    private int strideH = 1;
    private int strideW = 1;
    private int dilationH = 1;
    private int dilationW = 1;
    private int padTop;
    private int padBottom;
    private int padLeft;
    private int padRight;
    private int depthMultiplier = 1;
    private DataType inputType;
    private DataType filterType;
    private DataType outputType;
    private int inputZeroPoint;
    private ImmutableIntArray filterZeroPoints;
    private int outputZeroPoint;
    private int activationMin;
    private int activationMax;
    private ImmutableIntArray filter;
    private ImmutableIntArray bias;
    private Requantization requant;

    private Builder() {}

    public Builder kind(LayerKind kind) {
      this.kind = kind;
      return this;
    }

    public Builder semantics(Semantics semantics) {
      this.semantics = semantics;
      return this;
    }

    public Builder input(TensorShape input) {
      this.input = input;
      return this;
    }

    public Builder output(TensorShape output) {
      this.output = output;
      return this;
    }

    public Builder kernelH(int kernelH) {
      this.kernelH = kernelH;
      return this;
    }

    public Builder kernelW(int kernelW) {
      this.kernelW = kernelW;
      return this;
    }

    public Builder strideH(int strideH) {
      this.strideH = strideH;
      return this;
    }

    public Builder strideW(int strideW) {
      this.strideW = strideW;
      return this;
    }

    public Builder dilationH(int dilationH) {
      this.dilationH = dilationH;
      return this;
    }

    public Builder dilationW(int dilationW) {
      this.dilationW = dilationW;
      return this;
    }

    public Builder padTop(int padTop) {
      this.padTop = padTop;
      return this;
    }

    public Builder padBottom(int padBottom) {
      this.padBottom = padBottom;
      return this;
    }

    public Builder padLeft(int padLeft) {
      this.padLeft = padLeft;
      return this;
    }

    public Builder padRight(int padRight) {
      this.padRight = padRight;
      return this;
    }

    public Builder depthMultiplier(int depthMultiplier) {
      this.depthMultiplier = depthMultiplier;
      return this;
    }

    public Builder inputType(DataType inputType) {
      this.inputType = inputType;
      return this;
    }

    public Builder filterType(DataType filterType) {
      this.filterType = filterType;
      return this;
    }

    public Builder outputType(DataType outputType) {
      this.outputType = outputType;
      return this;
    }

    public Builder inputZeroPoint(int inputZeroPoint) {
      this.inputZeroPoint = inputZeroPoint;
      return this;
    }

    public Builder filterZeroPoints(ImmutableIntArray filterZeroPoints) {
      this.filterZeroPoints = filterZeroPoints;
      return this;
    }

    public Builder outputZeroPoint(int outputZeroPoint) {
      this.outputZeroPoint = outputZeroPoint;
      return this;
    }

    public Builder activationMin(int activationMin) {
      this.activationMin = activationMin;
      return this;
    }

    public Builder activationMax(int activationMax) {
      this.activationMax = activationMax;
      return this;
    }

    public Builder filter(ImmutableIntArray filter) {
      this.filter = filter;
      return this;
    }

    public Builder bias(ImmutableIntArray bias) {
      this.bias = bias;
      return this;
    }

    public Builder requant(Requantization requant) {
      this.requant = requant;
      return this;
    }

    public Builder kernel(int h, int w) {
      return kernelH(h).kernelW(w);
    }

    public Builder stride(int h, int w) {
      return strideH(h).strideW(w);
    }

    public Builder dilation(int h, int w) {
      return dilationH(h).dilationW(w);
    }

    public Builder padding(int top, int bottom, int left, int right) {
      return padTop(top).padBottom(bottom).padLeft(left).padRight(right);
    }

    public Builder padding(dev.npusim.kernels.graph.Padding p) {
      return padding(p.top(), p.bottom(), p.left(), p.right());
    }

    public Builder types(DataType input, DataType filter, DataType output) {
      return inputType(input).filterType(filter).outputType(output);
    }

    public Builder activation(int min, int max) {
      return activationMin(min).activationMax(max);
    }

    public QuantizedLayer build() {
      checkArgument(kind != null && semantics != null, "kind and semantics must be set");
      checkArgument(input != null && output != null, "input and output shapes must be set");
      checkArgument(
          inputType != null && filterType != null && outputType != null, "types must be set");
      checkArgument(
          filterZeroPoints != null && filter != null && requant != null,
          "filter, filter zero points and requantization must be set");
      return new QuantizedLayer(
          kind,
          semantics,
          input,
          output,
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
          depthMultiplier,
          inputType,
          filterType,
          outputType,
          inputZeroPoint,
          filterZeroPoints,
          outputZeroPoint,
          activationMin,
          activationMax,
          filter,
          bias,
          requant);
    }
  }
}
