package dev.npusim.golden.generator;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * How a generated case is padded, as the user states it: explicit amounts, or TFLite's {@code SAME}
 * / {@code VALID}. Each resolves to the one padding type, {@link dev.npusim.kernels.graph.Padding}
 * ({@code [top, bottom, left, right]}; the case format only stores explicit padding).
 */
public sealed interface Padding {

  /**
   * Explicit padding for a layer with this geometry along the two spatial axes.
   *
   * @throws IllegalArgumentException if the layer would have no output
   */
  dev.npusim.kernels.graph.Padding resolve(
      int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int dilH, int dilW);

  /**
   * Parses padding as a command line gives it: {@code same}, {@code valid}, or explicit {@code
   * top,bottom,left,right}.
   *
   * @throws IllegalArgumentException for anything else
   */
  static Padding parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("same")) {
      return same();
    }
    if (t.equals("valid")) {
      return valid();
    }
    String[] parts = t.split(",", -1);
    checkArgument(
        parts.length == 4, "padding \"%s\" is not same, valid or top,bottom,left,right", text);
    int[] v = new int[4];
    for (int i = 0; i < 4; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "padding \"" + text + "\": \"" + parts[i].trim() + "\" is not an integer", e);
      }
    }
    return explicit(v[0], v[1], v[2], v[3]);
  }

  static Padding same() {
    return new Same();
  }

  static Padding valid() {
    return new Valid();
  }

  static Explicit explicit(int top, int bottom, int left, int right) {
    return new Explicit(new dev.npusim.kernels.graph.Padding(top, bottom, left, right));
  }

  /** Explicit {@code [top, bottom, left, right]}, as in the case file. */
  /** Fixed amounts, kept as given when the kernel fits the padded input. */
  record Explicit(dev.npusim.kernels.graph.Padding amounts) implements Padding {
    @Override
    public dev.npusim.kernels.graph.Padding resolve(
        int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int dilH, int dilW) {
      return checkFits(amounts, inH, inW, kernelH, kernelW, dilH, dilW);
    }

    @Override
    public String toString() {
      return "["
          + amounts.top()
          + ", "
          + amounts.bottom()
          + ", "
          + amounts.left()
          + ", "
          + amounts.right()
          + "]";
    }
  }

  record Same() implements Padding {
    @Override
    public dev.npusim.kernels.graph.Padding resolve(
        int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int dilH, int dilW) {
      return dev.npusim.kernels.graph.Padding.tfSame(
          inH, inW, kernelH, kernelW, strideH, strideW, dilH, dilW);
    }

    @Override
    public String toString() {
      return "same";
    }
  }

  /** TFLite {@code VALID}: no padding; the kernel must fit in the input. */
  record Valid() implements Padding {
    @Override
    public dev.npusim.kernels.graph.Padding resolve(
        int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int dilH, int dilW) {
      return checkFits(
          dev.npusim.kernels.graph.Padding.NONE, inH, inW, kernelH, kernelW, dilH, dilW);
    }

    @Override
    public String toString() {
      return "valid";
    }
  }

  /** Rows (or columns) a dilated kernel spans. */
  private static dev.npusim.kernels.graph.Padding checkFits(
      dev.npusim.kernels.graph.Padding p,
      int inH,
      int inW,
      int kernelH,
      int kernelW,
      int dilH,
      int dilW) {
    // In long: a padding near 2^31 wrapped the padded size (issue 12).
    long paddedH = (long) inH + p.top() + p.bottom();
    long paddedW = (long) inW + p.left() + p.right();
    checkArgument(
        extent(kernelH, dilH) <= paddedH && extent(kernelW, dilW) <= paddedW,
        "kernel extent %sx%s exceeds padded input %sx%s",
        extent(kernelH, dilH),
        extent(kernelW, dilW),
        paddedH,
        paddedW);
    return p;
  }

  private static long extent(int kernel, int dilation) {
    return (long) (kernel - 1) * dilation + 1;
  }
}
