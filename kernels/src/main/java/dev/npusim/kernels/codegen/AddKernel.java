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
 * Element-wise ADD of two tensors of one shape, as flat byte arrays cut into tiles: input 1 goes to
 * {@code act}, input 2 to {@code wgt}, the sum to {@code out}, each double-buffered when halves
 * hold a useful tile. Per vector of L elements: two loads, {@code vclr}, one {@code vsadd} per
 * input (zero point, left shift 20, input multiplier and shift), and {@code vrq} with the output
 * multiplier and shift, which TFLite applies to the sum in the same way as a convolution's
 * requantization (output offset added in int32, then the activation clamp).
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
    int tile = Math.min(elements, cap >= lanes ? cap / lanes * lanes : cap);
    int in1 = 0;
    int in2 = DramImage.aligned(elements);
    int outAddr = DramImage.aligned(in2 + elements);
    DramImage constants = new DramImage(DramImage.aligned(outAddr + elements));
    int rqAddr = constants.append(outputRequantization(layer, lanes));

    Emitter e = new Emitter();
    emitPrologue(e, layer, tile, rqAddr, lanes);
    Opcode load = layer.type() == DataType.INT8 ? Opcode.VLD_S8 : Opcode.VLD_U8;
    List<TilePipeline.Tile> tiles = new ArrayList<>();
    for (int start = 0; start < elements; start += tile) {
      tiles.add(
          new AddTile(
              layer,
              t,
              load,
              in1 + start,
              in2 + start,
              outAddr + start,
              Math.min(tile, elements - start)));
    }
    TilePipeline.emit(e, tiles, dbl, false, dbl);
    return CompiledOperator.of(
        e,
        layer.type(),
        ImmutableList.of(in1, in2),
        elements,
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
  private static void emitPrologue(Emitter e, AddLayer layer, int tile, int rqAddr, int lanes) {
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
   * One tile of {@code count} elements: input 1 at DRAM {@code in1}, input 2 at {@code in2}, the
   * sum to {@code out}.
   */
  private static final class AddTile implements TilePipeline.Tile {
    private final AddLayer layer;
    private final CompilerTarget t;
    private final Opcode load;
    private final int in1;
    private final int in2;
    private final int out;
    private final int count;

    AddTile(AddLayer layer, CompilerTarget t, Opcode load, int in1, int in2, int out, int count) {
      this.layer = layer;
      this.t = t;
      this.load = load;
      this.in1 = in1;
      this.in2 = in2;
      this.out = out;
      this.count = count;
    }

    @Override
    public Object inputKey() {
      return in1;
    }

    @Override
    public Object weightKey() {
      return 0; // no weights: input 2 travels with input 1
    }

    @Override
    public void loadWeights(Emitter e, int buffer) {}

    @Override
    public void loadInput(Emitter e, int buffer) {
      e.dma(DmaQueue.LD, Scratchpad.ACT, buffer * (t.actBytes() / 2), in1, 1, count, 0, 0);
      e.dma(DmaQueue.LD, Scratchpad.WGT, buffer * (t.wgtBytes() / 2), in2, 1, count, 0, 0);
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
