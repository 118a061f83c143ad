package dev.npusim.kernels.graph;

import dev.npusim.kernels.LayerKind;

/**
 * What a {@link FloatLayer} computes. The three weighted operations are the project's {@link
 * LayerKind}s; the others carry no weights and come from imported TFLite graphs (their float
 * semantics are TFLite's reference kernels').
 */
public enum FloatOp {
  CONV2D(LayerKind.CONV2D),
  DEPTHWISE_CONV2D(LayerKind.DEPTHWISE_CONV2D),
  FULLY_CONNECTED(LayerKind.FULLY_CONNECTED),
  /** Mean of the window's pixels inside the input (padded pixels are not counted). */
  AVERAGE_POOL(null),
  /** Maximum of the window's pixels inside the input. */
  MAX_POOL(null),
  /**
   * Element-wise sum of two tensors (layers, graph constants or the input) whose shapes broadcast
   * numpy-style.
   */
  ADD(null),
  /** RESHAPE or SQUEEZE: the NHWC values unchanged under a new shape. */
  RESHAPE(null),
  /** {@code exp(beta * x) / sum exp(beta * x)} over the channel (innermost) axis. */
  SOFTMAX(null);

  private final LayerKind kind;

  FloatOp(LayerKind kind) {
    this.kind = kind;
  }

  /** The quantized layer kind of a weighted operation, null for the others. */
  public LayerKind layerKind() {
    return kind;
  }

  /** True for convolutions and fully-connected layers (they have a filter). */
  public boolean weighted() {
    return kind != null;
  }

  /** True for average and max pooling. */
  public boolean pooling() {
    return this == AVERAGE_POOL || this == MAX_POOL;
  }

  /** The weighted operation of a quantized layer kind. */
  public static FloatOp of(LayerKind kind) {
    return switch (kind) {
      case CONV2D -> CONV2D;
      case DEPTHWISE_CONV2D -> DEPTHWISE_CONV2D;
      case FULLY_CONNECTED -> FULLY_CONNECTED;
    };
  }

  /** Lower-case name for reports: {@code conv2d}, {@code average_pool}, ... */
  public String displayName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
