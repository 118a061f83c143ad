package dev.npusim.golden.metrics;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.function.IntToDoubleFunction;

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

  /**
   * Adds {@code actual[i]} against {@code reference[i]} for every {@code i}, in order: the same
   * sums, bit for bit, as {@link #add(double, double)} element by element.
   *
   * @throws IllegalArgumentException if the arrays differ in length
   */
  public void add(double[] reference, double[] actual) {
    checkArgument(
        reference.length == actual.length,
        "reference has %s elements but actual has %s",
        reference.length,
        actual.length);
    add(reference.length, i -> reference[i], i -> actual[i]);
  }

  /**
   * Adds {@code actual.applyAsDouble(i)} against {@code reference.applyAsDouble(i)} for {@code i}
   * from 0 to {@code length - 1}, in order: the same sums, bit for bit, as {@link #add(double,
   * double)} element by element, with the running sums kept in locals rather than stored per
   * element. The accessors let a caller read tensors and dequantize integers in place, without a
   * copy (the study runs at -Xmx1g with little to spare).
   *
   * @throws IllegalArgumentException if {@code length} is negative
   */
  public void add(int length, IntToDoubleFunction reference, IntToDoubleFunction actual) {
    checkArgument(length >= 0, "negative length %s", length);
    double s = signal;
    double n = noise;
    for (int i = 0; i < length; i++) {
      double r = reference.applyAsDouble(i);
      s += r * r;
      double e = actual.applyAsDouble(i) - r;
      n += e * e;
    }
    signal = s;
    noise = n;
    count += length;
  }

  /**
   * An accumulator holding sums computed elsewhere: {@code signal} and {@code noise} as sums of
   * squares over {@code count} elements. Added to an empty accumulator ({@link #add(Sqnr)}) they
   * are the same bits as adding those elements one by one in the same order, since {@code 0.0 + x
   * == x} for every sum of squares; a caller that sums several accumulators' noise against one
   * reference in one pass reads the reference once and shares its signal sum.
   *
   * @throws IllegalArgumentException if a sum or {@code count} is negative
   */
  public static Sqnr ofSums(double signal, double noise, long count) {
    // NaN passes: a NaN element makes the element-by-element sums NaN too.
    checkArgument(!(signal < 0), "negative signal sum %s", signal);
    checkArgument(!(noise < 0), "negative noise sum %s", noise);
    checkArgument(count >= 0, "negative count %s", count);
    Sqnr s = new Sqnr();
    s.signal = signal;
    s.noise = noise;
    s.count = count;
    return s;
  }

  /** How many elements were added. */
  public long count() {
    return count;
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
