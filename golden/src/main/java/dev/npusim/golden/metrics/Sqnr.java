package dev.npusim.golden.metrics;

/**
 * Signal-to-quantization-noise ratio, the one definition every figure in npusim uses: {@code 10
 * log10(Σ ref² / Σ (actual - ref)²)} in dB. As an accumulator it sums over every element of every
 * tensor (and image) before the ratio is taken, so that large tensors weigh more than small ones.
 *
 * <p>Edge cases: {@code +Infinity} when there is no error at all, {@code -Infinity} when there is
 * error but no signal, and (for an accumulator) {@code NaN} when nothing was measured.
 */
public final class Sqnr {
  private double signal;
  private double noise;
  private long count;

  /** Adds one element: its reference value and the value measured against it. */
  public void add(double reference, double actual) {
    signal += reference * reference;
    double e = actual - reference;
    noise += e * e;
    count++;
  }

  /** Adds everything another accumulator has summed. */
  public void add(Sqnr o) {
    signal += o.signal;
    noise += o.noise;
    count += o.count;
  }

  /** SQNR in dB of everything added; {@code NaN} when nothing was. */
  public double db() {
    return count == 0 ? Double.NaN : db(signal, noise);
  }

  /** SQNR in dB from the two sums of squares. */
  public static double db(double signal, double noise) {
    if (noise == 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (signal == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    return 10 * Math.log10(signal / noise);
  }
}
