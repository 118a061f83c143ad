package dev.npusim.kernels.codegen;

import dev.npusim.isa.Csr;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Depthwise convolution: lanes map to channels. A channel tile of up to L channels is processed for
 * each depth-multiplier index m as an ordinary multiplier-1 depthwise pass whose outputs go to
 * channels {@code c*M + m}, stored with a lane stride of M.
 *
 * <p>The input tile of a group of output rows and columns is copied into {@code act} with its halo;
 * where the halo lies in the padding, the tile is first filled with the input zero point (copied
 * from a zero-point row in DRAM with a DRAM stride of 0), so padded taps contribute exactly (zx -
 * zx) * w = 0, as TFLite's padding does. Each tap's weights stay in a vector register for the whole
 * tile; per output pixel the kernel runs one vector load and one {@code vmac} per tap, then {@code
 * vrq} and a store.
 */
final class DepthwiseKernel {
  /** First vector register holding tap weights; v8..v31 leave room for 24 taps. */
  private static final int V_TAP0 = 8;

  private static final int MAX_REGISTER_TAPS = 32 - V_TAP0;

  private static final int X_ROW = 8;
  private static final int X_TAP = 9;
  private static final int X_OUT = 10;
  private static final int X_BIAS = 11;
  private static final int X_MULT = 12;
  private static final int X_SHIFT = 13;
  private static final int X_ZW = 14;
  private static final int X_WGT = 15;
  private static final int X_STRIDE_M = 16;

  private DepthwiseKernel() {}

  static CompiledLayer compile(QuantizedLayer layer, CompilerTarget target)
      throws CompileException {
    return new Plan(layer, target).emit();
  }

  private static final class Plan {
    final QuantizedLayer layer;
    final CompilerTarget t;
    final int lanes;
    final int n;
    final int h;
    final int w;
    final int c;
    final int m;
    final int oc;
    final int oh;
    final int ow;
    final int kh;
    final int kw;
    final int taps;
    final int cMax;
    final int slack;
    final boolean doubleInput;
    final int inputBufferBytes;
    final boolean doubleOutput;
    final int outputBufferBytes;
    final int th;
    final int tw;
    final TensorBoxes.Tensor in;
    final TensorBoxes.Tensor out;
    final DramImage constants;
    final int zeroPointRow;
    final int[] weightAddr;
    final int[] paramAddr;

    /** Offset of weight/parameter buffer 1 (0 when single-buffered). */
    final int parHalf;

    final int wgtHalf;
    final boolean doubleWeights;

    Plan(QuantizedLayer layer, CompilerTarget t) throws CompileException {
      this.layer = layer;
      this.t = t;
      lanes = t.lanes();
      n = layer.input().n();
      h = layer.input().h();
      w = layer.input().w();
      c = layer.input().c();
      m = layer.depthMultiplier();
      oc = layer.output().c();
      oh = layer.output().h();
      ow = layer.output().w();
      kh = layer.kernelH();
      kw = layer.kernelW();
      taps = kh * kw;
      // Channel tiles as equal as the lane count allows: 64 channels on 40 lanes run as two
      // tiles of 32, not 40 + 24. The pass count is what a wider machine can save; a ragged last
      // tile saves nothing and makes every input tile wider, so fewer rows fit in act.
      int channelTiles = (c + lanes - 1) / lanes;
      cMax = (c + channelTiles - 1) / channelTiles;
      // Input loads read exactly a pixel's cn bytes, so nothing is read past a tile.
      slack = 0;
      // Tile sizes: the largest full-width row band that fits both buffers, double buffered if
      // possible; narrower tiles only when one output row does not fit.
      int[] choice = chooseTile(true, true);
      boolean dbl = choice != null;
      if (choice == null) {
        choice = chooseTile(false, false);
      }
      if (choice == null) {
        throw smallestTileDoesNotFit();
      }
      th = choice[0];
      tw = choice[1];
      doubleInput = dbl;
      doubleOutput = dbl;
      inputBufferBytes = dbl ? t.actBytes() / 2 : t.actBytes();
      outputBufferBytes = dbl ? t.outBytes() / 2 : t.outBytes();
      int weightBytes = taps * cMax * m;
      int paramBytes = m * LayerParameters.blockBytes(cMax);
      // Weights and parameters of a channel tile (all multiplier passes): double-buffered if both
      // fit in half their scratchpads, else single-buffered (loaded after the previous tile).
      doubleWeights = weightBytes <= t.wgtBytes() / 2 && paramBytes <= t.parBytes() / 2;
      wgtHalf = doubleWeights ? t.wgtBytes() / 2 : 0;
      parHalf = doubleWeights ? t.parBytes() / 2 : 0;
      checkChannelTileFits(weightBytes, paramBytes);
      in = new TensorBoxes.Tensor(0, h, w, c);
      int outAddr = DramImage.aligned(in.addr() + n * h * w * c);
      out = new TensorBoxes.Tensor(outAddr, oh, ow, oc);
      constants = new DramImage(DramImage.aligned(outAddr + n * oh * ow * oc));
      int tiles = (c + cMax - 1) / cMax;
      weightAddr = new int[tiles];
      paramAddr = new int[tiles];
      appendWeightsAndParameters();
      byte[] zp = new byte[colsIn(tw) * cMax];
      Arrays.fill(zp, (byte) layer.inputZeroPoint());
      zeroPointRow = constants.append(zp);
    }

    CompileException smallestTileDoesNotFit() {
      int rowsIn = (kh - 1) * layer.dilationH() + 1;
      int colsIn = (kw - 1) * layer.dilationW() + 1;
      return new CompileException(
          "scratchpads.act",
          String.format(
              "%d bytes cannot hold the smallest depthwise tile (%dx%d input pixels of %d"
                  + " channels, %d bytes), or scratchpads.out %d bytes cannot hold one output"
                  + " pixel of %d bytes",
              t.actBytes(),
              rowsIn,
              colsIn,
              cMax,
              rowsIn * colsIn * cMax + slack,
              t.outBytes(),
              cMax * m));
    }

    /** The weights and parameters of one channel tile must fit their scratchpads whole. */
    void checkChannelTileFits(int weightBytes, int paramBytes) throws CompileException {
      if (weightBytes > t.wgtBytes()) {
        throw new CompileException(
            "scratchpads.wgt",
            String.format(
                "%d bytes cannot hold the %d weight bytes of a %d-channel depthwise tile",
                t.wgtBytes(), weightBytes, cMax));
      }
      if (paramBytes > t.parBytes()) {
        throw new CompileException(
            "scratchpads.par",
            String.format(
                "%d bytes cannot hold the %d parameter bytes of a %d-channel tile",
                t.parBytes(), paramBytes, cMax));
      }
    }

    /**
     * Per channel tile, its weights (per multiplier index and tap, one byte per lane) then its
     * parameter blocks (one per multiplier index), into {@code constants}.
     */
    void appendWeightsAndParameters() {
      for (int ct = 0; ct < weightAddr.length; ct++) {
        int c0 = ct * cMax;
        int cn = Math.min(cMax, c - c0);
        byte[] wts = new byte[taps * cn * m];
        int[] ocs = new int[cn];
        byte[] params = new byte[m * LayerParameters.blockBytes(cn)];
        for (int mi = 0; mi < m; mi++) {
          for (int tap = 0; tap < taps; tap++) {
            for (int l = 0; l < cn; l++) {
              wts[(mi * taps + tap) * cn + l] =
                  (byte) layer.filterAt((c0 + l) * m + mi, tap / kw, tap % kw, 0);
            }
          }
          for (int l = 0; l < cn; l++) {
            ocs[l] = (c0 + l) * m + mi;
          }
          byte[] block = LayerParameters.block(layer, ocs);
          System.arraycopy(block, 0, params, mi * block.length, block.length);
        }
        weightAddr[ct] = constants.append(wts);
        paramAddr[ct] = constants.append(params);
      }
    }

    int rowsIn(int rows) {
      return TileShape.inputExtent(rows, kh, layer.strideH(), layer.dilationH());
    }

    int colsIn(int cols) {
      return TileShape.inputExtent(cols, kw, layer.strideW(), layer.dilationW());
    }

    /** {rows, cols} of the output tile, or null if nothing fits. */
    int[] chooseTile(boolean doubleIn, boolean doubleOut) {
      int inCap = (doubleIn ? t.actBytes() / 2 : t.actBytes()) - slack;
      int outCap = doubleOut ? t.outBytes() / 2 : t.outBytes();
      return TileShape.largest(
          oh, ow, this::rowsIn, this::colsIn, cMax, (long) cMax * m, inCap, outCap);
    }

    CompiledLayer emit() {
      Emitter e = new Emitter();
      e.comment(
          String.format(
              "depthwise_conv2d %s -> %s, kernel %dx%d, stride %d,%d, dilation %d,%d,"
                  + " multiplier %d; tiles of %dx%d outputs x %d channels",
              layer.input(),
              layer.output(),
              kh,
              kw,
              layer.strideH(),
              layer.strideW(),
              layer.dilationH(),
              layer.dilationW(),
              m,
              th,
              tw,
              cMax));
      Prologue.emit(e, layer);
      if (m > 1) {
        e.li(X_STRIDE_M, m);
      }
      List<DwTile> tiles = new ArrayList<>();
      int channelTiles = (c + cMax - 1) / cMax;
      for (int ct = 0; ct < channelTiles; ct++) {
        for (int b = 0; b < n; b++) {
          for (int y0 = 0; y0 < oh; y0 += th) {
            for (int x0 = 0; x0 < ow; x0 += tw) {
              tiles.add(new DwTile(ct, b, y0, Math.min(th, oh - y0), x0, Math.min(tw, ow - x0)));
            }
          }
        }
      }
      TilePipeline.emit(e, tiles, doubleInput, doubleWeights, doubleOutput);
      return CompiledLayer.of(
          layer, t, e, in.addr(), out.addr(), constants, "depthwise", tiles.size());
    }

    /** One tile: a channel tile ct, a batch b, and an output box. */
    final class DwTile extends ChannelBoxTile {
      DwTile(int ct, int b, int y0, int rows, int x0, int cols) {
        super(ct, b, y0, rows, x0, cols, cMax, c);
      }

      @Override
      public Object weightKey() {
        return ct;
      }

      int inputBuffer(int buffer) {
        return buffer * (t.actBytes() / 2);
      }

      @Override
      public void loadWeights(Emitter e, int buffer) {
        e.dma(
            DmaQueue.LD, Scratchpad.WGT, buffer * wgtHalf, weightAddr[ct], 1, taps * cn * m, 0, 0);
        e.dma(
            DmaQueue.LD,
            Scratchpad.PAR,
            buffer * parHalf,
            paramAddr[ct],
            1,
            m * LayerParameters.blockBytes(cn),
            0,
            0);
      }

      @Override
      public void loadInput(Emitter e, int buffer) {
        TensorBoxes.loadPaddedTile(
            e,
            inputBuffer(buffer),
            in,
            b,
            y0 * layer.strideH() - layer.padTop(),
            rowsIn(rows),
            x0 * layer.strideW() - layer.padLeft(),
            colsIn(cols),
            c0,
            cn,
            zeroPointRow);
      }

      @Override
      public void compute(Emitter e, int inputBuffer, int weightBuffer, int outputBuffer) {
        int cIn = colsIn(cols);
        int sh = layer.strideH();
        int sw = layer.strideW();
        int dh = layer.dilationH();
        int dw = layer.dilationW();
        boolean signedIn = layer.inputType() == DataType.INT8;
        boolean signedW = layer.filterType() == DataType.INT8;
        Opcode loadIn = signedIn ? Opcode.VLD_S8 : Opcode.VLD_U8;
        Opcode loadW = signedW ? Opcode.VLD_S8 : Opcode.VLD_U8;
        e.csrwi(Csr.VL, cn);
        int outBase = outputBuffer * (t.outBytes() / 2);
        boolean tapsInRegisters = taps <= MAX_REGISTER_TAPS;
        for (int mi = 0; mi < m; mi++) {
          if (m > 1) {
            e.comment(
                "depth multiplier pass m = " + mi + ": outputs " + c0 + "*" + m + "+" + mi + "...");
          }
          int par = weightBuffer * parHalf + mi * LayerParameters.blockBytes(cn);
          e.li(X_BIAS, par + LayerParameters.biasOffset());
          e.li(X_MULT, par + LayerParameters.multiplierOffset(cn));
          e.li(X_SHIFT, par + LayerParameters.shiftOffset(cn));
          e.emit(Opcode.RQLD, X_MULT, X_SHIFT);
          e.li(X_ZW, par + LayerParameters.zeroPointOffset(cn));
          e.emit(loadW, 1, Scratchpad.PAR.ordinal(), X_ZW, 0);
          e.emit(Opcode.VSETZW, 1);
          int wgt = weightBuffer * wgtHalf + mi * taps * cn;
          if (tapsInRegisters) {
            e.li(X_WGT, wgt);
            for (int tap = 0; tap < taps; tap++) {
              e.emit(loadW, V_TAP0 + tap, Scratchpad.WGT.ordinal(), X_WGT, cn);
            }
          }
          e.li(X_ROW, inputBuffer(inputBuffer));
          e.li(X_OUT, outBase + mi);
          int pixelStep = sw * cn;
          int rowStep = sh * cIn * cn - cols * pixelStep;
          e.repeat(
              rows,
              "rows",
              () -> {
                e.repeat(
                    cols,
                    "cols",
                    () -> {
                      e.emit(Opcode.VBIAS, 0, X_BIAS);
                      e.emit(Opcode.ADDI, X_TAP, X_ROW, 0);
                      if (!tapsInRegisters) {
                        e.emit(Opcode.ADDI, X_WGT, 0, wgt);
                      }
                      for (int tap = 0; tap < taps; tap++) {
                        int kx = tap % kw;
                        int inc;
                        if (tap == taps - 1) {
                          inc = 0;
                        } else if (kx < kw - 1) {
                          inc = dw * cn;
                        } else {
                          inc = dh * cIn * cn - (kw - 1) * dw * cn;
                        }
                        e.emit(loadIn, 1, Scratchpad.ACT.ordinal(), X_TAP, inc);
                        int wr = V_TAP0 + tap;
                        if (!tapsInRegisters) {
                          wr = 2;
                          e.emit(loadW, 2, Scratchpad.WGT.ordinal(), X_WGT, cn);
                        }
                        e.emit(Opcode.VMAC, 0, 1, wr);
                      }
                      e.emit(Opcode.VRQ, 3, 0);
                      if (m == 1) {
                        e.emit(Opcode.VST, 3, Scratchpad.OUT.ordinal(), X_OUT, cn);
                      } else {
                        e.emit(Opcode.VSTS, 3, Scratchpad.OUT.ordinal(), X_OUT, X_STRIDE_M, cn * m);
                      }
                      e.emit(Opcode.ADDI, X_ROW, X_ROW, pixelStep);
                    });
                if (rowStep != 0) {
                  e.emit(Opcode.ADDI, X_ROW, X_ROW, rowStep);
                }
              });
        }
      }

      @Override
      public void store(Emitter e, int outputBuffer) {
        int base = outputBuffer * (t.outBytes() / 2);
        TensorBoxes.move(
            e,
            DmaQueue.ST,
            Scratchpad.OUT,
            base,
            cols * cn * m,
            out,
            b,
            y0,
            rows,
            x0,
            cols,
            c0 * m,
            cn * m);
      }
    }
  }
}
