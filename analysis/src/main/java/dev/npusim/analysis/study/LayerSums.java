package dev.npusim.analysis.study;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;

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

  /**
   * The four SQNR sums of one image's layer, in one pass over the float network's output {@code
   * ref}: against the weights-only and activations-only passes' outputs and the cumulative and
   * isolated simulated outputs (dequantized by {@code op}). The same figures, bit for bit, as
   * {@link Sqnr#add(double, double)} element by element into each accumulator: every sum runs in
   * element order from 0.0, one multiply and one add per element, and the accumulators must be
   * empty (the study makes one {@code LayerSums} per image, scheme and layer), so that adding the
   * finished sums to them is exact. One pass reads the reference once, computes its signal once,
   * and keeps five independent sums in flight instead of two.
   */
  void addErrors(
      FloatTensor ref,
      FloatTensor weightsOnlyOut,
      FloatTensor activationsOnlyOut,
      int[] cumulativeOut,
      int[] isolatedOut,
      QuantParams op) {
    int n = ref.size();
    checkArgument(
        weightsOnlyOut.size() == n
            && activationsOnlyOut.size() == n
            && cumulativeOut.length == n
            && isolatedOut.length == n,
        "outputs of %s, %s, %s and %s elements against a reference of %s",
        weightsOnlyOut.size(),
        activationsOnlyOut.size(),
        cumulativeOut.length,
        isolatedOut.length,
        n);
    checkState(
        cumulative.count() == 0
            && isolated.count() == 0
            && weightsOnly.count() == 0
            && activationsOnly.count() == 0,
        "SQNR sums already hold elements");
    double signal = 0;
    double w = 0;
    double a = 0;
    double c = 0;
    double i = 0;
    for (int k = 0; k < n; k++) {
      double r = ref.get(k);
      signal += r * r;
      double ew = weightsOnlyOut.get(k) - r;
      w += ew * ew;
      double ea = activationsOnlyOut.get(k) - r;
      a += ea * ea;
      double ec = op.dequantize(cumulativeOut[k]) - r;
      c += ec * ec;
      double ei = op.dequantize(isolatedOut[k]) - r;
      i += ei * ei;
    }
    weightsOnly.add(Sqnr.ofSums(signal, w, n));
    activationsOnly.add(Sqnr.ofSums(signal, a, n));
    cumulative.add(Sqnr.ofSums(signal, c, n));
    isolated.add(Sqnr.ofSums(signal, i, n));
  }

  /**
   * Rounding (as {@link #addRounding}) and saturation of one image's layer in one pass over the
   * exact requantization {@code exact}: the error of each output inside {@code [lo, hi]}; the
   * signal {@code (intended - zo)^2} of the exact value clipped only where the float activation
   * clips ({@code [actLo, actHi]}); and what the 8-bit clamp {@code [lo, hi]} takes from that
   * beyond, counted as saturated when more than half an LSB. Each of the six sums keeps its element
   * order, so the figures are those of separate loops, bit for bit.
   */
  void addRequantization(
      int[] out, double[] exact, int lo, int hi, int zo, double actLo, double actHi) {
    checkArgument(
        out.length == exact.length, "%s outputs against %s exact values", out.length, exact.length);
    double sum = roundingSum;
    double squares = roundingSquares;
    long count = roundingCount;
    double signal = signalEnergy;
    double clipped = clippedEnergy;
    long saturatedOutputs = saturated;
    for (int k = 0; k < exact.length; k++) {
      double u = exact[k];
      if (u >= lo && u <= hi) {
        double e = out[k] - u;
        sum += e;
        squares += e * e;
        count++;
      }
      double intended = Math.min(Math.max(u, actLo), actHi);
      signal += (intended - zo) * (intended - zo);
      // Clamped by the 8-bit range where the float activation would not clip: saturation.
      double lost = intended - Math.min(Math.max(intended, lo), hi);
      if (Math.abs(lost) > 0.5) {
        saturatedOutputs++;
      }
      clipped += lost * lost;
    }
    roundingSum = sum;
    roundingSquares = squares;
    roundingCount = count;
    outputs += exact.length;
    signalEnergy = signal;
    clippedEnergy = clipped;
    saturated = saturatedOutputs;
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
