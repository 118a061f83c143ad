package dev.npusim.kernels.codegen;

import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Scratchpad;

/**
 * Moves a box of an NHWC tensor between DRAM and a compact scratchpad tile {@code [rows][cols][cn]}
 * with as few 2-D transfers as the layouts allow: one for whole rows of all channels, one 2-D
 * transfer for a column range of all channels, one per row for a channel slice.
 */
final class TensorBoxes {
  private TensorBoxes() {}

  /** An NHWC tensor in DRAM. */
  record Tensor(int addr, int h, int w, int c) {
    int pixelAddr(int b, int y, int x) {
      return addr + ((b * h + y) * w + x) * c;
    }
  }

  /**
   * Transfers the box (rows x cols x cn at y0, x0, c0 of batch b) to or from {@code spad} at {@code
   * spadAddr}, whose rows are {@code spadRowStride} bytes apart and pixels {@code cn}.
   */
  static void move(
      Emitter e,
      DmaQueue q,
      Scratchpad s,
      int spadAddr,
      int spadRowStride,
      Tensor t,
      int b,
      int y0,
      int rows,
      int x0,
      int cols,
      int c0,
      int cn) {
    if (rows <= 0 || cols <= 0 || cn <= 0) {
      return;
    }
    int dram = t.pixelAddr(b, y0, x0) + c0;
    if (cn == t.c()) {
      int rowBytes = cols * cn;
      if (cols == t.w() && spadRowStride == rowBytes) {
        e.dma(q, s, spadAddr, dram, 1, rows * rowBytes, 0, 0);
      } else {
        e.dma(q, s, spadAddr, dram, rows, rowBytes, t.w() * t.c(), spadRowStride);
      }
      return;
    }
    for (int r = 0; r < rows; r++) {
      e.dma(q, s, spadAddr + r * spadRowStride, dram + r * t.w() * t.c(), cols, cn, t.c(), cn);
    }
  }

  /**
   * Loads the input tile of an output box into a compact {@code [rows][cols][cn]} buffer: the
   * receptive field starting at input (iy0, ix0), which may reach into the padding. The part in the
   * padding is filled with the input zero point ({@link #fillPadding}), so padded taps contribute
   * exactly (zx - zx) * w = 0 as TFLite's padding does; the part inside the image is copied from
   * the tensor.
   */
  static void loadPaddedTile(
      Emitter e,
      int base,
      Tensor in,
      int b,
      int iy0,
      int rows,
      int ix0,
      int cols,
      int c0,
      int cn,
      int zeroPointRow) {
    int ya = Math.max(iy0, 0);
    int yb = Math.min(iy0 + rows, in.h());
    int xa = Math.max(ix0, 0);
    int xb = Math.min(ix0 + cols, in.w());
    if (ya > iy0 || yb < iy0 + rows || xa > ix0 || xb < ix0 + cols) {
      e.comment("tile touches the padding: fill its border with the input zero point");
      fillPadding(
          e,
          base,
          zeroPointRow,
          rows,
          cols,
          cn,
          Math.min(rows, ya - iy0),
          Math.min(rows, iy0 + rows - yb),
          Math.min(cols, xa - ix0),
          Math.min(cols, ix0 + cols - xb));
    }
    if (yb > ya && xb > xa) {
      move(
          e,
          DmaQueue.LD,
          Scratchpad.ACT,
          base + ((ya - iy0) * cols + (xa - ix0)) * cn,
          cols * cn,
          in,
          b,
          ya,
          yb - ya,
          xa,
          xb - xa,
          c0,
          cn);
    }
  }

  /**
   * Fills the padding part of an input tile in {@code act} with the input zero point, copied from a
   * zero-point row in DRAM with a DRAM stride of 0. The tile is {@code rows x cols} pixels of
   * {@code pixelBytes}, rows {@code cols * pixelBytes} apart; the real input covers rows [top, rows
   * - bottom) and columns [left, cols - right) and is loaded separately. Only the border is filled
   * (at most four 2-D transfers: top band, bottom band, left and right columns), so a tile that
   * touches the padding costs its padding bytes, not a second copy of the whole tile.
   *
   * @param zeroPointRow DRAM address of at least {@code cols * pixelBytes} zero-point bytes
   */
  static void fillPadding(
      Emitter e,
      int spadAddr,
      int zeroPointRow,
      int rows,
      int cols,
      int pixelBytes,
      int top,
      int bottom,
      int left,
      int right) {
    int rowBytes = cols * pixelBytes;
    if (top + bottom >= rows || left + right >= cols) {
      // No real input in the tile at all: it is all padding.
      e.dma(DmaQueue.LD, Scratchpad.ACT, spadAddr, zeroPointRow, rows, rowBytes, 0, rowBytes);
      return;
    }
    int middle = rows - top - bottom;
    e.dma(DmaQueue.LD, Scratchpad.ACT, spadAddr, zeroPointRow, top, rowBytes, 0, rowBytes);
    e.dma(
        DmaQueue.LD,
        Scratchpad.ACT,
        spadAddr + (rows - bottom) * rowBytes,
        zeroPointRow,
        bottom,
        rowBytes,
        0,
        rowBytes);
    int middleAddr = spadAddr + top * rowBytes;
    e.dma(
        DmaQueue.LD,
        Scratchpad.ACT,
        middleAddr,
        zeroPointRow,
        middle,
        left * pixelBytes,
        0,
        rowBytes);
    e.dma(
        DmaQueue.LD,
        Scratchpad.ACT,
        middleAddr + (cols - right) * pixelBytes,
        zeroPointRow,
        middle,
        right * pixelBytes,
        0,
        rowBytes);
  }
}
