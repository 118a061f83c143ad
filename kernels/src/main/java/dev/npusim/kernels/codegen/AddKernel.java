package dev.npusim.kernels.codegen;

import com.google.common.collect.ImmutableList;
import dev.npusim.isa.Csr;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Element-wise ADD of two tensors, the output cut into tiles: input 1 goes to {@code act}, input 2
 * to {@code wgt}, the sum to {@code out}, each double-buffered when halves hold a useful tile.
 * Inputs that broadcast ({@link BroadcastRows}) are expanded by the DMA as they are loaded: a
 * repeated row is read again from DRAM for each output row of the tile (DRAM stride 0), a repeated
 * element is copied into every byte of its row (rows of one byte), so the scratchpad holds, in
 * output order, exactly the values each output element adds, and no instruction is needed beyond
 * same-shape ADD's. Per vector of L elements: two loads, {@code vclr}, one {@code vsadd} per input
 * (zero point, left shift 20, input multiplier and shift), and {@code vrq} with the output
 * multiplier and shift, which TFLite applies to the sum in the same way as a convolution's
 * requantization (output offset added in int32, then the activation clamp). Broadcasting costs DMA
 * transfers and DRAM reads of the repeated operand, which the cycle and energy counts show.
 */
final class AddKernel {
  private static final int X_IN1 = 8;
  private static final int X_IN2 = 9;
  private static final int X_OUT = 10;
  private static final int X_M1 = 11;
  private static final int X_S1 = 12;
  private static final int X_M2 = 13;
  private static final int X_S2 = 14;
  private static final int X_PAR = 15;

  private AddKernel() {}

  static CompiledOperator compile(AddLayer layer, CompilerTarget t) throws CompileException {
    int lanes = t.lanes();
    int elements = (int) layer.shape().elements();
    int n1 = (int) layer.input1Shape().elements();
    int n2 = (int) layer.input2Shape().elements();
    if (t.parBytes() < 8 * lanes) {
      throw new CompileException(
          "scratchpads.par",
          String.format(
              "%d bytes cannot hold the %d bytes of output multipliers and shifts for %d lanes",
              t.parBytes(), 8 * lanes, lanes));
    }
    int halfCap = Math.min(t.actBytes() / 2, Math.min(t.wgtBytes() / 2, t.outBytes() / 2));
    int fullCap = Math.min(t.actBytes(), Math.min(t.wgtBytes(), t.outBytes()));
    // Double buffering needs at least one full vector per half; tiles are whole vectors unless
    // a scratchpad is smaller than one.
    boolean dbl = halfCap >= lanes && elements > halfCap;
    int cap = dbl ? halfCap : fullCap;
    int tileCap = cap >= lanes ? cap / lanes * lanes : cap;
    int in1 = 0;
    int in2 = DramImage.aligned(n1);
    int outAddr = DramImage.aligned(in2 + n2);
    DramImage constants = new DramImage(DramImage.aligned(outAddr + elements));
    int rqAddr = constants.append(outputRequantization(layer, lanes));
    BroadcastRows rows = BroadcastRows.of(layer);
    int[] bases = {in1, in2};
    int rowLength = rows.rowLength();
    long perTile = Math.max(1, tileCap / rowLength);
    long tileElements = rowLength <= tileCap ? perTile * rowLength : tileCap;

    Emitter e = new Emitter();
    emitPrologue(e, layer, rows, (int) Math.min(elements, tileElements), rqAddr, lanes);
    Opcode load = layer.type() == DataType.INT8 ? Opcode.VLD_S8 : Opcode.VLD_U8;
    List<TilePipeline.Tile> tiles = new ArrayList<>();
    if (rowLength <= tileCap) {
      // Tiles of whole rows: the broadcast operands are re-read, row by row, for every tile.
      for (long r = 0; r < rows.rows(); r += perTile) {
        int count = (int) Math.min(perTile, rows.rows() - r);
        tiles.add(
            new AddTile(t, layer, load, rows, bases, r, count, 0, count * rowLength, outAddr));
      }
    } else {
      // Rows longer than a tile: each tile is a piece of one row.
      for (long r = 0; r < rows.rows(); r++) {
        for (int a = 0; a < rowLength; a += tileCap) {
          tiles.add(
              new AddTile(
                  t, layer, load, rows, bases, r, 1, a, Math.min(tileCap, rowLength - a), outAddr));
        }
      }
    }
    TilePipeline.emit(e, tiles, dbl, false, dbl);
    return CompiledOperator.of(
        e,
        layer.type(),
        ImmutableList.of(in1, in2),
        ImmutableList.of(n1, n2),
        outAddr,
        elements,
        constants,
        "add",
        tiles.size());
  }

  /** The output multiplier in every lane, then the output shift in every lane, as RQLD reads. */
  private static byte[] outputRequantization(AddLayer layer, int lanes) {
    ByteBuffer rq = ByteBuffer.allocate(8 * lanes).order(ByteOrder.LITTLE_ENDIAN);
    for (int l = 0; l < lanes; l++) {
      rq.putInt(layer.outputMultiplier());
    }
    for (int l = 0; l < lanes; l++) {
      rq.putInt(layer.outputShift());
    }
    return rq.array();
  }

  /**
   * The header comments, the output CSRs, the input multipliers and shifts in scalar registers, and
   * the output requantization loaded from DRAM at {@code rqAddr} into the RQ registers.
   */
  private static void emitPrologue(
      Emitter e, AddLayer layer, BroadcastRows rows, int tile, int rqAddr, int lanes) {
    e.comment(
        String.format(
            "add %s %s; input 1 zero point %d x %d >> %d, input 2 zero point %d x %d >> %d,"
                + " left shift %d; tiles of %d elements",
            layer.type().caseName(),
            layer.shape(),
            layer.input1ZeroPoint(),
            layer.input1Multiplier(),
            -layer.input1Shift(),
            layer.input2ZeroPoint(),
            layer.input2Multiplier(),
            -layer.input2Shift(),
            AddLayer.LEFT_SHIFT,
            tile));
    if (layer.broadcasts()) {
      e.comment(
          String.format(
              "broadcast %s + %s: rows of %d elements, input 1 %s, input 2 %s, re-read by DMA"
                  + " for every tile",
              layer.input1Shape(),
              layer.input2Shape(),
              rows.rowLength(),
              rows.repeated(0) ? "one element repeated" : "contiguous",
              rows.repeated(1) ? "one element repeated" : "contiguous"));
    }
    e.comment(
        String.format(
            "output zero point %d, multiplier %d >> %d, clamp [%d, %d]",
            layer.outputZeroPoint(),
            layer.outputMultiplier(),
            -layer.outputShift(),
            layer.activationMin(),
            layer.activationMax()));
    e.csrwi(Csr.ZO, layer.outputZeroPoint());
    e.csrwi(Csr.AMIN, layer.activationMin());
    e.csrwi(Csr.AMAX, layer.activationMax());
    e.csrwi(Csr.OTYPE, layer.type() == DataType.UINT8 ? 1 : 0);
    e.csrwi(Csr.RQMODE, 0);
    e.li(X_M1, layer.input1Multiplier());
    e.li(X_S1, layer.input1Shift());
    e.li(X_M2, layer.input2Multiplier());
    e.li(X_S2, layer.input2Shift());
    e.comment("the output multiplier and shift, the same in every lane");
    e.dma(DmaQueue.LD, Scratchpad.PAR, 0, rqAddr, 1, 8 * lanes, 0, 0);
    e.await(DmaQueue.LD, 0);
    e.li(X_PAR, 4 * lanes);
    e.emit(Opcode.RQLD, 0, X_PAR);
  }

  /**
   * One tile: {@code rowCount} whole rows from {@code firstRow}, or (when a row is longer than a
   * tile) {@code count} elements of row {@code firstRow} from {@code offset}. Its inputs are loaded
   * already broadcast: the DMA writes into the scratchpad, in output order, every element the tile
   * reads, so the compute loop is the same as for inputs of one shape.
   */
  private static final class AddTile implements TilePipeline.Tile {
    private final CompilerTarget t;
    private final AddLayer layer;
    private final Opcode load;
    private final BroadcastRows rows;
    private final int[] bases;
    private final long firstRow;
    private final int rowCount;
    private final int offset;
    private final int count;
    private final int out;

    AddTile(
        CompilerTarget t,
        AddLayer layer,
        Opcode load,
        BroadcastRows rows,
        int[] bases,
        long firstRow,
        int rowCount,
        int offset,
        int count,
        int outBase) {
      this.t = t;
      this.layer = layer;
      this.load = load;
      this.rows = rows;
      this.bases = bases;
      this.firstRow = firstRow;
      this.rowCount = rowCount;
      this.offset = offset;
      this.count = count;
      this.out = outBase + (int) (firstRow * rows.rowLength()) + offset;
    }

    @Override
    public Object inputKey() {
      return out;
    }

    @Override
    public Object weightKey() {
      return 0; // no weights: input 2 travels with input 1
    }

    @Override
    public void loadWeights(Emitter e, int buffer) {}

    @Override
    public void loadInput(Emitter e, int buffer) {
      loadOperand(e, 0, Scratchpad.ACT, buffer * (t.actBytes() / 2));
      loadOperand(e, 1, Scratchpad.WGT, buffer * (t.wgtBytes() / 2));
    }

    /** Fills {@code spad} from {@code spadAddr} with input {@code i} as this tile reads it. */
    private void loadOperand(Emitter e, int i, Scratchpad spad, int spadAddr) {
      int rowLength = rows.rowLength();
      boolean repeated = rows.repeated(i);
      if (count < rowLength || rowCount == 1) {
        int from = bases[i] + rows.rowStart(i, firstRow);
        if (repeated) {
          e.dma(DmaQueue.LD, spad, spadAddr, from, count, 1, 0, 1);
        } else {
          e.dma(DmaQueue.LD, spad, spadAddr, from + offset, 1, count, 0, 0);
        }
        return;
      }
      // Runs of rows whose starts in the input advance by one stride (0 re-reads the same row).
      long end = firstRow + rowCount;
      long r = firstRow;
      while (r < end) {
        int start = rows.rowStart(i, r);
        int len = 1;
        int stride = 0;
        if (r + 1 < end) {
          stride = rows.rowStart(i, r + 1) - start;
          len = 2;
          while (r + len < end
              && rows.rowStart(i, r + len) - rows.rowStart(i, r + len - 1) == stride) {
            len++;
          }
        }
        int to = spadAddr + (int) (r - firstRow) * rowLength;
        emitRun(e, spad, to, bases[i] + start, len, stride, rowLength, repeated);
        r += len;
      }
    }

    /**
     * {@code len} output rows whose input rows start at {@code from} and advance by {@code stride},
     * as few transfers as the 2-D DMA allows.
     */
    private static void emitRun(
        Emitter e,
        Scratchpad spad,
        int to,
        int from,
        int len,
        int stride,
        int rowLength,
        boolean repeated) {
      if (!repeated) {
        if (len == 1 || stride == rowLength) {
          e.dma(DmaQueue.LD, spad, to, from, 1, len * rowLength, 0, 0); // one contiguous block
        } else {
          e.dma(DmaQueue.LD, spad, to, from, len, rowLength, stride, rowLength);
        }
      } else if (len == 1 || stride == 0) {
        e.dma(DmaQueue.LD, spad, to, from, len * rowLength, 1, 0, 1); // one byte everywhere
      } else if (len <= rowLength) {
        for (int j = 0; j < len; j++) { // each row: its byte, rowLength times
          e.dma(DmaQueue.LD, spad, to + j * rowLength, from + j * stride, rowLength, 1, 0, 1);
        }
      } else {
        for (int c = 0; c < rowLength; c++) { // each column: one byte of every row
          e.dma(DmaQueue.LD, spad, to + c, from, len, 1, stride, rowLength);
        }
      }
    }

    @Override
    public void compute(Emitter e, int inputBuffer, int weightBuffer, int outputBuffer) {
      int lanes = t.lanes();
      e.li(X_IN1, inputBuffer * (t.actBytes() / 2));
      e.li(X_IN2, inputBuffer * (t.wgtBytes() / 2));
      e.li(X_OUT, outputBuffer * (t.outBytes() / 2));
      int full = count / lanes;
      int rest = count % lanes;
      if (full > 0) {
        e.csrwi(Csr.VL, lanes);
        e.repeat(full, "vectors", () -> vector(e, lanes));
      }
      if (rest > 0) {
        e.csrwi(Csr.VL, rest);
        vector(e, rest);
      }
    }

    private void vector(Emitter e, int vl) {
      e.emit(load, 1, Scratchpad.ACT.ordinal(), X_IN1, vl);
      e.emit(load, 2, Scratchpad.WGT.ordinal(), X_IN2, vl);
      e.emit(Opcode.VCLR, 0);
      e.emit(Opcode.VSADD, 0, 1, X_M1, X_S1, layer.input1ZeroPoint());
      e.emit(Opcode.VSADD, 0, 2, X_M2, X_S2, layer.input2ZeroPoint());
      e.emit(Opcode.VRQ, 3, 0);
      e.emit(Opcode.VST, 3, Scratchpad.OUT.ordinal(), X_OUT, vl);
    }

    @Override
    public void store(Emitter e, int outputBuffer) {
      e.dma(DmaQueue.ST, Scratchpad.OUT, outputBuffer * (t.outBytes() / 2), out, 1, count, 0, 0);
    }
  }
}
