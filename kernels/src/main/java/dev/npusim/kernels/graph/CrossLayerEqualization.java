package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.LayerKind;
import java.util.HashMap;
import java.util.Map;

/**
 * Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization
 * and Bias Correction", section 4.1) of every depthwise -> convolution pair.
 *
 * <p>For a depthwise layer D whose output channel i is read only by the next layer P, scaling D's
 * channel i by {@code 1/s_i} and P's input channel i by {@code s_i} leaves the function unchanged
 * as long as the activation between them commutes with positive scaling. With {@code r1_i = max |D
 * weights of channel i|} and {@code r2_i = max |P weights reading channel i|} (over all P's output
 * channels and taps), the paper's choice
 *
 * <pre>  s_i = (1 / r2_i) * sqrt(r1_i * r2_i)</pre>
 *
 * makes both ranges {@code sqrt(r1_i * r2_i)}, which maximizes the sum of the per-channel ranges
 * relative to each tensor's range, i.e. the use of a per-tensor 8-bit grid. D's bias of channel i
 * is scaled by {@code 1/s_i} too.
 *
 * <h2>The activation between the layers</h2>
 *
 * ReLU is positively homogeneous ({@code relu(x / s) = relu(x) / s} for {@code s > 0}), so a pair
 * with NONE or RELU stays exactly the same function. ReLU6 is not: {@code min(x / s, 6) != min(x,
 * 6) / s} whenever {@code x} exceeds {@code 6} or {@code 6 s}. Two variants:
 *
 * <ul>
 *   <li>{@link Variant#PLAIN}: keep ReLU6 as it is. The function changes where the (rescaled)
 *       values cross 6; this is what running CLE on a ReLU6 network without further care does.
 *   <li>{@link Variant#PER_CHANNEL_CLIP}: move channel i's clip to {@code 6 / s_i} ({@link
 *       Activation#reluClipPerChannel}). Exact, but an integer datapath that clamps once per tensor
 *       then needs one clamp level per channel.
 * </ul>
 *
 * A layer that already has a per-channel clip gets its bounds divided by {@code s_i} in both
 * variants, which is exact.
 *
 * <h2>Dead channels</h2>
 *
 * If either range of channel i is below {@code minRange} (a channel whose weights are all zero or
 * nearly so, e.g. a BatchNorm gamma of 0), {@code s_i} would be 0 or huge; such a channel is left
 * alone ({@code s_i = 1}).
 *
 * <p>BatchNorm must be folded first ({@link BatchNormFold}): equalizing the raw weights of a layer
 * whose BatchNorm is applied afterwards would be undone by the BatchNorm's per-channel scale.
 */
public final class CrossLayerEqualization {
  private CrossLayerEqualization() {}

  /** How to treat a ReLU6 between the two layers; see the class comment. */
  public enum Variant {
    PLAIN,
    PER_CHANNEL_CLIP
  }

  /** Ranges below this are treated as a dead channel and not scaled. */
  public static final double DEFAULT_MIN_RANGE = 1e-8;

  /** A depthwise layer and the regular convolution that is the only reader of its output. */
  public record LayerPair(FloatLayer depthwise, FloatLayer consumer) {}

  /**
   * One equalized pair.
   *
   * @param scales {@code s_i} per channel: D's channel i was divided by it, P's input channel i
   *     multiplied by it
   */
  public record EqualizedPair(
      FloatLayer depthwise, FloatLayer consumer, ImmutableDoubleArray scales) {}

  /** {@link #equalize(FloatGraph, Variant, double)} with {@link #DEFAULT_MIN_RANGE}. */
  public static FloatGraph equalize(FloatGraph graph, Variant variant) {
    return equalize(graph, variant, DEFAULT_MIN_RANGE);
  }

  /**
   * Equalizes every pair {@link #pairs} finds. The pairs share no layer (a depthwise layer is never
   * a regular convolution), so one pass gives the same result as iterating to convergence.
   */
  public static FloatGraph equalize(FloatGraph graph, Variant variant, double minRange) {
    Map<String, FloatLayer> replaced = new HashMap<>();
    for (LayerPair pair : pairs(graph)) {
      EqualizedPair eq = equalizePair(pair.depthwise(), pair.consumer(), variant, minRange);
      replaced.put(eq.depthwise().name(), eq.depthwise());
      replaced.put(eq.consumer().name(), eq.consumer());
    }
    return graph.withLayers(replaced);
  }

  /**
   * The pairs {depthwise D, regular conv P} where P is the only layer reading D's output, in
   * execution order. In the SSD model these are {@code MobilenetV1/Conv2d_i_depthwise} and {@code
   * Conv2d_i_pointwise}, i = 1..13.
   */
  public static ImmutableList<LayerPair> pairs(FloatGraph graph) {
    ImmutableList.Builder<LayerPair> b = ImmutableList.builder();
    for (FloatLayer d : graph.layers()) {
      if (!d.isDepthwise()) {
        continue;
      }
      ImmutableList<FloatLayer> readers = graph.consumers(d.name());
      if (readers.size() == 1 && readers.get(0).kind() == LayerKind.CONV2D) {
        b.add(new LayerPair(d, readers.get(0)));
      }
    }
    return b.build();
  }

  /** Equalizes one depthwise layer and the regular convolution that reads it. */
  public static EqualizedPair equalizePair(
      FloatLayer depthwise, FloatLayer consumer, Variant variant, double minRange) {
    checkArgument(depthwise.isDepthwise(), "%s is not a depthwise layer", depthwise.name());
    checkArgument(
        consumer.kind() == LayerKind.CONV2D, "%s is not a regular convolution", consumer.name());
    checkArgument(
        consumer.input().equals(depthwise.name()),
        "%s does not read %s",
        consumer.name(),
        depthwise.name());
    checkArgument(
        depthwise.batchNorm() == null,
        "%s still has an unfolded BatchNorm; fold it first (BatchNormFold)",
        depthwise.name());
    checkArgument(minRange >= 0, "minRange %s", minRange);
    int channels = depthwise.outputChannels();
    double[] dw = depthwise.filter().toArray();
    double[] pw = consumer.filter().toArray();
    // Depthwise [KH, KW, C] and conv OHWI [OC, KH, KW, IC]: channel i is index % C in both.
    double[] r1 = new double[channels];
    double[] r2 = new double[channels];
    for (int k = 0; k < dw.length; k++) {
      r1[k % channels] = Math.max(r1[k % channels], Math.abs(dw[k]));
    }
    for (int k = 0; k < pw.length; k++) {
      r2[k % channels] = Math.max(r2[k % channels], Math.abs(pw[k]));
    }
    double[] s = new double[channels];
    for (int i = 0; i < channels; i++) {
      s[i] = r1[i] < minRange || r2[i] < minRange ? 1.0 : Math.sqrt(r1[i] * r2[i]) / r2[i];
    }
    for (int k = 0; k < dw.length; k++) {
      dw[k] /= s[k % channels];
    }
    for (int k = 0; k < pw.length; k++) {
      pw[k] *= s[k % channels];
    }
    ImmutableDoubleArray bias = null;
    if (depthwise.bias() != null) {
      double[] b = depthwise.bias().toArray();
      for (int i = 0; i < channels; i++) {
        b[i] /= s[i];
      }
      bias = ImmutableDoubleArray.copyOf(b);
    }
    Activation act = rescaledActivation(depthwise.activation(), s, variant);
    return new EqualizedPair(
        depthwise.withParameters(ImmutableDoubleArray.copyOf(dw), bias, null, act),
        consumer.withFilter(ImmutableDoubleArray.copyOf(pw)),
        ImmutableDoubleArray.copyOf(s));
  }

  private static Activation rescaledActivation(Activation act, double[] s, Variant variant) {
    boolean perChannel = act.kind() == Activation.Kind.RELU_CLIP_PER_CHANNEL;
    if (!perChannel
        && !(act.kind() == Activation.Kind.RELU6 && variant == Variant.PER_CHANNEL_CLIP)) {
      return act; // NONE and RELU commute with positive scaling; PLAIN keeps ReLU6.
    }
    double[] upper = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      upper[i] = act.upperBound(i) / s[i];
    }
    return Activation.reluClipPerChannel(ImmutableDoubleArray.copyOf(upper));
  }
}
