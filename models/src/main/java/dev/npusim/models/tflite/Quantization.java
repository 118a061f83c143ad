package dev.npusim.models.tflite;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;

/**
 * A tensor's affine quantization: {@code real = scale * (q - zero_point)}, one entry per tensor or
 * one per index of dimension {@code quantizedDimension}.
 *
 * @param scales the file's float32 scales, widened exactly to double
 * @param zeroPoints one per scale
 * @param quantizedDimension the per-channel dimension (0 for per-tensor)
 */
public record Quantization(
    ImmutableDoubleArray scales, ImmutableLongArray zeroPoints, int quantizedDimension) {
  public Quantization {
    checkArgument(scales.length() > 0, "at least one scale");
    checkArgument(
        scales.length() == zeroPoints.length(),
        "%s scales but %s zero points",
        scales.length(),
        zeroPoints.length());
    checkArgument(quantizedDimension >= 0, "quantized dimension %s < 0", quantizedDimension);
  }

  public boolean perChannel() {
    return scales.length() > 1;
  }

  /** The float32 scale of channel {@code c} (or the tensor's, if per-tensor). */
  public float scale(int c) {
    return (float) scales.get(scales.length() == 1 ? 0 : c);
  }

  public int zeroPoint(int c) {
    return (int) zeroPoints.get(zeroPoints.length() == 1 ? 0 : c);
  }

  /** The per-tensor scale. */
  public float scale() {
    checkArgument(!perChannel(), "per-channel quantization has no single scale");
    return scale(0);
  }

  /** The per-tensor zero point. */
  public int zeroPoint() {
    checkArgument(!perChannel(), "per-channel quantization has no single zero point");
    return zeroPoint(0);
  }
}
