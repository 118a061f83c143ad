package dev.npusim.kernels.codegen;

import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.TensorShape;

/**
 * How a broadcasting ADD's output reads its two inputs, as rows: the output (flat, NHWC) is cut
 * into rows of {@link #rowLength} elements, the longest innermost block of dimensions in which each
 * input is either read contiguously (its own elements, one after another) or {@linkplain #repeated
 * repeated} (one element for the whole row). Where a row starts in each input is {@link #rowStart}.
 *
 * <p>Two inputs of one shape are one row of the whole tensor, both contiguous. A per-channel
 * constant {@code [1, 1, 1, C]} added to {@code [1, H, W, C]} gives rows of C elements, the
 * constant's row starting at 0 for every one of them; a per-pixel value {@code [1, H, W, 1]} gives
 * rows of C copies of one element.
 */
final class BroadcastRows {
  private final int[] outDims;
  private final int[][] strides;
  private final boolean[] repeated;
  private final int rowLength;
  private final long rows;

  private BroadcastRows(int[] outDims, int[][] strides, boolean[] repeated, int rowLength) {
    this.outDims = outDims;
    this.strides = strides;
    this.repeated = repeated;
    this.rowLength = rowLength;
    long total = 1;
    for (int d : outDims) {
      total *= d;
    }
    this.rows = total / rowLength;
  }

  static BroadcastRows of(AddLayer layer) {
    int[] out = AddLayer.dims(layer.shape());
    TensorShape[] inputs = {layer.input1Shape(), layer.input2Shape()};
    int[][] strides = new int[2][4];
    for (int i = 0; i < 2; i++) {
      int[] in = AddLayer.dims(inputs[i]);
      int stride = 1;
      for (int d = 3; d >= 0; d--) {
        // A dimension the input has as 1 while the output is larger is read at index 0 for every
        // output index: stride 0 (TFLite's NdArrayDesc does the same).
        strides[i][d] = in[d] == out[d] ? stride : 0;
        stride *= in[d];
      }
    }
    // Grow the row from the innermost dimension while each input keeps its way of being read;
    // dimensions of output size 1 join any row.
    boolean[] repeated = new boolean[2];
    boolean started = false;
    int rowLength = 1;
    for (int d = 3; d >= 0; d--) {
      if (out[d] == 1) {
        continue;
      }
      boolean fits = true;
      for (int i = 0; i < 2; i++) {
        boolean broadcastHere = strides[i][d] == 0;
        if (!started) {
          repeated[i] = broadcastHere;
        } else if (broadcastHere != repeated[i]) {
          fits = false;
        }
      }
      if (!fits) {
        break;
      }
      started = true;
      rowLength *= out[d];
    }
    return new BroadcastRows(out, strides, repeated, rowLength);
  }

  /** Elements per row. */
  int rowLength() {
    return rowLength;
  }

  /** Rows of the output. */
  long rows() {
    return rows;
  }

  /** Whether input {@code i} (0 or 1) gives one element for a whole row rather than a run. */
  boolean repeated(int i) {
    return repeated[i];
  }

  /** The flat index, in input {@code i}, of the first element output row {@code row} reads. */
  int rowStart(int i, long row) {
    long e = row * rowLength;
    int start = 0;
    for (int d = 3; d >= 0; d--) {
      start += (int) (e % outDims[d]) * strides[i][d];
      e /= outDims[d];
    }
    return start;
  }
}
