package dev.npusim.analysis.study;

/**
 * Running sums for one signal-to-quantization-noise ratio: {@code 10 log10(sum ref^2 / sum (x -
 * ref)^2)}, accumulated over every element of every image before the ratio is taken.
 */
final class ErrorSums {
  double signal;
  double noise;
  long count;

  void add(double reference, double actual) {
    signal += reference * reference;
    double e = actual - reference;
    noise += e * e;
    count++;
  }

  void add(ErrorSums o) {
    signal += o.signal;
    noise += o.noise;
    count += o.count;
  }

  /** SQNR in dB; +Infinity when there is no error, NaN when nothing was measured. */
  double sqnrDb() {
    if (count == 0) {
      return Double.NaN;
    }
    if (noise == 0) {
      return Double.POSITIVE_INFINITY;
    }
    return 10 * Math.log10(signal / noise);
  }
}
