package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Explicit zero padding of a convolution's input, in pixels on each side.
 *
 * <p>The imported model uses TensorFlow {@code SAME} padding (MODEL.md), which {@link #tfSame}
 * turns into explicit numbers so that later stages (quantization, codegen) never need to know
 * TensorFlow's rule.
 */
public record Padding(int top, int bottom, int left, int right) {
  public Padding {
    checkArgument(
        top >= 0 && bottom >= 0 && left >= 0 && right >= 0,
        "padding must be non-negative: [%s, %s, %s, %s]",
        top,
        bottom,
        left,
        right);
  }

  public static final Padding NONE = new Padding(0, 0, 0, 0);

  /**
   * TensorFlow {@code SAME} padding: the output has {@code ceil(in / stride)} rows and columns; the
   * total padding is whatever that needs, split with the smaller half at the top/left and the odd
   * pixel at the bottom/right. For a 3x3 stride-2 kernel on an even input this is 0 before and 1
   * after, for a 3x3 stride-1 kernel 1 on each side, for 1x1 kernels none.
   */
  public static Padding tfSame(
      int inH, int inW, int kernelH, int kernelW, int strideH, int strideW) {
    return tfSame(inH, inW, kernelH, kernelW, strideH, strideW, 1, 1);
  }

  /**
   * TensorFlow {@code SAME} padding of a dilated kernel, which spans {@code (k - 1) * d + 1} input
   * pixels (TFLite's {@code ComputePaddingHeightWidth}).
   */
  public static Padding tfSame(
      int inH,
      int inW,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      int dilationH,
      int dilationW) {
    int padH = sameTotal(inH, kernelH, strideH, dilationH);
    int padW = sameTotal(inW, kernelW, strideW, dilationW);
    return new Padding(padH / 2, padH - padH / 2, padW / 2, padW - padW / 2);
  }

  private static int sameTotal(int in, int kernel, int stride, int dilation) {
    checkArgument(
        in > 0 && kernel > 0 && stride > 0 && dilation > 0,
        "in %s, kernel %s, stride %s, dilation %s",
        in,
        kernel,
        stride,
        dilation);
    // In long: sizes near 2^31 must not wrap (issue 12).
    long out = ((long) in + stride - 1) / stride;
    long total = Math.max((out - 1) * stride + (long) (kernel - 1) * dilation + 1 - in, 0);
    checkArgument(
        total <= Integer.MAX_VALUE,
        "SAME padding of %s does not fit in 32 bits (kernel %s, dilation %s)",
        total,
        kernel,
        dilation);
    return (int) total;
  }

  @Override
  public String toString() {
    return "[top " + top + ", bottom " + bottom + ", left " + left + ", right " + right + "]";
  }
}
