package dev.npusim.kernels.codegen;

import java.util.function.IntUnaryOperator;

/** The spatial tile search shared by the kernels. */
final class TileShape {
  private TileShape() {}

  /** Input rows (or columns) a run of {@code outputs} output rows (or columns) reads. */
  static int inputExtent(int outputs, int kernel, int stride, int dilation) {
    return (outputs - 1) * stride + (kernel - 1) * dilation + 1;
  }

  /**
   * The largest output tile, full width first, whose input tile ({@code inPixelBytes} per input
   * pixel) fits {@code inCap} bytes and whose output tile ({@code outPixelBytes} per output pixel)
   * fits {@code outCap}; narrower tiles only when one full-width row does not fit.
   *
   * @return {rows, cols}, or null if not even one output pixel fits
   */
  static int[] largest(
      int outH,
      int outW,
      IntUnaryOperator rowsIn,
      IntUnaryOperator colsIn,
      long inPixelBytes,
      long outPixelBytes,
      long inCap,
      long outCap) {
    for (int cols = outW; cols >= 1; cols = cols == 1 ? 0 : (cols + 1) / 2) {
      int rows = outH;
      while (rows >= 1
          && ((long) rowsIn.applyAsInt(rows) * colsIn.applyAsInt(cols) * inPixelBytes > inCap
              || (long) rows * cols * outPixelBytes > outCap)) {
        rows = rows > 8 ? rows * 3 / 4 : rows - 1;
      }
      if (rows >= 1) {
        return new int[] {rows, cols};
      }
    }
    return null;
  }
}
