package dev.npusim.kernels.quant;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A real multiplier as TFLite stores it: a Q31 {@code multiplier} in [2^30, 2^31) and a power of
 * two {@code shift}, with {@code real ≈ multiplier * 2^(shift - 31)}; or (0, 0) for a multiplier
 * too small to matter.
 */
public record QuantizedMultiplier(int multiplier, int shift) {
  public QuantizedMultiplier {
    checkArgument(
        multiplier == 0 || multiplier >= (1 << 30),
        "multiplier %s is not 0 or in [2^30, 2^31)",
        multiplier);
    checkArgument(shift >= -31 && shift <= 30, "shift %s is outside [-31, 30]", shift);
    checkArgument(multiplier != 0 || shift == 0, "a zero multiplier has shift 0, not %s", shift);
  }

  /**
   * TFLite's {@code QuantizeMultiplier(double, int32_t*, int*)}, written from its definition:
   *
   * <ol>
   *   <li>split {@code real = q * 2^shift} with {@code q} in [0.5, 1) ({@code frexp});
   *   <li>{@code multiplier = round(q * 2^31)}, ties away from zero ({@code std::round});
   *   <li>if that rounds up to 2^31, halve it and increment the shift;
   *   <li>if {@code shift < -31} every bit would be shifted out: use (0, 0).
   * </ol>
   *
   * @param real a finite, non-negative real multiplier below 2^30
   */
  public static QuantizedMultiplier of(double real) {
    checkArgument(
        Double.isFinite(real) && real >= 0, "real multiplier %s must be finite and >= 0", real);
    if (real < Double.MIN_NORMAL) {
      return new QuantizedMultiplier(0, 0); // zero, or a subnormal: far below 2^-31
    }
    // frexp: real = q * 2^exponent with q in [0.5, 1). getExponent gives real = 1.f * 2^e.
    int exponent = Math.getExponent(real) + 1;
    double q = Math.scalb(real, -exponent);
    long fixed = Math.round(q * (double) (1L << 31)); // q > 0, so round-half-up = half away
    if (fixed == 1L << 31) {
      fixed /= 2;
      exponent++;
    }
    if (exponent < -31) {
      return new QuantizedMultiplier(0, 0);
    }
    checkArgument(
        exponent <= 30, "real multiplier %s needs shift %s > 30", (Object) real, exponent);
    return new QuantizedMultiplier((int) fixed, exponent);
  }

  /** The real value this pair stands for: {@code multiplier * 2^(shift - 31)} (exact). */
  public double realValue() {
    return Math.scalb((double) multiplier, shift - 31);
  }
}
