package dev.npusim.kernels.codegen;

import dev.npusim.isa.Csr;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Regular convolution (any kernel, stride, dilation, padding) and fully-connected layers, as an
 * implicit GEMM: lanes map to output channels, and the reduction over taps and input channels runs
 * on {@code vdot4}, four input channels per instruction against four weight vectors.
 *
 * <p>Per group of up to 8 output pixels (one accumulator each), for each tap and each block of
 * input channels: one vector load per pixel brings the block's input channels into lanes, then for
 * each group of 4 channels, 4 weight vectors are loaded and shared by every pixel's {@code vdot4}.
 * Weights are stored per output-channel tile in consumption order, input channels padded to a
 * multiple of 4 with the filter zero point so the padding contributes exactly 0.
 *
 * <p>A fully-connected layer [N, IC] x [OC, IC] is the same kernel on a 1 x N image.
 */
final class ConvKernel {
  private static final int MAX_PIXELS = 8;
  private static final int V_W = 8;
  private static final int V_ZW = 12;
  private static final int X_ROW = 8;
  private static final int X_OUT = 9;
  private static final int X_BIAS = 10;
  private static final int X_MULT = 11;
  private static final int X_SHIFT = 12;
  private static final int X_ZW = 13;
  private static final int X_WGT = 14;
  private static final int X_PIXEL0 = 16;

  private ConvKernel() {}

  static CompiledLayer compile(QuantizedLayer layer, CompilerTarget target)
      throws CompileException {
    return new Plan(layer, target).emit();
  }

  private static final class Plan {
    final QuantizedLayer layer;
    final CompilerTarget t;
    final int lanes;
    // Geometry as an image: a fully-connected layer is one row of N pixels.
    final int n;
    final int h;
    final int w;
    final int ic;
    final int oc;
    final int oh;
    final int ow;
    final int kh;
    final int kw;
    final int taps;
    final int icPadded;
    final int block;
    final int ct;
    final int th;
    final int tw;
    final boolean doubleInput;
    final boolean doubleWeights;
    final boolean doubleOutput;
    final int slack;
    final TensorBoxes.Tensor in;
    final TensorBoxes.Tensor out;
    final DramImage constants;
    final int[] weightAddr;
    final int[] paramAddr;
    final int zeroPointRow;
    final boolean ocOuter;

    Plan(QuantizedLayer layer, CompilerTarget t) throws CompileException {
      this.layer = layer;
      this.t = t;
      lanes = t.lanes();
      if (lanes < 4) {
        throw new CompileException(
            "lanes",
            "conv2d and fully_connected kernels need at least 4 lanes for vdot4, got " + lanes);
      }
      boolean fc = layer.kind() == LayerKind.FULLY_CONNECTED;
      n = fc ? 1 : layer.input().n();
      h = fc ? 1 : layer.input().h();
      w = fc ? layer.input().n() : layer.input().w();
      ic = layer.input().c();
      oc = layer.output().c();
      oh = fc ? 1 : layer.output().h();
      ow = fc ? layer.output().n() : layer.output().w();
      kh = layer.kernelH();
      kw = layer.kernelW();
      taps = kh * kw;
      icPadded = (ic + 3) & ~3;
      // Output-channel tile: as many lanes as the weights allow, double-buffered if possible.
      int c = outputChannelsPerTile();
      boolean dblW = widestChannelTile(taps * icPadded, t.wgtBytes() / 2) >= 1;
      // Equal output-channel tiles for the same tile count (100 channels on 40 lanes: 34 + 33 + 33,
      // not 40 + 40 + 20): a ragged last tile saves no pass and only costs lanes elsewhere.
      int ocTileCount = (oc + c - 1) / c;
      ct = (oc + ocTileCount - 1) / ocTileCount;
      doubleWeights = dblW;
      block = chooseBlock();
      // A pixel's input loads read max(block, ct) lanes from each block start (vl is the tile's
      // channel count unless the block is wider), so the last block of the tile's last pixel may
      // read past the tile; reserve exactly that much. The extra lanes never reach a result: they
      // fall in channels the block's vdot4 groups do not use, or in the padding channels whose
      // weights are the filter zero point.
      int lastBlockStart = ((icPadded + block - 1) / block - 1) * block;
      slack = Math.max(0, lastBlockStart + Math.max(block, ct) - ic);
      if (LayerParameters.blockBytes(ct) > t.parBytes() / 2) {
        throw new CompileException(
            "scratchpads.par",
            String.format(
                "%d bytes cannot double-buffer the %d parameter bytes of a %d-channel tile",
                t.parBytes(), LayerParameters.blockBytes(ct), ct));
      }
      int[] tile = chooseTile(true, true);
      boolean dbl = tile != null;
      if (tile == null) {
        tile = chooseTile(false, false);
      }
      if (tile == null) {
        throw smallestTileDoesNotFit();
      }
      // A layer that is one tile and one output-channel tile loads all its input before any
      // compute and has nothing to overlap the load with. Two row bands let the second band load
      // while the first computes, and cost no extra traffic beyond the kernel's halo rows (with
      // more output-channel tiles, a second band would make one of input or weights reload).
      if (dbl && n == 1 && tile[0] == oh && tile[1] == ow && oh > 1 && (oc + ct - 1) / ct == 1) {
        tile[0] = (oh + 1) / 2;
      }
      th = tile[0];
      tw = tile[1];
      doubleInput = dbl;
      doubleOutput = dbl;
      in = new TensorBoxes.Tensor(0, h, w, ic);
      int outAddr = DramImage.aligned(n * h * w * ic);
      out = new TensorBoxes.Tensor(outAddr, oh, ow, oc);
      constants = new DramImage(DramImage.aligned(outAddr + n * oh * ow * oc));
      int ocTiles = (oc + ct - 1) / ct;
      weightAddr = new int[ocTiles];
      paramAddr = new int[ocTiles];
      appendWeightsAndParameters();
      byte[] zp = new byte[colsIn(tw) * ic];
      Arrays.fill(zp, (byte) layer.inputZeroPoint());
      zeroPointRow = constants.append(zp);
      ocOuter = outputChannelLoopIsCheaper(ocTiles);
    }

    /** Per output-channel tile, its weights then its parameter block, into {@code constants}. */
    void appendWeightsAndParameters() {
      for (int ot = 0; ot < weightAddr.length; ot++) {
        int o0 = ot * ct;
        int cn = Math.min(ct, oc - o0);
        int[] ocs = new int[cn];
        for (int l = 0; l < cn; l++) {
          ocs[l] = o0 + l;
        }
        weightAddr[ot] = constants.append(weightTile(o0, cn));
        paramAddr[ot] = constants.append(LayerParameters.block(layer, ocs));
      }
    }

    /**
     * The most output channels per tile whose weights fit half of {@code wgt} (to double-buffer
     * them), else all of it.
     */
    int outputChannelsPerTile() throws CompileException {
      int k = taps * icPadded;
      int c = widestChannelTile(k, t.wgtBytes() / 2);
      if (c < 1) {
        c = widestChannelTile(k, t.wgtBytes());
      }
      if (c < 1) {
        throw new CompileException(
            "scratchpads.wgt",
            String.format(
                "%d bytes cannot hold the weights of even one output channel (%d taps x %d input"
                    + " channels = %d bytes)",
                t.wgtBytes(), taps, icPadded, k));
      }
      return c;
    }

    /**
     * The most output channels, up to a vector of lanes, whose {@code k} weight bytes each fit in
     * {@code capacity} bytes; 0 if not even one does.
     */
    int widestChannelTile(int k, int capacity) {
      int c = Math.min(lanes, oc);
      while (c >= 1 && (long) k * c > capacity) {
        c--;
      }
      return c;
    }

    CompileException smallestTileDoesNotFit() {
      int rIn = (kh - 1) * layer.dilationH() + 1;
      int cIn = (kw - 1) * layer.dilationW() + 1;
      return new CompileException(
          "scratchpads.act",
          String.format(
              "%d bytes cannot hold the smallest tile (%dx%d input pixels of %d channels = %d"
                  + " bytes, plus %d bytes of slack), or scratchpads.out %d bytes cannot hold"
                  + " one output pixel",
              t.actBytes(), rIn, cIn, ic, rIn * cIn * ic, slack, t.outBytes()));
    }

    /**
     * The weights of output channels {@code o0 .. o0+cn-1} in consumption order: per tap and input
     * channel, one byte per lane; input channels past {@code ic} hold the filter zero point, so
     * they contribute exactly 0.
     */
    byte[] weightTile(int o0, int cn) {
      byte[] wts = new byte[taps * icPadded * cn];
      for (int l = 0; l < cn; l++) {
        for (int tap = 0; tap < taps; tap++) {
          for (int i = 0; i < icPadded; i++) {
            int v =
                i < ic
                    ? layer.filterAt(o0 + l, tap / kw, tap % kw, i)
                    : layer.filterZeroPoint(o0 + l);
            wts[(tap * icPadded + i) * cn + l] = (byte) v;
          }
        }
      }
      return wts;
    }

    /** Loop order: reload whichever of input and weights costs less DRAM traffic. */
    boolean outputChannelLoopIsCheaper(int ocTiles) {
      long spatialTiles = (long) n * ((oh + th - 1) / th) * ((ow + tw - 1) / tw);
      long inputBytes = (long) n * h * w * ic;
      long weightBytes = (long) taps * icPadded * oc;
      long ocOuterTraffic = (spatialTiles > 1 ? inputBytes * ocTiles : inputBytes) + weightBytes;
      long spatialOuterTraffic =
          inputBytes + (ocTiles > 1 ? weightBytes * spatialTiles : weightBytes);
      return ocOuterTraffic <= spatialOuterTraffic;
    }

    /**
     * Input channels per block (a multiple of 4, for vdot4's groups). Per group of P pixels and
     * tap, a block costs P input loads, plus two vl switches when it is wider than the output tile
     * (its loads then need more lanes than the vdot4s); the vdot4s and weight loads do not depend
     * on the block. Candidates: blocks up to a vector of lanes, or up to the output tile (no
     * switches), each split as evenly as its count allows; the cheaper wins, the wider on a tie.
     */
    int chooseBlock() {
      int p = Math.min(MAX_PIXELS, ow);
      int best = 0;
      long bestCost = Long.MAX_VALUE;
      for (int cap : new int[] {lanes & ~3, Math.min(lanes & ~3, Math.max(4, ct & ~3))}) {
        int count = (icPadded + cap - 1) / cap;
        int b = ((icPadded + count - 1) / count + 3) & ~3;
        long cost = (long) count * (p + (b > ct ? 2 : 0));
        if (cost < bestCost || (cost == bestCost && b > best)) {
          best = b;
          bestCost = cost;
        }
      }
      return best;
    }

    int rowsIn(int rows) {
      return TileShape.inputExtent(rows, kh, layer.strideH(), layer.dilationH());
    }

    int colsIn(int cols) {
      return TileShape.inputExtent(cols, kw, layer.strideW(), layer.dilationW());
    }

    int[] chooseTile(boolean doubleIn, boolean doubleOut) {
      int inCap = (doubleIn ? t.actBytes() / 2 : t.actBytes()) - slack;
      int outCap = doubleOut ? t.outBytes() / 2 : t.outBytes();
      return TileShape.largest(oh, ow, this::rowsIn, this::colsIn, ic, ct, inCap, outCap);
    }

    int padTop() {
      return layer.kind() == LayerKind.FULLY_CONNECTED ? 0 : layer.padTop();
    }

    int padLeft() {
      return layer.kind() == LayerKind.FULLY_CONNECTED ? 0 : layer.padLeft();
    }

    CompiledLayer emit() {
      Emitter e = new Emitter();
      e.comment(
          String.format(
              "%s %s -> %s, kernel %dx%d, stride %d,%d, dilation %d,%d; output-channel tiles of"
                  + " %d, spatial tiles of %dx%d, %s loop outer; input channels in blocks of %d",
              layer.kind().caseName(),
              layer.input(),
              layer.output(),
              kh,
              kw,
              layer.strideH(),
              layer.strideW(),
              layer.dilationH(),
              layer.dilationW(),
              ct,
              th,
              tw,
              ocOuter ? "output-channel" : "spatial",
              block));
      Prologue.emit(e, layer);
      List<ConvTile> tiles = new ArrayList<>();
      int ocTiles = (oc + ct - 1) / ct;
      List<int[]> spatial = new ArrayList<>();
      for (int b = 0; b < n; b++) {
        for (int y0 = 0; y0 < oh; y0 += th) {
          for (int x0 = 0; x0 < ow; x0 += tw) {
            spatial.add(new int[] {b, y0, Math.min(th, oh - y0), x0, Math.min(tw, ow - x0)});
          }
        }
      }
      if (ocOuter) {
        for (int ot = 0; ot < ocTiles; ot++) {
          for (int[] s : spatial) {
            tiles.add(new ConvTile(ot, s));
          }
        }
      } else {
        for (int[] s : spatial) {
          for (int ot = 0; ot < ocTiles; ot++) {
            tiles.add(new ConvTile(ot, s));
          }
        }
      }
      TilePipeline.emit(e, tiles, doubleInput, doubleWeights, doubleOutput);
      return CompiledLayer.of(
          layer, t, e, in.addr(), out.addr(), constants, layer.kind().caseName(), tiles.size());
    }

    final class ConvTile implements TilePipeline.Tile {
      final int ot;
      final int b;
      final int y0;
      final int rows;
      final int x0;
      final int cols;
      final int o0;
      final int cn;

      ConvTile(int ot, int[] s) {
        this.ot = ot;
        this.b = s[0];
        this.y0 = s[1];
        this.rows = s[2];
        this.x0 = s[3];
        this.cols = s[4];
        this.o0 = ot * ct;
        this.cn = Math.min(ct, oc - o0);
      }

      @Override
      public Object inputKey() {
        return List.of(b, y0, x0);
      }

      @Override
      public Object weightKey() {
        return ot;
      }

      int wgtBase(int buffer) {
        return buffer * (t.wgtBytes() / 2);
      }

      int parBase(int buffer) {
        return buffer * (t.parBytes() / 2);
      }

      int inBase(int buffer) {
        return buffer * (t.actBytes() / 2);
      }

      @Override
      public void loadWeights(Emitter e, int buffer) {
        e.dma(
            DmaQueue.LD,
            Scratchpad.WGT,
            wgtBase(buffer),
            weightAddr[ot],
            1,
            taps * icPadded * cn,
            0,
            0);
        e.dma(
            DmaQueue.LD,
            Scratchpad.PAR,
            parBase(buffer),
            paramAddr[ot],
            1,
            LayerParameters.blockBytes(cn),
            0,
            0);
      }

      @Override
      public void loadInput(Emitter e, int buffer) {
        TensorBoxes.loadPaddedTile(
            e,
            inBase(buffer),
            in,
            b,
            y0 * layer.strideH() - padTop(),
            rowsIn(rows),
            x0 * layer.strideW() - padLeft(),
            colsIn(cols),
            0,
            ic,
            zeroPointRow);
      }

      @Override
      public void compute(Emitter e, int inputBuffer, int weightBuffer, int outputBuffer) {
        int cIn = colsIn(cols);
        int sh = layer.strideH();
        int sw = layer.strideW();
        Opcode loadIn = layer.inputType() == DataType.INT8 ? Opcode.VLD_S8 : Opcode.VLD_U8;
        Opcode loadW = layer.filterType() == DataType.INT8 ? Opcode.VLD_S8 : Opcode.VLD_U8;
        e.csrwi(Csr.VL, cn);
        int par = parBase(weightBuffer);
        e.li(X_BIAS, par + LayerParameters.biasOffset());
        e.li(X_MULT, par + LayerParameters.multiplierOffset(cn));
        e.li(X_SHIFT, par + LayerParameters.shiftOffset(cn));
        e.emit(Opcode.RQLD, X_MULT, X_SHIFT);
        e.li(X_ZW, par + LayerParameters.zeroPointOffset(cn));
        e.emit(loadW, V_ZW, Scratchpad.PAR.ordinal(), X_ZW, 0);
        e.emit(Opcode.VSETZW, V_ZW);
        e.li(X_ROW, inBase(inputBuffer));
        e.li(X_OUT, outputBuffer * (t.outBytes() / 2));
        int pixels = Math.min(MAX_PIXELS, cols);
        int groups = cols / pixels;
        int tail = cols % pixels;
        int rowStep = sh * cIn * ic - cols * sw * ic;
        e.repeat(
            rows,
            "rows",
            () -> {
              e.repeat(groups, "pixels", () -> group(e, pixels, cIn, weightBuffer, loadIn, loadW));
              if (tail > 0) {
                group(e, tail, cIn, weightBuffer, loadIn, loadW);
              }
              if (rowStep != 0) {
                e.emit(Opcode.ADDI, X_ROW, X_ROW, rowStep);
              }
            });
      }

      /** P output pixels of one row, starting at X_ROW; leaves X_ROW at the next group. */
      private void group(Emitter e, int p, int cIn, int weightBuffer, Opcode loadIn, Opcode loadW) {
        int sw = layer.strideW();
        int dh = layer.dilationH();
        int dw = layer.dilationW();
        for (int i = 0; i < p; i++) {
          e.emit(Opcode.ADDI, X_PIXEL0 + i, X_ROW, i * sw * ic);
          e.emit(Opcode.VBIAS, i, X_BIAS);
        }
        e.emit(Opcode.ADDI, X_WGT, 0, wgtBase(weightBuffer));
        int fullBlocks = icPadded / block;
        int tailGroups = (icPadded % block) / 4;
        int blocks = fullBlocks + (tailGroups > 0 ? 1 : 0);
        boolean toggle = block > cn;
        for (int tap = 0; tap < taps; tap++) {
          int ky = tap / kw;
          int kx = tap % kw;
          e.repeat(fullBlocks, "blocks", () -> inputBlock(e, p, block / 4, toggle, loadIn, loadW));
          if (tailGroups > 0) {
            inputBlock(e, p, tailGroups, toggle, loadIn, loadW);
          }
          if (tap + 1 < taps) {
            int ny = (tap + 1) / kw;
            int nx = (tap + 1) % kw;
            int delta = ((ny - ky) * dh * cIn + (nx - kx) * dw) * ic - blocks * block;
            if (delta != 0) {
              for (int i = 0; i < p; i++) {
                e.emit(Opcode.ADDI, X_PIXEL0 + i, X_PIXEL0 + i, delta);
              }
            }
          }
        }
        for (int i = 0; i < p; i++) {
          e.emit(Opcode.VRQ, i, i);
          e.emit(Opcode.VST, i, Scratchpad.OUT.ordinal(), X_OUT, cn);
        }
        e.emit(Opcode.ADDI, X_ROW, X_ROW, p * sw * ic);
      }

      /** One block of input channels: groups of 4 channels against 4 weight vectors each. */
      private void inputBlock(
          Emitter e, int p, int groups, boolean toggle, Opcode loadIn, Opcode loadW) {
        if (toggle) {
          e.csrwi(Csr.VL, block);
        }
        for (int i = 0; i < p; i++) {
          e.emit(loadIn, i, Scratchpad.ACT.ordinal(), X_PIXEL0 + i, block);
        }
        if (toggle) {
          e.csrwi(Csr.VL, cn);
        }
        for (int g = 0; g < groups; g++) {
          for (int j = 0; j < 4; j++) {
            e.emit(loadW, V_W + j, Scratchpad.WGT.ordinal(), X_WGT, cn);
          }
          for (int i = 0; i < p; i++) {
            e.emit(Opcode.VDOT4, i, i, g, V_W);
          }
        }
      }

      @Override
      public void store(Emitter e, int outputBuffer) {
        TensorBoxes.move(
            e,
            DmaQueue.ST,
            Scratchpad.OUT,
            outputBuffer * (t.outBytes() / 2),
            cols * cn,
            out,
            b,
            y0,
            rows,
            x0,
            cols,
            o0,
            cn);
      }
    }
  }
}
