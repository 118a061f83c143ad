package dev.npusim.golden.generator;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;

/**
 * What {@link CaseGenerator} should build: the layer's geometry and semantics, and how its random
 * contents are drawn. Validated at construction, so that every spec yields a valid case; use {@link
 * #builder} for the defaults.
 *
 * @param outputChannels for depthwise always {@code inputChannels * depthMultiplier}
 * @param perChannelRequant one multiplier/shift (or float scale) per output channel; not for {@code
 *     tflite-uint8}, whose TF8 pipeline has one per tensor
 * @param perChannelFilterZeroPoint one filter zero point per output channel; {@code float-requant}
 *     only (TFLite int8 weights are symmetric, TF8 uint8 has one zero point per tensor)
 */
public record CaseSpec(
    LayerKind op,
    Semantics semantics,
    int batch,
    int inputHeight,
    int inputWidth,
    int inputChannels,
    int outputChannels,
    int kernelHeight,
    int kernelWidth,
    int strideH,
    int strideW,
    int dilationH,
    int dilationW,
    int depthMultiplier,
    Padding padding,
    DataType inputType,
    DataType filterType,
    DataType outputType,
    boolean perChannelRequant,
    boolean perChannelFilterZeroPoint,
    Distribution inputDistribution,
    Distribution filterDistribution,
    BiasRange bias,
    ScaleRange scales,
    Activation activation) {

  /** Largest input or output tensor a spec may ask for (elements). */
  public static final int MAX_TENSOR_ELEMENTS = 1 << 22;

  /** Largest multiply-accumulate count a spec may ask for. */
  public static final long MAX_MACS = 1L << 28;

  /** How input or filter values are drawn from their type's range. */
  public enum Distribution {
    /** Uniform over the whole type range. */
    UNIFORM,
    /** Every value the type's minimum (-128 or 0). */
    ALL_MIN,
    /** Every value the type's maximum (127 or 255). */
    ALL_MAX,
    /** Each value independently the type's minimum or maximum: the largest accumulators. */
    EXTREMES,
    /** Within ±8 of the tensor's zero point: small accumulators, for large (left-shift) scales. */
    NEAR_ZERO_POINT
  }

  /** How the int32 bias is drawn. */
  public enum BiasRange {
    /** {@code bias: null}. */
    NONE,
    /** An all-zero bias array. */
    ZERO,
    /** Uniform within about one accumulator standard deviation, as trained biases are. */
    TYPICAL,
    /** {@code ±2^30} plus up to {@code ±2^16}: accumulators close to the int32 limits. */
    NEAR_2_POW_30,
    /** Uniform over all of int32: the accumulator may wrap. */
    FULL_INT32
  }

  /**
   * The effective scale {@code input_scale * filter_scale / output_scale} the multipliers come
   * from, and so the sign of the shifts. With per-channel requantization every channel draws its
   * own.
   */
  public enum ScaleRange {
    /**
     * About 32 output LSB per accumulator standard deviation (times a random factor in [1/2, 2)),
     * as a calibrated layer has: small scales, negative shifts.
     */
    TYPICAL,
    /** Effective scale in [1, 16): positive shifts 1 to 4 (left shift before the multiply). */
    LEFT_SHIFT,
    /** Log-uniform in [2^-24, 2^4): negative and positive shifts mixed across channels. */
    WIDE,
    /**
     * {@code float-requant} only: float32 scales over the whole positive finite range, a quarter of
     * them exactly 1e14 and a quarter {@code Float.MAX_VALUE} (3.4028235e38), where a requantizer
     * that converts to an integer before it clamps overflows (issue 12). The input and output
     * scales are 1, so {@code s_in * s_w / s_out} is the filter scale exactly.
     */
    EXTREME
  }

  /** The output clamp. */
  public enum Activation {
    /** The output type's full range. */
    NONE,
    /** {@code [max(zo, min), max]}. */
    RELU,
    /** {@code [zo, zo + round(6 / output_scale)]} within the type, as TFLite quantizes ReLU6. */
    RELU6
  }

  public CaseSpec {
    checkNotNull(op, "op");
    checkNotNull(semantics, "semantics");
    checkNotNull(padding, "padding");
    checkNotNull(inputType, "inputType");
    checkNotNull(filterType, "filterType");
    checkNotNull(outputType, "outputType");
    checkNotNull(inputDistribution, "inputDistribution");
    checkNotNull(filterDistribution, "filterDistribution");
    checkNotNull(bias, "bias");
    checkNotNull(scales, "scales");
    checkNotNull(activation, "activation");
    checkArgument(
        batch > 0 && inputHeight > 0 && inputWidth > 0 && inputChannels > 0 && outputChannels > 0,
        "tensor dimensions must be positive: batch %s, input %sx%sx%s, output channels %s",
        batch,
        inputHeight,
        inputWidth,
        inputChannels,
        outputChannels);
    checkArgument(
        kernelHeight > 0 && kernelWidth > 0,
        "kernel must be positive: %sx%s",
        kernelHeight,
        kernelWidth);
    checkArgument(strideH > 0 && strideW > 0, "stride must be positive: %s,%s", strideH, strideW);
    checkArgument(
        dilationH > 0 && dilationW > 0, "dilation must be positive: %s,%s", dilationH, dilationW);
    checkArgument(depthMultiplier > 0, "depth multiplier must be positive: %s", depthMultiplier);
    switch (op) {
      case CONV2D -> checkArgument(depthMultiplier == 1, "conv2d has no depth multiplier");
      case DEPTHWISE_CONV2D ->
          checkArgument(
              outputChannels == (long) inputChannels * depthMultiplier,
              "depthwise output channels %s != input channels %s x depth multiplier %s",
              outputChannels,
              inputChannels,
              depthMultiplier);
      case FULLY_CONNECTED ->
          checkArgument(
              inputHeight == 1
                  && inputWidth == 1
                  && kernelHeight == 1
                  && kernelWidth == 1
                  && strideH == 1
                  && strideW == 1
                  && dilationH == 1
                  && dilationW == 1
                  && depthMultiplier == 1,
              "fully_connected takes a [N, IC] input with a 1x1 kernel, stride 1, dilation 1 and no"
                  + " depth multiplier");
    }
    semantics.checkTypes(inputType, filterType, outputType);
    switch (semantics) {
      case TFLITE_INT8 ->
          checkArgument(
              !perChannelFilterZeroPoint,
              "tflite-int8 weights are symmetric (filter zero point 0)");
      case TFLITE_UINT8 -> {
        checkArgument(!perChannelRequant, "tflite-uint8 has one multiplier/shift per tensor");
        checkArgument(
            !perChannelFilterZeroPoint, "tflite-uint8 has one filter zero point per tensor");
      }
      case FLOAT_REQUANT -> {}
    }
    checkArgument(
        scales != ScaleRange.EXTREME || semantics == Semantics.FLOAT_REQUANT,
        "extreme scales are for float-requant only (a Q31 multiplier cannot express them)");
    dev.npusim.kernels.graph.Padding pad =
        padding.resolve(
            inputHeight,
            inputWidth,
            kernelHeight,
            kernelWidth,
            strideH,
            strideW,
            dilationH,
            dilationW);
    checkArgument(
        op != LayerKind.FULLY_CONNECTED || pad.equals(dev.npusim.kernels.graph.Padding.NONE),
        "fully_connected has no padding: %s",
        Padding.explicit(pad.top(), pad.bottom(), pad.left(), pad.right()));
    // Products of four ints can pass 2^63: they saturate instead of wrapping (issue 12).
    long inputElements = product(batch, inputHeight, inputWidth, inputChannels);
    long outputElements =
        product(
            batch,
            QuantizedLayer.outputSize(
                inputHeight, kernelHeight, strideH, dilationH, pad.top(), pad.bottom()),
            QuantizedLayer.outputSize(
                inputWidth, kernelWidth, strideW, dilationW, pad.left(), pad.right()),
            outputChannels);
    checkArgument(
        inputElements <= MAX_TENSOR_ELEMENTS && outputElements <= MAX_TENSOR_ELEMENTS,
        "input (%s) or output (%s) elements exceed %s",
        inputElements,
        outputElements,
        MAX_TENSOR_ELEMENTS);
    checkArgument(
        product(outputElements, fanIn(op, kernelHeight, kernelWidth, inputChannels)) <= MAX_MACS,
        "more than %s multiply-accumulates",
        MAX_MACS);
  }

  /** The explicit {@code [top, bottom, left, right]} this spec's padding resolves to. */
  public dev.npusim.kernels.graph.Padding explicitPadding() {
    return padding.resolve(
        inputHeight, inputWidth, kernelHeight, kernelWidth, strideH, strideW, dilationH, dilationW);
  }

  /** Products summed into one accumulator. */
  public int fanIn() {
    return (int) fanIn(op, kernelHeight, kernelWidth, inputChannels);
  }

  private static long fanIn(LayerKind op, int kh, int kw, int ic) {
    return op == LayerKind.DEPTHWISE_CONV2D ? product(kh, kw) : product(kh, kw, ic);
  }

  /** The product of non-negative factors, saturating at {@code Long.MAX_VALUE}. */
  private static long product(long... factors) {
    long p = 1;
    for (long f : factors) {
      if (f != 0 && p > Long.MAX_VALUE / f) {
        return Long.MAX_VALUE;
      }
      p *= f;
    }
    return p;
  }

  /** A one-line description, used as the generated case's comment. */
  public String describe() {
    return String.format(
        "%s %s input [%d, %d, %d, %d] -> %d channels, kernel %dx%d, stride %d,%d, dilation %d,%d,"
            + " depth multiplier %d, padding %s, types %s/%s/%s, %s requant, %s filter zero point,"
            + " input %s, filter %s, bias %s, scales %s, activation %s",
        op.caseName(),
        semantics.caseName(),
        batch,
        inputHeight,
        inputWidth,
        inputChannels,
        outputChannels,
        kernelHeight,
        kernelWidth,
        strideH,
        strideW,
        dilationH,
        dilationW,
        depthMultiplier,
        padding,
        inputType.caseName(),
        filterType.caseName(),
        outputType.caseName(),
        perChannelRequant ? "per-channel" : "per-tensor",
        perChannelFilterZeroPoint ? "per-channel" : "per-tensor",
        inputDistribution,
        filterDistribution,
        bias,
        scales,
        activation);
  }

  /**
   * A builder with sensible defaults for {@code op} and {@code semantics}: one 8x8x4 image (a
   * {@code [1, 4]} vector for fully_connected), 3x3 kernel, SAME padding, 4 output channels (input
   * channels x depth multiplier for depthwise), the semantics' types ({@code uint8/int8/uint8} for
   * float-requant, ONNX Runtime's usual mix), per-channel requantization except for tflite-uint8,
   * uniform data, typical bias and scales, no activation.
   */
  public static Builder builder(LayerKind op, Semantics semantics) {
    return new Builder(op, semantics);
  }

  /** Fluent construction of a {@link CaseSpec}; {@link #build} validates. */
  public static final class Builder {
    private final LayerKind op;
    private final Semantics semantics;
    private int batch = 1;
    private int inputHeight;
    private int inputWidth;
    private int inputChannels = 4;
    private Integer outputChannels;
    private int kernelHeight;
    private int kernelWidth;
    private int strideH = 1;
    private int strideW = 1;
    private int dilationH = 1;
    private int dilationW = 1;
    private int depthMultiplier = 1;
    private Padding padding;
    private DataType inputType;
    private DataType filterType;
    private DataType outputType;
    private boolean perChannelRequant;
    private boolean perChannelFilterZeroPoint;
    private Distribution inputDistribution = Distribution.UNIFORM;
    private Distribution filterDistribution = Distribution.UNIFORM;
    private BiasRange bias = BiasRange.TYPICAL;
    private ScaleRange scales = ScaleRange.TYPICAL;
    private Activation activation = Activation.NONE;

    private Builder(LayerKind op, Semantics semantics) {
      this.op = checkNotNull(op, "op");
      this.semantics = checkNotNull(semantics, "semantics");
      boolean fc = op == LayerKind.FULLY_CONNECTED;
      inputHeight = fc ? 1 : 8;
      inputWidth = fc ? 1 : 8;
      kernelHeight = fc ? 1 : 3;
      kernelWidth = fc ? 1 : 3;
      padding = fc ? Padding.valid() : Padding.same();
      switch (semantics) {
        case TFLITE_INT8 -> types(DataType.INT8, DataType.INT8, DataType.INT8);
        case TFLITE_UINT8 -> types(DataType.UINT8, DataType.UINT8, DataType.UINT8);
        case FLOAT_REQUANT -> types(DataType.UINT8, DataType.INT8, DataType.UINT8);
      }
      perChannelRequant = semantics != Semantics.TFLITE_UINT8;
    }

    /** Input {@code [N, H, W, C]}. */
    public Builder input(int n, int h, int w, int c) {
      batch = n;
      inputHeight = h;
      inputWidth = w;
      inputChannels = c;
      return this;
    }

    /** Output channels of conv2d / fully_connected (depthwise derives them when not set). */
    public Builder outputChannels(int oc) {
      outputChannels = oc;
      return this;
    }

    public Builder kernel(int kh, int kw) {
      kernelHeight = kh;
      kernelWidth = kw;
      return this;
    }

    public Builder stride(int sh, int sw) {
      strideH = sh;
      strideW = sw;
      return this;
    }

    public Builder dilation(int dh, int dw) {
      dilationH = dh;
      dilationW = dw;
      return this;
    }

    public Builder depthMultiplier(int m) {
      depthMultiplier = m;
      return this;
    }

    public Builder padding(Padding p) {
      padding = p;
      return this;
    }

    public Builder types(DataType input, DataType filter, DataType output) {
      inputType = input;
      filterType = filter;
      outputType = output;
      return this;
    }

    public Builder perChannelRequant(boolean perChannel) {
      perChannelRequant = perChannel;
      return this;
    }

    public Builder perChannelFilterZeroPoint(boolean perChannel) {
      perChannelFilterZeroPoint = perChannel;
      return this;
    }

    /** The same distribution for input and filter values. */
    public Builder distribution(Distribution d) {
      inputDistribution = d;
      filterDistribution = d;
      return this;
    }

    public Builder inputDistribution(Distribution d) {
      inputDistribution = d;
      return this;
    }

    public Builder filterDistribution(Distribution d) {
      filterDistribution = d;
      return this;
    }

    public Builder bias(BiasRange b) {
      bias = b;
      return this;
    }

    public Builder scales(ScaleRange s) {
      scales = s;
      return this;
    }

    public Builder activation(Activation a) {
      activation = a;
      return this;
    }

    /** Input channels times depth multiplier, in long: 3 x 1e9 wrapped negative (issue 12). */
    private int depthwiseChannels() {
      long oc = (long) inputChannels * depthMultiplier;
      checkArgument(
          oc <= Integer.MAX_VALUE,
          "depthwise output channels: input channels %s x depth multiplier %s = %s do not fit in 32 bits",
          inputChannels,
          depthMultiplier,
          oc);
      return (int) oc;
    }

    /**
     * @throws IllegalArgumentException if the combination is not a valid case
     */
    public CaseSpec build() {
      int oc =
          outputChannels != null
              ? outputChannels
              : op == LayerKind.DEPTHWISE_CONV2D ? depthwiseChannels() : 4;
      return new CaseSpec(
          op,
          semantics,
          batch,
          inputHeight,
          inputWidth,
          inputChannels,
          oc,
          kernelHeight,
          kernelWidth,
          strideH,
          strideW,
          dilationH,
          dilationW,
          depthMultiplier,
          padding,
          inputType,
          filterType,
          outputType,
          perChannelRequant,
          perChannelFilterZeroPoint,
          inputDistribution,
          filterDistribution,
          bias,
          scales,
          activation);
    }
  }
}
