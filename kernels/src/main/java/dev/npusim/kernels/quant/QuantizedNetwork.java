package dev.npusim.kernels.quant;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A float graph quantized layer by layer: for each layer, the integer layer the compiler runs and
 * the quantization of its input and output tensors.
 *
 * @param scheme how it was quantized
 * @param floatGraph the float graph it approximates (after BN folding and the scheme's rewrites)
 * @param input quantization of the network input
 * @param layers in execution order
 */
public record QuantizedNetwork(
    QuantScheme scheme, FloatGraph floatGraph, QuantParams input, ImmutableList<Layer> layers) {

  /**
   * One quantized layer.
   *
   * @param name the float layer's name (its manifest prefix)
   * @param inputName the tensor it reads: {@link FloatGraph#INPUT} or another layer's name
   * @param floatLayer the float layer it approximates
   * @param quantized the integer layer
   * @param inputParams quantization of its input
   * @param outputParams quantization of its output
   * @param weightScales the filter scale per output channel (all equal for per-tensor weights)
   * @param weightsOnly the float layer with its weights replaced by their quantized values
   *     (dequantized), activations and bias left in float: for weights-only attribution
   */
  public record Layer(
      String name,
      String inputName,
      FloatLayer floatLayer,
      QuantizedLayer quantized,
      QuantParams inputParams,
      QuantParams outputParams,
      ImmutableDoubleArray weightScales,
      FloatLayer weightsOnly) {

    /** Effective requantization scale of a channel: {@code s_in * s_w / s_out}. */
    public double effectiveScale(int oc) {
      return inputParams.scale() * weightScales.get(oc) / outputParams.scale();
    }
  }

  public QuantizedNetwork {
    checkArgument(!layers.isEmpty(), "a network has layers");
  }

  /** Layers by name. */
  public ImmutableMap<String, Layer> byName() {
    Map<String, Layer> m = new LinkedHashMap<>();
    for (Layer l : layers) {
      m.put(l.name(), l);
    }
    return ImmutableMap.copyOf(m);
  }
}
