package dev.npusim.golden;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;

/**
 * Hand-written layers for tests, with defaults: stride and dilation 1, no padding, depth multiplier
 * 1, the semantics' types, full output range, no bias. The output shape is computed from the
 * geometry.
 */
public final class LayerBuilder {
  private final LayerKind kind;
  private final Semantics semantics;
  private TensorShape input;
  private int outputChannels;
  private int kernelH = 1;
  private int kernelW = 1;
  private int strideH = 1;
  private int strideW = 1;
  private int dilationH = 1;
  private int dilationW = 1;
  private int[] padding = {0, 0, 0, 0};
  private int depthMultiplier = 1;
  private DataType inputType;
  private DataType filterType;
  private DataType outputType;
  private int inputZeroPoint;
  private int[] filterZeroPoints = {0};
  private int outputZeroPoint;
  private Integer activationMin;
  private Integer activationMax;
  private int[] filter;
  private int[] bias;
  private Requantization requant;

  private LayerBuilder(LayerKind kind, Semantics semantics) {
    this.kind = kind;
    this.semantics = semantics;
    DataType t = semantics == Semantics.TFLITE_UINT8 ? DataType.UINT8 : DataType.INT8;
    inputType = t;
    filterType = t;
    outputType = t;
  }

  public static LayerBuilder conv2d(Semantics s) {
    return new LayerBuilder(LayerKind.CONV2D, s);
  }

  public static LayerBuilder depthwise(Semantics s) {
    return new LayerBuilder(LayerKind.DEPTHWISE_CONV2D, s);
  }

  public static LayerBuilder fullyConnected(Semantics s) {
    return new LayerBuilder(LayerKind.FULLY_CONNECTED, s);
  }

  public LayerBuilder input(int n, int h, int w, int c) {
    input = new TensorShape(n, h, w, c);
    return this;
  }

  public LayerBuilder outputChannels(int oc) {
    outputChannels = oc;
    return this;
  }

  public LayerBuilder kernel(int kh, int kw) {
    kernelH = kh;
    kernelW = kw;
    return this;
  }

  public LayerBuilder stride(int sh, int sw) {
    strideH = sh;
    strideW = sw;
    return this;
  }

  public LayerBuilder dilation(int dh, int dw) {
    dilationH = dh;
    dilationW = dw;
    return this;
  }

  /** {@code [top, bottom, left, right]}. */
  public LayerBuilder padding(int top, int bottom, int left, int right) {
    padding = new int[] {top, bottom, left, right};
    return this;
  }

  public LayerBuilder depthMultiplier(int m) {
    depthMultiplier = m;
    return this;
  }

  public LayerBuilder types(DataType in, DataType f, DataType out) {
    inputType = in;
    filterType = f;
    outputType = out;
    return this;
  }

  public LayerBuilder zeroPoints(int input, int output, int... filter) {
    inputZeroPoint = input;
    outputZeroPoint = output;
    filterZeroPoints = filter.length == 0 ? new int[] {0} : filter;
    return this;
  }

  public LayerBuilder activation(int min, int max) {
    activationMin = min;
    activationMax = max;
    return this;
  }

  public LayerBuilder filter(int... values) {
    filter = values;
    return this;
  }

  public LayerBuilder bias(int... values) {
    bias = values;
    return this;
  }

  /** Q31 multipliers and shifts, given as {multiplier, shift} pairs. */
  public LayerBuilder q31(int[] multipliers, int[] shifts) {
    requant =
        new Requantization.Q31(
            ImmutableIntArray.copyOf(multipliers), ImmutableIntArray.copyOf(shifts));
    return this;
  }

  public LayerBuilder floatScales(float... scales) {
    requant = Requantization.FloatScale.of(scales);
    return this;
  }

  public QuantizedLayer build() {
    int oc = kind == LayerKind.DEPTHWISE_CONV2D ? input.c() * depthMultiplier : outputChannels;
    int oh =
        QuantizedLayer.outputSize(input.h(), kernelH, strideH, dilationH, padding[0], padding[1]);
    int ow =
        QuantizedLayer.outputSize(input.w(), kernelW, strideW, dilationW, padding[2], padding[3]);
    return QuantizedLayer.builder(kind, semantics)
        .input(input)
        .output(new TensorShape(input.n(), oh, ow, oc))
        .kernelH(kernelH)
        .kernelW(kernelW)
        .strideH(strideH)
        .strideW(strideW)
        .dilationH(dilationH)
        .dilationW(dilationW)
        .padTop(padding[0])
        .padBottom(padding[1])
        .padLeft(padding[2])
        .padRight(padding[3])
        .depthMultiplier(depthMultiplier)
        .inputType(inputType)
        .filterType(filterType)
        .outputType(outputType)
        .inputZeroPoint(inputZeroPoint)
        .filterZeroPoints(ImmutableIntArray.copyOf(filterZeroPoints))
        .outputZeroPoint(outputZeroPoint)
        .activationMin(activationMin == null ? outputType.min() : activationMin)
        .activationMax(activationMax == null ? outputType.max() : activationMax)
        .filter(ImmutableIntArray.copyOf(filter))
        .bias(bias == null ? null : ImmutableIntArray.copyOf(bias))
        .requant(requant)
        .build();
  }
}
