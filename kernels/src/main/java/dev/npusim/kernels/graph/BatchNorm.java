package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableDoubleArray;

/**
 * An inference-time BatchNorm on a layer's output channels, kept unfolded as the model stores it
 * (MODEL.md): {@code y' = (y - movingMean) / sqrt(movingVariance + epsilon) * gamma + beta}.
 *
 * <p>The model's depthwise layers carry one of these; many of their channels have a moving variance
 * of about 1e-36 (dead channels), so their folded scale is {@code gamma / sqrt(epsilon)}, about 32
 * x gamma, which is what blows up the folded per-tensor weight range.
 */
public record BatchNorm(
    ImmutableDoubleArray gamma,
    ImmutableDoubleArray beta,
    ImmutableDoubleArray movingMean,
    ImmutableDoubleArray movingVariance,
    double epsilon) {

  /** TensorFlow's BatchNorm epsilon in this model, the float32 nearest 0.001 (MODEL.md). */
  public static final double TF_EPSILON = 0.0010000000474974513;

  public BatchNorm {
    int n = gamma.length();
    checkArgument(n > 0, "BatchNorm needs at least one channel");
    checkArgument(
        beta.length() == n && movingMean.length() == n && movingVariance.length() == n,
        "BatchNorm parameter lengths differ: gamma %s, beta %s, mean %s, variance %s",
        n,
        beta.length(),
        movingMean.length(),
        movingVariance.length());
    checkArgument(epsilon >= 0 && Double.isFinite(epsilon), "epsilon %s", epsilon);
    for (int c = 0; c < n; c++) {
      checkArgument(
          Double.isFinite(gamma.get(c))
              && Double.isFinite(beta.get(c))
              && Double.isFinite(movingMean.get(c)),
          "BatchNorm channel %s has a non-finite parameter",
          c);
      checkArgument(
          movingVariance.get(c) >= 0 && movingVariance.get(c) + epsilon > 0,
          "BatchNorm channel %s: variance %s + epsilon %s must be positive",
          c,
          movingVariance.get(c),
          epsilon);
    }
  }

  public int channels() {
    return gamma.length();
  }

  /** The unfolded function on one value of channel c, written as MODEL.md writes it. */
  public double apply(double y, int c) {
    return (y - movingMean.get(c)) / Math.sqrt(movingVariance.get(c) + epsilon) * gamma.get(c)
        + beta.get(c);
  }

  /** The multiplicative part of the folded form: {@code gamma / sqrt(variance + epsilon)}. */
  public double foldedScale(int c) {
    return gamma.get(c) / Math.sqrt(movingVariance.get(c) + epsilon);
  }
}
