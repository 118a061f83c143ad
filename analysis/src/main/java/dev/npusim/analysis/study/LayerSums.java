package dev.npusim.analysis.study;

import dev.npusim.golden.metrics.Sqnr;

/**
 * One layer's running sums for one scheme: filled by {@link SimulateStage} per image, merged over
 * images by {@link AggregateStage}.
 */
final class LayerSums {
  final Sqnr cumulative = new Sqnr();
  final Sqnr isolated = new Sqnr();
  final Sqnr weightsOnly = new Sqnr();
  final Sqnr activationsOnly = new Sqnr();
  double roundingSum;
  double roundingSquares;
  long roundingCount;
  long saturated;
  long outputs;
  double clippedEnergy;
  double signalEnergy;
  long overflows;
  int bitsNeeded;
  long cycles;
  long macs;

  void add(LayerSums o) {
    cumulative.add(o.cumulative);
    isolated.add(o.isolated);
    weightsOnly.add(o.weightsOnly);
    activationsOnly.add(o.activationsOnly);
    roundingSum += o.roundingSum;
    roundingSquares += o.roundingSquares;
    roundingCount += o.roundingCount;
    saturated += o.saturated;
    outputs += o.outputs;
    clippedEnergy += o.clippedEnergy;
    signalEnergy += o.signalEnergy;
    overflows += o.overflows;
    bitsNeeded = Math.max(bitsNeeded, o.bitsNeeded);
    cycles += o.cycles;
    macs += o.macs;
  }
}
