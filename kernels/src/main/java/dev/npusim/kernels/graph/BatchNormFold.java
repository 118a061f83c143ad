package dev.npusim.kernels.graph;

import com.google.common.primitives.ImmutableDoubleArray;

/**
 * Folds each layer's unfolded BatchNorm into its weights and bias, as inference engines and 8-bit
 * deployments do. With {@code k[c] = gamma[c] / sqrt(variance[c] + eps)}:
 *
 * <pre>
 *   w'[.., c] = w[.., c] * k[c]
 *   b'[c]     = (b[c] - mean[c]) * k[c] + beta[c]        (b = 0 when the layer had no bias,
 *                                                         giving MODEL.md's beta - mean * k)
 * </pre>
 *
 * which is the same function, since {@code BN(sum(x w) + b) = k (sum(x w) + b - mean) + beta}. In
 * double arithmetic the two differ only by rounding. In 8 bits they do not: Sheng et al. 2018 point
 * out that the per-channel factor {@code k} spreads the depthwise weight ranges apart (this model's
 * dead channels, variance about 1e-36, get {@code k = gamma / sqrt(eps)}), which is what makes a
 * per-tensor 8-bit grid for the folded depthwise weights coarse.
 */
public final class BatchNormFold {
  private BatchNormFold() {}

  /** The graph with every BatchNorm folded; layers without one are kept as they are. */
  public static FloatGraph fold(FloatGraph graph) {
    return graph.mapLayers(BatchNormFold::fold);
  }

  /**
   * The layer with its BatchNorm folded into weights and bias (the layer itself if it has none).
   */
  public static FloatLayer fold(FloatLayer layer) {
    BatchNorm bn = layer.batchNorm();
    if (bn == null) {
      return layer;
    }
    int channels = layer.outputChannels();
    double[] k = new double[channels];
    double[] bias = new double[channels];
    for (int c = 0; c < channels; c++) {
      k[c] = bn.foldedScale(c);
      bias[c] = (layer.biasOf(c) - bn.movingMean().get(c)) * k[c] + bn.beta().get(c);
    }
    double[] w = layer.filter().toArray();
    // Depthwise [KH, KW, C]: channel is the fastest index. Conv OHWI: channel is the slowest.
    int perChannel = w.length / channels;
    for (int i = 0; i < w.length; i++) {
      int c = layer.isDepthwise() ? i % channels : i / perChannel;
      w[i] *= k[c];
    }
    return layer.withParameters(
        ImmutableDoubleArray.copyOf(w),
        ImmutableDoubleArray.copyOf(bias),
        null,
        layer.activation());
  }
}
