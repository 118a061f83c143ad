package dev.npusim.models.tflite;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;

/** The builtin options of the supported operators, one record per schema options table. */
public sealed interface OperatorOptions {
  /** The options CONV_2D and DEPTHWISE_CONV_2D share: padding, stride, dilation, activation. */
  sealed interface Convolution extends OperatorOptions {
    PaddingMode padding();

    int strideH();

    int strideW();

    int dilationH();

    int dilationW();

    FusedActivation activation();

    /** The one check of a convolution's stride and dilation. */
    static void checkGeometry(int strideH, int strideW, int dilationH, int dilationW) {
      checkArgument(strideH > 0 && strideW > 0, "stride %s,%s must be positive", strideH, strideW);
      checkArgument(
          dilationH > 0 && dilationW > 0, "dilation %s,%s must be positive", dilationH, dilationW);
    }
  }

  /** {@code Conv2DOptions}. */
  record Conv2D(
      PaddingMode padding,
      int strideH,
      int strideW,
      int dilationH,
      int dilationW,
      FusedActivation activation)
      implements Convolution {
    public Conv2D {
      Convolution.checkGeometry(strideH, strideW, dilationH, dilationW);
    }
  }

  /** {@code DepthwiseConv2DOptions}. */
  record DepthwiseConv2D(
      PaddingMode padding,
      int strideH,
      int strideW,
      int dilationH,
      int dilationW,
      int depthMultiplier,
      FusedActivation activation)
      implements Convolution {
    public DepthwiseConv2D {
      Convolution.checkGeometry(strideH, strideW, dilationH, dilationW);
      checkArgument(depthMultiplier > 0, "depth multiplier %s must be positive", depthMultiplier);
    }
  }

  /** {@code FullyConnectedOptions} (default weights format only). */
  record FullyConnected(FusedActivation activation, boolean keepNumDims)
      implements OperatorOptions {}

  /** {@code Pool2DOptions}, for both average and max pooling. */
  record Pool2D(
      PaddingMode padding,
      int strideH,
      int strideW,
      int filterH,
      int filterW,
      FusedActivation activation)
      implements OperatorOptions {
    public Pool2D {
      checkArgument(strideH > 0 && strideW > 0, "stride %s,%s must be positive", strideH, strideW);
      checkArgument(filterH > 0 && filterW > 0, "filter %sx%s must be positive", filterH, filterW);
    }
  }

  /** {@code AddOptions}. */
  record Add(FusedActivation activation) implements OperatorOptions {}

  /** {@code ReshapeOptions}; {@code newShape} may be empty when the shape comes as a tensor. */
  record Reshape(ImmutableIntArray newShape) implements OperatorOptions {}

  /** {@code SqueezeOptions}. */
  record Squeeze(ImmutableIntArray squeezeDims) implements OperatorOptions {}

  /** {@code SoftmaxOptions}. */
  record Softmax(float beta) implements OperatorOptions {}
}
