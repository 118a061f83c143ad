package dev.npusim.kernels.quant;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.ActivationRewrite;
import dev.npusim.kernels.graph.BatchNormFold;
import dev.npusim.kernels.graph.CrossLayerEqualization;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-training quantization of a float graph, layer by layer, the way TFLite's converter does it:
 *
 * <ul>
 *   <li>activations: asymmetric, range from min/max calibration widened to contain 0, uint8 (TF8)
 *       or int8;
 *   <li>weights: asymmetric uint8 per tensor (TF8), or symmetric int8 per output channel in [-127,
 *       127] (Krishnamoorthi 2018; TFLite's current scheme);
 *   <li>bias: int32 in the accumulator scale {@code s_in * s_w}, rounded;
 *   <li>requantization: {@code s_in * s_w / s_out} as a Q31 multiplier and shift ({@link
 *       QuantizedMultiplier}), per tensor or per channel;
 *   <li>activation: ReLU and ReLU6 become the integer clamp {@code [max(qmin, zo), min(qmax, zo +
 *       round(6 / s_out))]} (TFLite's {@code CalculateActivationRangeQuantized}).
 * </ul>
 *
 * <p>TF8 with per-channel depthwise weights keeps uint8 activations; its symmetric int8 weights are
 * stored as uint8 with a filter zero point of 128 ({@code q + 128}), which the MAC's {@code (w -
 * zw)} turns back into the int8 value exactly, so the layer runs on the same TF8 datapath.
 */
public final class NetworkQuantizer {
  private NetworkQuantizer() {}

  /**
   * The float graph a scheme quantizes: BatchNorm folded into the depthwise weights, then the
   * scheme's rewrite (ReLU6 to ReLU, cross-layer equalization).
   */
  public static FloatGraph floatGraph(FloatGraph original, QuantScheme scheme) {
    FloatGraph folded = BatchNormFold.fold(original);
    return switch (scheme) {
      case TF8, TF8_DW_PER_CHANNEL, INT8_PER_CHANNEL -> folded;
      case TF8_CLE -> CrossLayerEqualization.equalize(folded, CrossLayerEqualization.Variant.PLAIN);
      case TF8_RELU -> ActivationRewrite.relu6ToRelu(folded);
      case TF8_RELU_CLE ->
          CrossLayerEqualization.equalize(
              ActivationRewrite.relu6ToRelu(folded), CrossLayerEqualization.Variant.PLAIN);
    };
  }

  /**
   * Quantizes a float graph (already transformed by {@link #floatGraph}) with ranges from a
   * calibration of that same graph.
   */
  public static QuantizedNetwork quantize(
      FloatGraph graph, Calibration calibration, QuantScheme scheme) {
    DataType act = scheme.int8Activations() ? DataType.INT8 : DataType.UINT8;
    Calibration.Range inRange = calibration.range(FloatGraph.INPUT);
    QuantParams input = QuantParams.asymmetric(inRange.min(), inRange.max(), act);
    Map<String, QuantParams> params = new HashMap<>();
    params.put(FloatGraph.INPUT, input);
    List<QuantizedNetwork.Layer> layers = new ArrayList<>();
    for (FloatLayer f : graph.layers()) {
      QuantParams in = params.get(f.input());
      Calibration.Range r = calibration.range(f.name());
      QuantParams out = QuantParams.asymmetric(r.min(), r.max(), act);
      boolean perChannel =
          scheme == QuantScheme.INT8_PER_CHANNEL
              || (scheme == QuantScheme.TF8_DW_PER_CHANNEL
                  && f.kind() == LayerKind.DEPTHWISE_CONV2D);
      layers.add(quantizeLayer(f, in, out, act, perChannel));
      params.put(f.name(), out);
    }
    return new QuantizedNetwork(scheme, graph, input, ImmutableList.copyOf(layers));
  }

  public static QuantizedNetwork.Layer quantizeLayer(
      FloatLayer f, QuantParams in, QuantParams out, DataType act, boolean perChannel) {
    int oc = f.outputChannels();
    int n = f.filter().length();
    int[] q = new int[n];
    double[] dequantized = new double[n];
    double[] channelScale = new double[oc];
    int[] zw;
    DataType filterType;
    if (perChannel) {
      // Symmetric int8 per output channel, q in [-127, 127].
      double[] maxAbs = new double[oc];
      for (int i = 0; i < n; i++) {
        int c = outputChannelOf(f, i);
        maxAbs[c] = Math.max(maxAbs[c], Math.abs(f.filter().get(i)));
      }
      QuantParams[] p = new QuantParams[oc];
      for (int c = 0; c < oc; c++) {
        p[c] = QuantParams.symmetricInt8(maxAbs[c]);
        channelScale[c] = p[c].scale();
      }
      // With uint8 activations (TF8), store q + 128 with filter zero point 128: (w - zw) = q.
      int offset = act == DataType.UINT8 ? 128 : 0;
      filterType = act;
      for (int i = 0; i < n; i++) {
        int c = outputChannelOf(f, i);
        int v = p[c].quantize(f.filter().get(i), -127, 127);
        q[i] = v + offset;
        dequantized[i] = p[c].dequantize(v);
      }
      zw = new int[] {offset};
    } else {
      // Asymmetric uint8 per tensor (TF8).
      double min = 0;
      double max = 0;
      for (int i = 0; i < n; i++) {
        min = Math.min(min, f.filter().get(i));
        max = Math.max(max, f.filter().get(i));
      }
      QuantParams p = QuantParams.asymmetric(min, max, DataType.UINT8);
      java.util.Arrays.fill(channelScale, p.scale());
      filterType = DataType.UINT8;
      for (int i = 0; i < n; i++) {
        q[i] = p.quantize(f.filter().get(i));
        dequantized[i] = p.dequantize(q[i]);
      }
      zw = new int[] {p.zeroPoint()};
    }
    int[] bias = new int[oc];
    int[] multipliers = new int[perChannel ? oc : 1];
    int[] shifts = new int[perChannel ? oc : 1];
    for (int c = 0; c < oc; c++) {
      double accScale = in.scale() * channelScale[c];
      bias[c] =
          (int)
              Math.max(
                  Integer.MIN_VALUE,
                  Math.min(Integer.MAX_VALUE, QuantParams.roundHalfAway(f.biasOf(c) / accScale)));
      if (perChannel || c == 0) {
        QuantizedMultiplier m = QuantizedMultiplier.of(accScale / out.scale());
        multipliers[perChannel ? c : 0] = m.multiplier();
        shifts[perChannel ? c : 0] = m.shift();
      }
    }
    int[] clamp = integerClamp(f.activation(), out);
    TensorShape is = f.inputShape();
    TensorShape os = f.outputShape();
    QuantizedLayer ql =
        QuantizedLayer.builder(
                f.kind(), act == DataType.INT8 ? Semantics.TFLITE_INT8 : Semantics.TFLITE_UINT8)
            .input(is)
            .output(os)
            .kernel(f.kernelH(), f.kernelW())
            .stride(f.strideH(), f.strideW())
            .padding(f.padding())
            .depthMultiplier(f.depthMultiplier())
            .types(act, filterType, act)
            .inputZeroPoint(in.zeroPoint())
            .filterZeroPoints(ImmutableIntArray.copyOf(zw))
            .outputZeroPoint(out.zeroPoint())
            .activation(clamp[0], clamp[1])
            .filter(ImmutableIntArray.copyOf(q))
            .bias(ImmutableIntArray.copyOf(bias))
            .requant(
                new Requantization.Q31(
                    ImmutableIntArray.copyOf(multipliers), ImmutableIntArray.copyOf(shifts)))
            .build();
    FloatLayer weightsOnly = f.withFilter(ImmutableDoubleArray.copyOf(dequantized));
    return new QuantizedNetwork.Layer(
        f.name(),
        f.input(),
        f,
        ql,
        in,
        out,
        ImmutableDoubleArray.copyOf(channelScale),
        weightsOnly);
  }

  /** Output channel of a flat filter index (OHWI for conv, [KH, KW, C] for depthwise). */
  static int outputChannelOf(FloatLayer f, int index) {
    return f.kind() == LayerKind.DEPTHWISE_CONV2D
        ? index % f.outputChannels()
        : index / (f.filter().length() / f.outputChannels());
  }

  /** TFLite's CalculateActivationRangeQuantized. */
  public static int[] integerClamp(Activation a, QuantParams out) {
    int qmin = out.type().min();
    int qmax = out.type().max();
    int zo = out.zeroPoint();
    return switch (a.kind()) {
      case NONE -> new int[] {qmin, qmax};
      case RELU -> new int[] {Math.max(qmin, zo), qmax};
      case RELU6 ->
          new int[] {
            Math.max(qmin, zo),
            (int) Math.min(qmax, zo + QuantParams.roundHalfAway(Activation.RELU6_MAX / out.scale()))
          };
      case RELU_CLIP_PER_CHANNEL ->
          throw new IllegalArgumentException(
              "a per-channel clip has no per-tensor integer clamp; quantize the ReLU6 graph");
    };
  }
}
