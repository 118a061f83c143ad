package dev.npusim.kernels.codegen;

import com.google.common.collect.ImmutableList;
import dev.npusim.isa.Csr;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Average and max pooling: lanes map to channels, as in {@link DepthwiseKernel}. The input tile of
 * a band of output rows and columns is copied into {@code act} with its halo; where the halo lies
 * in the padding it is filled from a constant row in DRAM: with 0 for average pooling (TFLite sums
 * raw values, so a padded 0 adds nothing) and with the type's minimum for max pooling (every window
 * holds at least one input pixel, whose value is at least that). Per output pixel the kernel loads
 * each tap and accumulates it ({@code vacc}) or takes the maximum ({@code vmax}), then divides
 * ({@code vavg}) or clamps ({@code vclamp}) and stores.
 *
 * <p>TFLite divides by the number of window pixels inside the input ({@code filter_count}), which
 * differs near the border. It is the product of a row count and a column count, so the compiler
 * splits each tile into rectangles of equal counts and gives each its own loop nest with the count
 * in a register.
 */
final class PoolKernel {
  private static final int X_ROW = 8;
  private static final int X_TAP = 9;
  private static final int X_OUT = 10;
  private static final int X_COUNT = 11;

  private PoolKernel() {}

  static CompiledOperator compile(PoolLayer layer, CompilerTarget target) throws CompileException {
    return new Plan(layer, target).emit();
  }

  private static final class Plan {
    final PoolLayer layer;
    final CompilerTarget t;
    final boolean average;
    final int n;
    final int h;
    final int w;
    final int c;
    final int oh;
    final int ow;
    final int fh;
    final int fw;
    final int cMax;
    final int th;
    final int tw;
    final boolean doubleBuffer;
    final TensorBoxes.Tensor in;
    final TensorBoxes.Tensor out;
    final DramImage constants;
    final int fillRow;

    Plan(PoolLayer layer, CompilerTarget t) throws CompileException {
      this.layer = layer;
      this.t = t;
      average = layer.kind() == PoolLayer.Kind.AVERAGE;
      n = layer.input().n();
      h = layer.input().h();
      w = layer.input().w();
      c = layer.input().c();
      oh = layer.output().h();
      ow = layer.output().w();
      fh = layer.filterH();
      fw = layer.filterW();
      // Equal channel tiles, as in the depthwise kernel; a window too large for act at that width
      // (global pooling of a large map) runs on narrower channel tiles instead.
      int[] choice = null;
      boolean dbl = false;
      int width = 0;
      for (int tiles = (c + t.lanes() - 1) / t.lanes(); tiles <= c && choice == null; tiles++) {
        width = (c + tiles - 1) / tiles;
        choice = chooseTile(width, true);
        dbl = choice != null;
        if (choice == null) {
          choice = chooseTile(width, false);
        }
      }
      cMax = width;
      doubleBuffer = dbl;
      if (choice == null) {
        throw new CompileException(
            "scratchpads.act",
            String.format(
                "%d bytes cannot hold the smallest %s tile (%dx%d input pixels of one channel,"
                    + " %d bytes)",
                t.actBytes(), layer.kind().opName(), fh, fw, fh * fw));
      }
      th = choice[0];
      tw = choice[1];
      in = new TensorBoxes.Tensor(0, h, w, c);
      int outAddr = DramImage.aligned(n * h * w * c);
      out = new TensorBoxes.Tensor(outAddr, oh, ow, c);
      constants = new DramImage(DramImage.aligned(outAddr + n * oh * ow * c));
      byte[] fill = new byte[colsIn(tw) * cMax];
      Arrays.fill(fill, average ? 0 : (byte) layer.type().min());
      fillRow = constants.append(fill);
    }

    int rowsIn(int rows) {
      return TileShape.inputExtent(rows, fh, layer.strideH(), 1);
    }

    int colsIn(int cols) {
      return TileShape.inputExtent(cols, fw, layer.strideW(), 1);
    }

    int[] chooseTile(int channels, boolean dbl) {
      int inCap = dbl ? t.actBytes() / 2 : t.actBytes();
      int outCap = dbl ? t.outBytes() / 2 : t.outBytes();
      return TileShape.largest(
          oh, ow, this::rowsIn, this::colsIn, channels, channels, inCap, outCap);
    }

    CompiledOperator emit() {
      Emitter e = new Emitter();
      e.comment(
          String.format(
              "%s %s -> %s, filter %dx%d, stride %d,%d, padding top %d left %d; tiles of %dx%d"
                  + " outputs x %d channels",
              layer.kind().opName(),
              layer.input(),
              layer.output(),
              fh,
              fw,
              layer.strideH(),
              layer.strideW(),
              layer.padTop(),
              layer.padLeft(),
              th,
              tw,
              cMax));
      e.comment(
          "type "
              + layer.type().caseName()
              + ", activation clamp ["
              + layer.activationMin()
              + ", "
              + layer.activationMax()
              + "]");
      if (average) {
        e.csrwi(Csr.ZX, 0); // vacc subtracts zx; TFLite sums the raw values
      }
      e.csrwi(Csr.AMIN, layer.activationMin());
      e.csrwi(Csr.AMAX, layer.activationMax());
      e.csrwi(Csr.OTYPE, layer.type() == DataType.UINT8 ? 1 : 0);
      List<PoolTile> tiles = new ArrayList<>();
      int channelTiles = (c + cMax - 1) / cMax;
      for (int ct = 0; ct < channelTiles; ct++) {
        for (int b = 0; b < n; b++) {
          for (int y0 = 0; y0 < oh; y0 += th) {
            for (int x0 = 0; x0 < ow; x0 += tw) {
              tiles.add(new PoolTile(ct, b, y0, Math.min(th, oh - y0), x0, Math.min(tw, ow - x0)));
            }
          }
        }
      }
      TilePipeline.emit(e, tiles, doubleBuffer, false, doubleBuffer);
      return CompiledOperator.of(
          e,
          layer.type(),
          ImmutableList.of(in.addr()),
          ImmutableList.of(n * h * w * c),
          out.addr(),
          n * oh * ow * c,
          constants,
          average ? "average_pool" : "max_pool",
          tiles.size());
    }

    /**
     * Splits [from, from + count) into runs of equal window counts, as {start, length, count}
     * triples; max pooling needs no counts and gets one run.
     */
    List<int[]> runs(int from, int count, java.util.function.IntUnaryOperator windowCount) {
      List<int[]> runs = new ArrayList<>();
      for (int i = from; i < from + count; ) {
        int k = average ? windowCount.applyAsInt(i) : 0;
        int j = i + 1;
        while (j < from + count && (!average || windowCount.applyAsInt(j) == k)) {
          j++;
        }
        runs.add(new int[] {i, j - i, k});
        i = j;
      }
      return runs;
    }

    /** One tile: a channel tile ct, a batch b, and an output box. */
    final class PoolTile extends ChannelBoxTile {
      PoolTile(int ct, int b, int y0, int rows, int x0, int cols) {
        super(ct, b, y0, rows, x0, cols, cMax, c);
      }

      @Override
      public Object weightKey() {
        return 0; // pooling has no weights
      }

      @Override
      public void loadWeights(Emitter e, int buffer) {}

      int inputBuffer(int buffer) {
        return buffer * (t.actBytes() / 2);
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
            fillRow);
      }

      @Override
      public void compute(Emitter e, int inputBuffer, int weightBuffer, int outputBuffer) {
        int cIn = colsIn(cols);
        int sh = layer.strideH();
        int sw = layer.strideW();
        Opcode load = layer.type() == DataType.INT8 ? Opcode.VLD_S8 : Opcode.VLD_U8;
        e.csrwi(Csr.VL, cn);
        int outBase = outputBuffer * (t.outBytes() / 2);
        int inBase = inputBuffer(inputBuffer);
        for (int[] rowRun : runs(y0, rows, layer::windowRows)) {
          for (int[] colRun : runs(x0, cols, layer::windowCols)) {
            int r0 = rowRun[0] - y0;
            int nr = rowRun[1];
            int k0 = colRun[0] - x0;
            int nc = colRun[1];
            if (average) {
              int count = rowRun[2] * colRun[2];
              e.comment(
                  String.format(
                      "outputs %d..%d x %d..%d: %d input pixels per window",
                      rowRun[0], rowRun[0] + nr - 1, colRun[0], colRun[0] + nc - 1, count));
              e.li(X_COUNT, count);
            }
            e.li(X_ROW, inBase + (r0 * sh * cIn + k0 * sw) * cn);
            e.li(X_OUT, outBase + (r0 * cols + k0) * cn);
            int pixelStep = sw * cn;
            int rowStep = sh * cIn * cn - nc * pixelStep;
            int outRowStep = (cols - nc) * cn;
            if (nr == 1) {
              e.repeat(nc, "cols", () -> pixel(e, load, cIn));
              continue;
            }
            e.repeat(
                nr,
                "rows",
                () -> {
                  e.repeat(nc, "cols", () -> pixel(e, load, cIn));
                  if (rowStep != 0) {
                    e.emit(Opcode.ADDI, X_ROW, X_ROW, rowStep);
                  }
                  if (outRowStep != 0) {
                    e.emit(Opcode.ADDI, X_OUT, X_OUT, outRowStep);
                  }
                });
          }
        }
      }

      /** One output pixel of cn channels: every tap, then the division or clamp, and the store. */
      private void pixel(Emitter e, Opcode load, int cIn) {
        int taps = fh * fw;
        e.emit(Opcode.ADDI, X_TAP, X_ROW, 0);
        if (average) {
          e.emit(Opcode.VCLR, 0);
        }
        for (int tap = 0; tap < taps; tap++) {
          int kx = tap % fw;
          int inc;
          if (tap == taps - 1) {
            inc = 0;
          } else if (kx < fw - 1) {
            inc = cn;
          } else {
            inc = cIn * cn - (fw - 1) * cn;
          }
          if (average) {
            e.emit(load, 1, Scratchpad.ACT.ordinal(), X_TAP, inc);
            e.emit(Opcode.VACC, 0, 1);
          } else if (tap == 0) {
            e.emit(load, 1, Scratchpad.ACT.ordinal(), X_TAP, inc);
          } else {
            e.emit(load, 2, Scratchpad.ACT.ordinal(), X_TAP, inc);
            e.emit(Opcode.VMAX, 1, 1, 2);
          }
        }
        if (average) {
          e.emit(Opcode.VAVG, 3, 0, X_COUNT);
        } else {
          e.emit(Opcode.VCLAMP, 3, 1);
        }
        e.emit(Opcode.VST, 3, Scratchpad.OUT.ordinal(), X_OUT, cn);
        e.emit(Opcode.ADDI, X_ROW, X_ROW, sw() * cn);
      }

      private int sw() {
        return layer.strideW();
      }

      @Override
      public void store(Emitter e, int outputBuffer) {
        int base = outputBuffer * (t.outBytes() / 2);
        TensorBoxes.move(
            e, DmaQueue.ST, Scratchpad.OUT, base, cols * cn, out, b, y0, rows, x0, cols, c0, cn);
      }
    }
  }
}
