package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;

/**
 * One float (double) layer of a {@link FloatGraph}: a regular or depthwise convolution or a
 * fully-connected layer with its bias, an optional unfolded BatchNorm and an activation; or, in
 * graphs imported from TFLite, a weightless operation ({@link FloatOp}): average or max pooling, a
 * two-input ADD, a reshape, a softmax. Validated at construction.
 *
 * <p>A weighted layer computes, per output element of channel {@code oc}:
 *
 * <pre>
 *   acc = sum over taps (ky, kx) and input channels of input * filter   (zero padding outside)
 *   acc = acc + bias[oc]                                     (if bias != null)
 *   acc = batchNorm.apply(acc, oc)                           (if batchNorm != null)
 *   out = activation.apply(acc, oc)
 * </pre>
 *
 * <p>Pooling takes the mean or maximum over the window's pixels inside the input (TFLite's
 * reference kernels: padding moves the window, padded pixels are not counted), ADD sums {@link
 * #input} and {@link #secondInput} element-wise, broadcasting them as numpy does on the NHWC shapes
 * (in each dimension the sizes are equal, or one is 1 and that input's single element is read for
 * every index; TFLite's {@code BroadcastAdd4DSlow}), each then through the activation; RESHAPE
 * keeps the values; SOFTMAX normalises {@code exp(beta * x)} over the channel axis.
 *
 * <p>Layouts follow {@link QuantizedLayer}: activations NHWC; {@link LayerKind#CONV2D} filter OHWI
 * {@code [OC, KH, KW, IC]}; {@link LayerKind#DEPTHWISE_CONV2D} filter {@code [KH, KW, OC]} (with
 * depth multiplier {@code M = OC / IC}, output channel c reads input channel {@code c / M}, as
 * TFLite's depthwise kernels; the face detector's layers all have M = 1); {@link
 * LayerKind#FULLY_CONNECTED} filter {@code [OC, IC]} on an input of shape {@code (N, 1, 1, IC)},
 * which is a 1x1 convolution. Dilation is always 1.
 *
 * @param name the manifest prefix of the layer's tensors, e.g. {@code
 *     MobilenetV1/Conv2d_1_depthwise}; unique in its graph
 * @param op what the layer computes
 * @param input the name of the layer whose output this layer reads, or {@link FloatGraph#INPUT}
 * @param secondInput ADD's second operand (a layer name, a constant of the graph or {@link
 *     FloatGraph#INPUT}); null for every other operation
 * @param inputShape the shape of {@link #input} (for ADD, of its first operand)
 * @param secondShape the shape of ADD's second operand; null for every other operation. ADD's
 *     output shape is the two shapes broadcast
 * @param filter the weights of a weighted layer, null for the others
 * @param bias one value per output channel, or null when the layer has none (the model's depthwise
 *     layers have none until {@link BatchNormFold} gives them one)
 * @param batchNorm the unfolded BatchNorm, or null
 * @param beta SOFTMAX's input multiplier; 0 for every other operation
 */
public record FloatLayer(
    String name,
    FloatOp op,
    String input,
    String secondInput,
    TensorShape inputShape,
    TensorShape secondShape,
    TensorShape outputShape,
    int kernelH,
    int kernelW,
    int strideH,
    int strideW,
    Padding padding,
    ImmutableDoubleArray filter,
    ImmutableDoubleArray bias,
    BatchNorm batchNorm,
    Activation activation,
    double beta) {

  public FloatLayer {
    checkArgument(name != null && !name.isEmpty(), "layer name is empty");
    checkArgument(op != null, "layer %s: no operation", name);
    checkArgument(input != null && !input.isEmpty(), "layer %s: input name is empty", name);
    checkArgument(
        (op == FloatOp.ADD) == (secondInput != null && !secondInput.isEmpty()),
        "layer %s: %s must have a second input exactly when it is an ADD",
        name,
        op);
    checkArgument(
        (op == FloatOp.ADD) == (secondShape != null),
        "layer %s: %s must have a second input shape exactly when it is an ADD",
        name,
        op);
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
        // ADD's batch may broadcast; a reshape keeps only the element count.
        inputShape.n() == outputShape.n() || op == FloatOp.ADD || op == FloatOp.RESHAPE,
        "layer %s: batch %s in, %s out",
        name,
        inputShape.n(),
        outputShape.n());
    checkArgument(
        op == FloatOp.SOFTMAX ? beta > 0 && Double.isFinite(beta) : beta == 0,
        "layer %s: beta %s (a positive beta for SOFTMAX only)",
        name,
        beta);
    if (op.weighted()) {
      checkWeighted(
          name,
          op.layerKind(),
          inputShape,
          outputShape,
          kernelH,
          kernelW,
          strideH,
          strideW,
          padding,
          filter,
          bias,
          batchNorm);
    } else {
      checkArgument(
          filter == null && bias == null && batchNorm == null,
          "layer %s: %s has no filter, bias or BatchNorm",
          name,
          op);
      checkWeightless(
          name,
          op,
          inputShape,
          secondShape,
          outputShape,
          kernelH,
          kernelW,
          strideH,
          strideW,
          padding);
      checkArgument(
          op != FloatOp.RESHAPE && op != FloatOp.SOFTMAX
              || activation.kind() == Activation.Kind.NONE,
          "layer %s: %s has no activation",
          name,
          op);
    }
    activation.checkChannels(outputShape.c(), name);
  }

  /**
   * A convolution or fully-connected layer without a second input (the constructor every weighted
   * layer used before imported graphs).
   */
  public FloatLayer(
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
    this(
        name,
        FloatOp.of(kind),
        input,
        null,
        inputShape,
        null,
        outputShape,
        kernelH,
        kernelW,
        strideH,
        strideW,
        padding,
        filter,
        bias,
        batchNorm,
        activation,
        0);
  }

  /**
   * A weightless layer (pooling, ADD, RESHAPE, SOFTMAX); the window is 1x1/1 where unused. An ADD
   * made here adds two inputs of one shape, {@code inputShape}; {@link #add} takes two that
   * broadcast.
   */
  public static FloatLayer weightless(
      String name,
      FloatOp op,
      String input,
      String secondInput,
      TensorShape inputShape,
      TensorShape outputShape,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      Padding padding,
      Activation activation,
      double beta) {
    return new FloatLayer(
        name,
        op,
        input,
        secondInput,
        inputShape,
        op == FloatOp.ADD ? inputShape : null,
        outputShape,
        kernelH,
        kernelW,
        strideH,
        strideW,
        padding,
        null,
        null,
        null,
        activation,
        beta);
  }

  /**
   * An ADD of two operands (layers, constants of the graph or {@link FloatGraph#INPUT}) whose
   * shapes broadcast to {@code outputShape}.
   */
  public static FloatLayer add(
      String name,
      String input,
      TensorShape inputShape,
      String secondInput,
      TensorShape secondShape,
      TensorShape outputShape,
      Activation activation) {
    return new FloatLayer(
        name,
        FloatOp.ADD,
        input,
        secondInput,
        inputShape,
        secondShape,
        outputShape,
        1,
        1,
        1,
        1,
        Padding.NONE,
        null,
        null,
        null,
        activation,
        0);
  }

  private static void checkWeighted(
      String name,
      LayerKind kind,
      TensorShape inputShape,
      TensorShape outputShape,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      Padding padding,
      ImmutableDoubleArray filter,
      ImmutableDoubleArray bias,
      BatchNorm batchNorm) {
    checkArgument(filter != null, "layer %s: %s needs a filter", name, kind);
    checkOutputSize(name, inputShape, outputShape, kernelH, kernelW, strideH, strideW, padding);
    int oc = outputShape.c();
    if (kind == LayerKind.DEPTHWISE_CONV2D) {
      checkArgument(
          oc % inputShape.c() == 0,
          "layer %s: depthwise output channels %s are not a multiple of the %s input channels",
          name,
          oc,
          inputShape.c());
    }
    if (kind == LayerKind.FULLY_CONNECTED) {
      checkArgument(
          inputShape.h() == 1 && inputShape.w() == 1 && kernelH == 1 && kernelW == 1,
          "layer %s: a fully-connected layer reads (N, 1, 1, IC) with a 1x1 kernel, got %s and"
              + " %sx%s",
          name,
          inputShape,
          kernelH,
          kernelW);
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
  }

  private static void checkWeightless(
      String name,
      FloatOp op,
      TensorShape inputShape,
      TensorShape secondShape,
      TensorShape outputShape,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      Padding padding) {
    switch (op) {
      case AVERAGE_POOL, MAX_POOL -> {
        checkArgument(
            inputShape.c() == outputShape.c(),
            "layer %s: pooling keeps the channel count, %s in, %s out",
            name,
            inputShape.c(),
            outputShape.c());
        checkOutputSize(name, inputShape, outputShape, kernelH, kernelW, strideH, strideW, padding);
      }
      case ADD -> {
        TensorShape broadcast;
        try {
          broadcast = AddLayer.broadcast(inputShape, secondShape);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("layer " + name + ": " + e.getMessage(), e);
        }
        checkArgument(
            broadcast.equals(outputShape),
            "layer %s: ADD of %s and %s gives %s, not %s",
            name,
            inputShape,
            secondShape,
            broadcast,
            outputShape);
      }
      case SOFTMAX ->
          checkArgument(
              inputShape.equals(outputShape),
              "layer %s: %s keeps the shape, %s in, %s out",
              name,
              op,
              inputShape,
              outputShape);
      case RESHAPE ->
          checkArgument(
              inputShape.elements() == outputShape.elements(),
              "layer %s: reshape from %s to %s changes the element count",
              name,
              inputShape,
              outputShape);
      default -> throw new IllegalArgumentException("layer " + name + ": " + op + " has weights");
    }
  }

  private static void checkOutputSize(
      String name,
      TensorShape inputShape,
      TensorShape outputShape,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      Padding padding) {
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
  }

  private static void checkFinite(ImmutableDoubleArray values, String layer, String what) {
    for (int i = 0; i < values.length(); i++) {
      // The test first: the message's arguments are boxed on every call otherwise.
      if (!Double.isFinite(values.get(i))) {
        checkArgument(false, "layer %s: %s[%s] = %s", layer, what, i, values.get(i));
      }
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

  /** The quantized layer kind of a weighted layer; null for a weightless one. */
  public LayerKind kind() {
    return op.layerKind();
  }

  /** The tensors this layer reads: {@link #input}, and {@link #secondInput} for an ADD. */
  public java.util.List<String> inputs() {
    return secondInput == null ? java.util.List.of(input) : java.util.List.of(input, secondInput);
  }

  /** Output channels per input channel of a depthwise layer (1 for every other layer). */
  public int depthMultiplier() {
    return isDepthwise() ? outputShape.c() / inputShape.c() : 1;
  }

  public int inputChannels() {
    return inputShape.c();
  }

  public int outputChannels() {
    return outputShape.c();
  }

  public boolean isDepthwise() {
    return op == FloatOp.DEPTHWISE_CONV2D;
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
    if (!op.weighted()) {
      return 0;
    }
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
        op,
        input,
        secondInput,
        inputShape,
        secondShape,
        outputShape,
        kernelH,
        kernelW,
        strideH,
        strideW,
        padding,
        newFilter,
        newBias,
        newBatchNorm,
        newActivation,
        beta);
  }

  @Override
  public String toString() {
    return name
        + " ("
        + (op.weighted() ? kind().caseName() : op.displayName())
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
        + (secondInput != null ? " + " + secondInput : "")
        + ")";
  }
}
