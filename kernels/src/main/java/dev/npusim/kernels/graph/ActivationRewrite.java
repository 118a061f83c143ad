package dev.npusim.kernels.graph;

/**
 * Replaces ReLU6 by ReLU everywhere: the second of the two changes Sheng et al. 2018 make to the
 * separable convolution block (the first is removing the depthwise BatchNorm and ReLU6). Their
 * argument: ReLU6's fixed clip at 6 does not follow the tensor's range, so an 8-bit grid fitted to
 * the data either clips or wastes levels; a plain ReLU lets the calibrated range decide.
 *
 * <p>This changes the float function wherever a value exceeded 6; the paper retrains after the
 * change, this rewrite does not, so use it to study the quantization side, not as a free
 * replacement. A {@link Activation.Kind#RELU_CLIP_PER_CHANNEL} (a ReLU6 rescaled per channel by
 * {@link CrossLayerEqualization}) is a ReLU6 too and also becomes a ReLU; NONE and RELU are kept.
 */
public final class ActivationRewrite {
  private ActivationRewrite() {}

  public static FloatGraph relu6ToRelu(FloatGraph graph) {
    return graph.mapLayers(
        layer -> layer.activation().clipsAbove() ? layer.withActivation(Activation.RELU) : layer);
  }
}
