package dev.npusim.analysis.study;

import dev.npusim.golden.metrics.Sqnr;

/**
 * One layer's running sums for one pipeline: filled by {@link SimulateStage} per image and merged
 * over images by {@link AggregateStage} (the face detector), or filled over every input in turn by
 * {@link TfliteSimulateStage} (an imported network).
 */
final class LayerSums {
  final Sqnr cumulative = new Sqnr();
  final Sqnr isolated = new Sqnr();
  final Sqnr weightsOnly = new Sqnr();
  final Sqnr activationsOnly = new Sqnr();
  double roundingSum;
  double roundingSquares;
  long roundingCount;

  /** Outputs the 8-bit range cut off (each study's aggregate says against what). */
  long saturated;

  /** Outputs the simulator's requantization clamped (imported networks). */
  long clamped;

  long outputs;
  double clippedEnergy;
  double signalEnergy;
  long overflows;
  int bitsNeeded;
  long cycles;
  long macs;

  /**
   * Rounding error of integer outputs against the exact unrounded requantization, in LSB, over the
   * outputs whose exact value lies inside the clamp range {@code [lo, hi]}.
   */
  void addRounding(int[] out, double[] exact, int lo, int hi) {
    // Local running sums, stored once: the same additions in the same order as into the fields.
    double sum = roundingSum;
    double squares = roundingSquares;
    long count = roundingCount;
    for (int i = 0; i < exact.length; i++) {
      double u = exact[i];
      if (u >= lo && u <= hi) {
        double e = out[i] - u;
        sum += e;
        squares += e * e;
        count++;
      }
    }
    roundingSum = sum;
    roundingSquares = squares;
    roundingCount = count;
  }

  void add(LayerSums o) {
    cumulative.add(o.cumulative);
    isolated.add(o.isolated);
    weightsOnly.add(o.weightsOnly);
    activationsOnly.add(o.activationsOnly);
    roundingSum += o.roundingSum;
    roundingSquares += o.roundingSquares;
    roundingCount += o.roundingCount;
    saturated += o.saturated;
    clamped += o.clamped;
    outputs += o.outputs;
    clippedEnergy += o.clippedEnergy;
    signalEnergy += o.signalEnergy;
    overflows += o.overflows;
    bitsNeeded = Math.max(bitsNeeded, o.bitsNeeded);
    cycles += o.cycles;
    macs += o.macs;
  }
}
