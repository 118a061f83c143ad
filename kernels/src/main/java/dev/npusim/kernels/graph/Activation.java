package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableDoubleArray;

/**
 * The element-wise function at the end of a layer.
 *
 * <ul>
 *   <li>{@link Kind#NONE}: identity (the SSD box predictors).
 *   <li>{@link Kind#RELU}: {@code max(x, 0)}.
 *   <li>{@link Kind#RELU6}: {@code min(max(x, 0), 6)}, what every MobileNetV1 layer of the model
 *       uses (MODEL.md).
 *   <li>{@link Kind#RELU_CLIP_PER_CHANNEL}: {@code min(max(x, 0), upper[c])}, a ReLU6 whose clip
 *       level differs per output channel. Only {@link CrossLayerEqualization}'s exact variant
 *       creates it: scaling a channel by {@code 1/s} moves that channel's ReLU6 clip to {@code
 *       6/s}.
 * </ul>
 *
 * @param channelUpperBounds the per-channel clip levels for {@link Kind#RELU_CLIP_PER_CHANNEL},
 *     null for every other kind
 */
public record Activation(Kind kind, ImmutableDoubleArray channelUpperBounds) {

  /** The activation functions the graph knows. */
  public enum Kind {
    NONE,
    RELU,
    RELU6,
    RELU_CLIP_PER_CHANNEL
  }

  /** ReLU6's upper clip level. */
  public static final double RELU6_MAX = 6.0;

  public static final Activation NONE = new Activation(Kind.NONE, null);
  public static final Activation RELU = new Activation(Kind.RELU, null);
  public static final Activation RELU6 = new Activation(Kind.RELU6, null);

  public Activation {
    checkArgument(kind != null, "activation kind is null");
    if (kind == Kind.RELU_CLIP_PER_CHANNEL) {
      checkArgument(
          channelUpperBounds != null && !channelUpperBounds.isEmpty(),
          "a per-channel clip needs one upper bound per channel");
      for (int c = 0; c < channelUpperBounds.length(); c++) {
        double u = channelUpperBounds.get(c);
        checkArgument(
            u > 0 && u < Double.POSITIVE_INFINITY,
            "upper bound[%s] = %s must be positive and finite",
            c,
            (Object) u);
      }
    } else {
      checkArgument(channelUpperBounds == null, "%s takes no per-channel upper bounds", kind);
    }
  }

  /** A ReLU clipped at {@code upper[c]} in channel c. */
  public static Activation reluClipPerChannel(ImmutableDoubleArray upper) {
    return new Activation(Kind.RELU_CLIP_PER_CHANNEL, upper);
  }

  /** Upper clip level of a channel: {@code +inf} for NONE and RELU, 6 for RELU6. */
  public double upperBound(int channel) {
    return switch (kind) {
      case NONE, RELU -> Double.POSITIVE_INFINITY;
      case RELU6 -> RELU6_MAX;
      case RELU_CLIP_PER_CHANNEL -> channelUpperBounds.get(channel);
    };
  }

  /** True when the function has a finite upper clip in some channel. */
  public boolean clipsAbove() {
    return kind == Kind.RELU6 || kind == Kind.RELU_CLIP_PER_CHANNEL;
  }

  /** The function applied to one value of a channel. */
  public double apply(double x, int channel) {
    return switch (kind) {
      case NONE -> x;
      case RELU -> x > 0 ? x : 0.0;
      case RELU6 -> x > 0 ? Math.min(x, RELU6_MAX) : 0.0;
      case RELU_CLIP_PER_CHANNEL -> x > 0 ? Math.min(x, channelUpperBounds.get(channel)) : 0.0;
    };
  }

  /** Checks that a per-channel activation fits a layer with this many output channels. */
  void checkChannels(int channels, String layerName) {
    if (kind == Kind.RELU_CLIP_PER_CHANNEL) {
      checkArgument(
          channelUpperBounds.length() == channels,
          "layer %s: per-channel clip has %s bounds for %s channels",
          layerName,
          channelUpperBounds.length(),
          channels);
    }
  }

  @Override
  public String toString() {
    return kind == Kind.RELU_CLIP_PER_CHANNEL
        ? "RELU_CLIP_PER_CHANNEL(" + channelUpperBounds.length() + " channels)"
        : kind.name();
  }
}
