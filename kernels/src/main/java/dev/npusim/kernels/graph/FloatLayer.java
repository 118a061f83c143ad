package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;

/**
 * One float (double) layer of a {@link FloatGraph}: a regular or depthwise convolution with its
 * bias, an optional unfolded BatchNorm and an activation. Validated at construction.
 *
 * <p>It computes, per output element of channel {@code oc}:
 *
 * <pre>
 *   acc = sum over taps (ky, kx) and input channels of input * filter   (zero padding outside)
 *   acc = acc + bias[oc]                                     (if bias != null)
 *   acc = batchNorm.apply(acc, oc)                           (if batchNorm != null)
 *   out = activation.apply(acc, oc)
 * </pre>
 *
 * <p>Layouts follow {@link QuantizedLayer}: activations NHWC; {@link LayerKind#CONV2D} filter OHWI
 * {@code [OC, KH, KW, IC]}; {@link LayerKind#DEPTHWISE_CONV2D} filter {@code [KH, KW, C]} (depth
 * multiplier 1, so output channel c reads input channel c only). Dilation is always 1.
 *
 * @param name the manifest prefix of the layer's tensors, e.g. {@code
 *     MobilenetV1/Conv2d_1_depthwise}; unique in its graph
 * @param input the name of the layer whose output this layer reads, or {@link FloatGraph#INPUT}
 * @param bias one value per output channel, or null when the layer has none (the model's depthwise
 *     layers have none until {@link BatchNormFold} gives them one)
 * @param batchNorm the unfolded BatchNorm, or null
 */
public record FloatLayer(
    String name,
    LayerKind kind,
    String input,
    TensorShape inputShape,
    TensorShape outputShape,
    int kernelH,
    int kernelW,
    int strideH,
    int strideW,
    Padding padding,
    ImmutableDoubleArray filter,
    ImmutableDoubleArray bias,
    BatchNorm batchNorm,
    Activation activation) {

  public FloatLayer {
    checkArgument(name != null && !name.isEmpty(), "layer name is empty");
    checkArgument(input != null && !input.isEmpty(), "layer %s: input name is empty", name);
    checkArgument(
        kind == LayerKind.CONV2D || kind == LayerKind.DEPTHWISE_CONV2D,
        "layer %s: kind %s is not a convolution",
        name,
        kind);
    checkArgument(
        kernelH > 0 && kernelW > 0 && strideH > 0 && strideW > 0,
        "layer %s: kernel %sx%s, stride %s,%s must be positive",
        name,
        kernelH,
        kernelW,
        strideH,
        strideW);
    checkArgument(
        padding != null && activation != null, "layer %s: null padding or activation", name);
    checkArgument(
        inputShape.n() == outputShape.n(),
        "layer %s: batch %s in, %s out",
        name,
        inputShape.n(),
        outputShape.n());
    int oh =
        QuantizedLayer.outputSize(
            inputShape.h(), kernelH, strideH, 1, padding.top(), padding.bottom());
    int ow =
        QuantizedLayer.outputSize(
            inputShape.w(), kernelW, strideW, 1, padding.left(), padding.right());
    checkArgument(
        outputShape.h() == oh && outputShape.w() == ow,
        "layer %s: output %sx%s, but input %sx%s, kernel %sx%s, stride %s,%s, padding %s give %sx%s",
        name,
        outputShape.h(),
        outputShape.w(),
        inputShape.h(),
        inputShape.w(),
        kernelH,
        kernelW,
        strideH,
        strideW,
        padding,
        oh,
        ow);
    int oc = outputShape.c();
    if (kind == LayerKind.DEPTHWISE_CONV2D) {
      checkArgument(
          oc == inputShape.c(),
          "layer %s: depthwise with multiplier 1 keeps the channel count, %s in, %s out",
          name,
          inputShape.c(),
          oc);
    }
    int expected = QuantizedLayer.filterElements(kind, inputShape.c(), oc, kernelH, kernelW);
    checkArgument(
        filter.length() == expected,
        "layer %s: filter has %s values, expected %s",
        name,
        filter.length(),
        expected);
    checkFinite(filter, name, "filter");
    if (bias != null) {
      checkArgument(
          bias.length() == oc,
          "layer %s: bias has %s values, expected %s",
          name,
          bias.length(),
          oc);
      checkFinite(bias, name, "bias");
    }
    if (batchNorm != null) {
      checkArgument(
          batchNorm.channels() == oc,
          "layer %s: BatchNorm has %s channels, expected %s",
          name,
          batchNorm.channels(),
          oc);
    }
    activation.checkChannels(oc, name);
  }

  private static void checkFinite(ImmutableDoubleArray values, String layer, String what) {
    for (int i = 0; i < values.length(); i++) {
      checkArgument(
          Double.isFinite(values.get(i)), "layer %s: %s[%s] = %s", layer, what, i, values.get(i));
    }
  }

  /**
   * A regular convolution with TensorFlow SAME padding.
   *
   * @param filterOhwi {@code [OC, KH, KW, IC]}
   */
  public static FloatLayer conv(
      String name,
      String input,
      TensorShape inputShape,
      int outputChannels,
      int kernel,
      int stride,
      ImmutableDoubleArray filterOhwi,
      ImmutableDoubleArray bias,
      Activation activation) {
    Padding pad = Padding.tfSame(inputShape.h(), inputShape.w(), kernel, kernel, stride, stride);
    TensorShape out = sameOutput(inputShape, stride, outputChannels);
    return new FloatLayer(
        name,
        LayerKind.CONV2D,
        input,
        inputShape,
        out,
        kernel,
        kernel,
        stride,
        stride,
        pad,
        filterOhwi,
        bias,
        null,
        activation);
  }

  /**
   * A depthwise convolution (multiplier 1) with TensorFlow SAME padding.
   *
   * @param filterHwc {@code [KH, KW, C]}
   */
  public static FloatLayer depthwise(
      String name,
      String input,
      TensorShape inputShape,
      int kernel,
      int stride,
      ImmutableDoubleArray filterHwc,
      ImmutableDoubleArray bias,
      BatchNorm batchNorm,
      Activation activation) {
    Padding pad = Padding.tfSame(inputShape.h(), inputShape.w(), kernel, kernel, stride, stride);
    TensorShape out = sameOutput(inputShape, stride, inputShape.c());
    return new FloatLayer(
        name,
        LayerKind.DEPTHWISE_CONV2D,
        input,
        inputShape,
        out,
        kernel,
        kernel,
        stride,
        stride,
        pad,
        filterHwc,
        bias,
        batchNorm,
        activation);
  }

  private static TensorShape sameOutput(TensorShape in, int stride, int channels) {
    return new TensorShape(
        in.n(), (in.h() + stride - 1) / stride, (in.w() + stride - 1) / stride, channels);
  }

  public int inputChannels() {
    return inputShape.c();
  }

  public int outputChannels() {
    return outputShape.c();
  }

  public boolean isDepthwise() {
    return kind == LayerKind.DEPTHWISE_CONV2D;
  }

  /** Index into {@link #filter} of output channel oc, tap (ky, kx), input channel ic. */
  public int filterIndex(int oc, int ky, int kx, int ic) {
    return isDepthwise()
        ? (ky * kernelW + kx) * outputShape.c() + oc
        : ((oc * kernelH + ky) * kernelW + kx) * inputShape.c() + ic;
  }

  /**
   * Filter value for output channel oc, tap (ky, kx) and input channel ic; for depthwise, {@code
   * ic} is ignored (the tap reads channel oc), as in {@link QuantizedLayer#filterAt}.
   */
  public double filterAt(int oc, int ky, int kx, int ic) {
    return filter.get(filterIndex(oc, ky, kx, ic));
  }

  /** Bias of an output channel, 0 when the layer has none. */
  public double biasOf(int oc) {
    return bias == null ? 0.0 : bias.get(oc);
  }

  /** Multiply-accumulates per inference. */
  public long macs() {
    long perOutput = (long) kernelH * kernelW * (isDepthwise() ? 1 : inputShape.c());
    return outputShape.elements() * perOutput;
  }

  public FloatLayer withFilter(ImmutableDoubleArray newFilter) {
    return withParameters(newFilter, bias, batchNorm, activation);
  }

  public FloatLayer withActivation(Activation newActivation) {
    return withParameters(filter, bias, batchNorm, newActivation);
  }

  /** The same geometry and wiring with new weights, bias, BatchNorm and activation. */
  public FloatLayer withParameters(
      ImmutableDoubleArray newFilter,
      ImmutableDoubleArray newBias,
      BatchNorm newBatchNorm,
      Activation newActivation) {
    return new FloatLayer(
        name,
        kind,
        input,
        inputShape,
        outputShape,
        kernelH,
        kernelW,
        strideH,
        strideW,
        padding,
        newFilter,
        newBias,
        newBatchNorm,
        newActivation);
  }

  @Override
  public String toString() {
    return name
        + " ("
        + kind.caseName()
        + " "
        + kernelH
        + "x"
        + kernelW
        + "/"
        + strideH
        + ", "
        + inputShape
        + " -> "
        + outputShape
        + (batchNorm != null ? ", BatchNorm" : "")
        + (bias != null ? ", bias" : "")
        + ", "
        + activation
        + ", input "
        + input
        + ")";
  }
}
