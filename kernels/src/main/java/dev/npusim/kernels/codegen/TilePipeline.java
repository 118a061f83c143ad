package dev.npusim.kernels.codegen;

import dev.npusim.isa.DmaQueue;
import java.util.List;
import java.util.Objects;

/**
 * Emits a sequence of tiles with double buffering: while tile k computes, the loads of tile k+1 run
 * on the {@code ld} queue and the store of tile k-1 on the {@code st} queue.
 *
 * <p>Each tile names its input and weight resources by key; a resource is loaded only when its key
 * changes from the previous tile. A double-buffered resource alternates between two scratchpad
 * halves, so the next tile's copy can be prefetched into the half the previous tile used; a
 * single-buffered one is loaded after the previous tile's compute. Waits are computed from the
 * number of transfers issued, so each {@code dma.wait} waits for exactly what the next step needs.
 * The simulator's DMA visibility rule checks every one of these choices.
 */
final class TilePipeline {
  private TilePipeline() {}

  /** One tile of work. Buffers are 0 or 1. */
  interface Tile {
    Object inputKey();

    Object weightKey();

    void loadInput(Emitter e, int buffer);

    void loadWeights(Emitter e, int buffer);

    void compute(Emitter e, int inputBuffer, int weightBuffer, int outputBuffer);

    void store(Emitter e, int outputBuffer);
  }

  static void emit(
      Emitter e,
      List<? extends Tile> tiles,
      boolean doubleInput,
      boolean doubleWeights,
      boolean doubleOutput) {
    int n = tiles.size();
    int[] inBuf = new int[n];
    int[] wBuf = new int[n];
    boolean[] newInput = new boolean[n];
    boolean[] newWeights = new boolean[n];
    int ib = -1;
    int wb = -1;
    for (int k = 0; k < n; k++) {
      Tile t = tiles.get(k);
      newInput[k] = k == 0 || !Objects.equals(t.inputKey(), tiles.get(k - 1).inputKey());
      newWeights[k] = k == 0 || !Objects.equals(t.weightKey(), tiles.get(k - 1).weightKey());
      if (newInput[k]) {
        ib = doubleInput ? (ib + 1) % 2 : 0;
      }
      if (newWeights[k]) {
        wb = doubleWeights ? (wb + 1) % 2 : 0;
      }
      inBuf[k] = ib;
      wBuf[k] = wb;
    }
    boolean[] inputIssued = new boolean[n];
    boolean[] weightsIssued = new boolean[n];
    int[] lastLd = new int[n];
    int[] lastSt = new int[n];
    for (int k = 0; k < n; k++) {
      Tile t = tiles.get(k);
      e.comment("tile " + k + " of " + n);
      if (newWeights[k] && !weightsIssued[k]) {
        t.loadWeights(e, wBuf[k]);
        weightsIssued[k] = true;
      }
      if (newInput[k] && !inputIssued[k]) {
        t.loadInput(e, inBuf[k]);
        inputIssued[k] = true;
      }
      lastLd[k] = e.ldIssued;
      if (k + 1 < n) {
        Tile next = tiles.get(k + 1);
        if (newWeights[k + 1] && doubleWeights) {
          e.comment("prefetch the weights of tile " + (k + 1));
          next.loadWeights(e, wBuf[k + 1]);
          weightsIssued[k + 1] = true;
        }
        if (newInput[k + 1] && doubleInput) {
          e.comment("prefetch the input of tile " + (k + 1));
          next.loadInput(e, inBuf[k + 1]);
          inputIssued[k + 1] = true;
        }
      }
      e.await(DmaQueue.LD, e.ldIssued - lastLd[k]);
      int reuse = doubleOutput ? k - 2 : k - 1;
      if (reuse >= 0) {
        e.await(DmaQueue.ST, e.stIssued - lastSt[reuse]);
      }
      int outBuf = doubleOutput ? k % 2 : 0;
      t.compute(e, inBuf[k], wBuf[k], outBuf);
      t.store(e, outBuf);
      lastSt[k] = e.stIssued;
    }
  }
}
