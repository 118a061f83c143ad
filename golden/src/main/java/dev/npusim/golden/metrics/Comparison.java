package dev.npusim.golden.metrics;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.npusim.kernels.TensorShape;
import java.util.Optional;

/**
 * How far an output tensor is from a reference, in LSB of the output's integer domain: exact-match
 * count, first mismatch, largest absolute error and SQNR. Works for an integer output against
 * integer expectations (golden file, integer reference) and against a real-valued reference ({@code
 * ExactRequantReference}, {@code IntegerReference.exact}); an element "matches" when the two values
 * are equal as doubles.
 *
 * <p>SQNR is {@code 10 * log10(Σ (ref - zp)^2 / Σ (actual - ref)^2)} in dB, where {@code zp} is the
 * signal's zero point (0 unless given), so that the signal is measured as the real value the codes
 * stand for and not inflated by a uint8 zero point of 128. It is {@code +Infinity} when the two
 * tensors are equal (including when both are all zero-point: no error at all). When the reference
 * is all zero-point but the actual is not, there is no signal for the error to be measured against,
 * and SQNR is {@code -Infinity}.
 *
 * @param shape the NHWC shape of both tensors
 * @param total element count
 * @param matching elements where actual equals reference
 * @param firstMismatch the mismatch with the lowest flat index, if any
 * @param maxAbsError {@code max |actual - reference|}
 * @param sqnrDb signal-to-quantization-noise ratio, see above
 */
public record Comparison(
    TensorShape shape,
    int total,
    int matching,
    Optional<Mismatch> firstMismatch,
    double maxAbsError,
    double sqnrDb) {

  public Comparison {
    checkNotNull(shape, "shape");
    checkNotNull(firstMismatch, "firstMismatch");
    checkArgument(total == shape.elements(), "total %s != %s elements", total, shape.elements());
    checkArgument(
        matching >= 0 && matching <= total, "matching %s is outside [0, %s]", matching, total);
    checkArgument(
        firstMismatch.isPresent() == (matching < total),
        "a first mismatch exists exactly when not all %s elements match",
        total);
    checkArgument(maxAbsError >= 0, "max abs error %s < 0", maxAbsError);
    checkArgument(!Double.isNaN(sqnrDb), "SQNR is NaN");
  }

  /**
   * One differing element.
   *
   * @param index flat NHWC index
   * @param coordinate {@code [b, y, x, c]}
   */
  public record Mismatch(int index, String coordinate, double expected, double actual) {
    @Override
    public String toString() {
      return "index "
          + index
          + " "
          + coordinate
          + ": expected "
          + number(expected)
          + ", actual "
          + number(actual);
    }
  }

  /** Integer output against integer expectations (zero point 0 for the SQNR). */
  public static Comparison of(TensorShape shape, int[] expected, int[] actual) {
    return of(shape, toDoubles(expected), toDoubles(actual), 0);
  }

  /** Integer output against a real-valued reference (zero point 0 for the SQNR). */
  public static Comparison of(TensorShape shape, double[] reference, int[] actual) {
    return of(shape, reference, toDoubles(actual), 0);
  }

  /**
   * The general form.
   *
   * @param zeroPoint the value that means real zero in both tensors, subtracted from the reference
   *     to measure the SQNR signal
   */
  public static Comparison of(
      TensorShape shape, double[] reference, double[] actual, double zeroPoint) {
    checkArgument(
        reference.length == shape.elements() && actual.length == shape.elements(),
        "shape %s holds %s elements, reference has %s, actual %s",
        shape,
        shape.elements(),
        reference.length,
        actual.length);
    int matching = 0;
    Mismatch first = null;
    double maxAbs = 0;
    double signal = 0;
    double noise = 0;
    for (int i = 0; i < reference.length; i++) {
      double ref = reference[i];
      double act = actual[i];
      checkArgument(Double.isFinite(ref) && Double.isFinite(act), "element %s is not finite", i);
      double error = act - ref;
      if (error == 0) {
        matching++;
      } else if (first == null) {
        first = new Mismatch(i, shape.coordinate(i), ref, act);
      }
      maxAbs = Math.max(maxAbs, Math.abs(error));
      signal += (ref - zeroPoint) * (ref - zeroPoint);
      noise += error * error;
    }
    return new Comparison(
        shape,
        reference.length,
        matching,
        Optional.ofNullable(first),
        maxAbs,
        Sqnr.db(signal, noise));
  }

  /** True when every element matches. */
  public boolean bitExact() {
    return matching == total;
  }

  /** A one-line account for test failures and the validator. */
  public String summary() {
    if (bitExact()) {
      return "bit-exact: " + matching + "/" + total + " elements of " + shape + " match";
    }
    return String.format(
        "%d/%d elements of %s match; first mismatch at %s; max |error| %s LSB; SQNR %.2f dB",
        matching, total, shape, firstMismatch.orElseThrow(), number(maxAbsError), sqnrDb);
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static double[] toDoubles(int[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = values[i];
    }
    return d;
  }
}
