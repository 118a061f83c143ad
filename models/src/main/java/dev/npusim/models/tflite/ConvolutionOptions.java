package dev.npusim.models.tflite;

import dev.npusim.kernels.LayerKind;

/**
 * The geometry options CONV_2D and DEPTHWISE_CONV_2D share, read in one place for both the int8
 * conversion ({@link TfliteLayers}) and the float import ({@link TfliteFloatGraph}).
 *
 * @param kind the project's layer kind of the operator
 * @param channelAxis the filter axis the output channels (and per-channel scales) run along
 */
record ConvolutionOptions(
    LayerKind kind,
    int channelAxis,
    int strideH,
    int strideW,
    int dilationH,
    int dilationW,
    PaddingMode padding) {

  /**
   * The filter's output-channel axis: 0 for OHWI and [OC, IC] filters, 3 for the depthwise [1, KH,
   * KW, OC].
   */
  static int channelAxis(BuiltinOperator op) {
    return op == BuiltinOperator.DEPTHWISE_CONV_2D ? 3 : 0;
  }

  /** The options of a CONV_2D or DEPTHWISE_CONV_2D operator (a cast, as the options must fit). */
  static ConvolutionOptions of(TfliteOperator op) {
    OperatorOptions.Convolution o =
        switch (op.op()) {
          case CONV_2D -> (OperatorOptions.Conv2D) op.options();
          case DEPTHWISE_CONV_2D -> (OperatorOptions.DepthwiseConv2D) op.options();
          default -> throw new IllegalStateException(op.label() + " is not a convolution");
        };
    return new ConvolutionOptions(
        op.op() == BuiltinOperator.DEPTHWISE_CONV_2D
            ? LayerKind.DEPTHWISE_CONV2D
            : LayerKind.CONV2D,
        channelAxis(op.op()),
        o.strideH(),
        o.strideW(),
        o.dilationH(),
        o.dilationW(),
        o.padding());
  }
}
