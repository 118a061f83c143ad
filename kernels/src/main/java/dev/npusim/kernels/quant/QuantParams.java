package dev.npusim.kernels.quant;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.kernels.DataType;

/**
 * An affine quantization {@code real = scale * (q - zeroPoint)} of one tensor (or one channel),
 * with q in the range of an 8-bit type.
 */
public record QuantParams(double scale, int zeroPoint, DataType type) {
  public QuantParams {
    checkArgument(scale > 0 && Double.isFinite(scale), "scale %s must be positive", scale);
    checkArgument(
        type.contains(zeroPoint), "zero point %s is outside %s", zeroPoint, type.caseName());
  }

  /**
   * TFLite's asymmetric quantization of a calibrated range (its {@code ChooseQuantizationParams}):
   * the range is widened to contain 0, so that 0 is exactly representable (zero padding and ReLU
   * need it), split into 255 steps, and the zero point is the nudged, rounded image of 0.
   */
  public static QuantParams asymmetric(double min, double max, DataType type) {
    checkArgument(
        Double.isFinite(min) && Double.isFinite(max) && min <= max, "bad range [%s, %s]", min, max);
    double lo = Math.min(min, 0);
    double hi = Math.max(max, 0);
    if (hi - lo < 1e-9) {
      hi = lo + 1e-9; // an all-zero tensor: any scale represents it exactly
    }
    double scale = (hi - lo) / (type.max() - type.min());
    long zp = roundHalfAway(type.min() - lo / scale);
    zp = Math.max(type.min(), Math.min(type.max(), zp));
    return new QuantParams(scale, (int) zp, type);
  }

  /** Symmetric int8 with a zero point of 0 and the range [-127, 127] (TFLite's weight scheme). */
  public static QuantParams symmetricInt8(double maxAbs) {
    checkArgument(Double.isFinite(maxAbs) && maxAbs >= 0, "bad range %s", maxAbs);
    return new QuantParams(maxAbs > 0 ? maxAbs / 127.0 : 1.0, 0, DataType.INT8);
  }

  /** {@code clamp(zeroPoint + round(v / scale))}, rounding half away from zero like std::round. */
  public int quantize(double v) {
    long q = zeroPoint + roundHalfAway(v / scale);
    return (int) Math.max(type.min(), Math.min(type.max(), q));
  }

  /** Quantization restricted to [lo, hi] (symmetric int8 weights use [-127, 127]). */
  public int quantize(double v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, quantize(v)));
  }

  public double dequantize(int q) {
    return scale * (q - zeroPoint);
  }

  /**
   * std::round: half away from zero. {@code floor(|v| + 0.5)} with v's sign put back by {@code
   * copySign}, which for every double (zeros, NaN and infinities included) is the product {@code
   * signum(v) * floor(|v| + 0.5)} bit for bit, without {@code signum}'s branches: on activations
   * that are half zeros (ReLU) those mispredicted, and quantizing took 3 to 4 times longer.
   */
  public static long roundHalfAway(double v) {
    return (long) Math.copySign(Math.floor(Math.abs(v) + 0.5), v);
  }
}
