package dev.npusim.cli.analysis;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.golden.model.FloatReference;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantizedNetwork;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Float (double) passes over a network, layer by layer, each with one thing quantized:
 *
 * <ul>
 *   <li>{@link #reference}: the float pipeline itself;
 *   <li>{@link #weightsOnly}: every layer's weights replaced by their quantized values, activations
 *       in float;
 *   <li>{@link #activationsOnly}: float weights, every activation (the input and each layer's
 *       output) rounded to its quantization grid;
 * </ul>
 *
 * and {@link #exactOutput}, which turns a layer's integer input into the requantizer's unrounded
 * output: the accumulator computed exactly (integers below 2^53 are exact in double), times the
 * multiplier the hardware really uses, plus the zero point.
 */
final class FloatPasses {
  private FloatPasses() {}

  /** Every layer's output of the graph, in execution order. */
  static Map<String, FloatTensor> reference(FloatGraph graph, FloatTensor input) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (FloatLayer l : graph.layers()) {
      FloatTensor in = l.input().equals(FloatGraph.INPUT) ? input : out.get(l.input());
      out.put(l.name(), FloatReference.runLayer(l, in));
    }
    return out;
  }

  static Map<String, FloatTensor> weightsOnly(QuantizedNetwork net, FloatTensor input) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (QuantizedNetwork.Layer l : net.layers()) {
      FloatTensor in = l.inputName().equals(FloatGraph.INPUT) ? input : out.get(l.inputName());
      out.put(l.name(), FloatReference.runLayer(l.weightsOnly(), in));
    }
    return out;
  }

  static Map<String, FloatTensor> activationsOnly(QuantizedNetwork net, FloatTensor input) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    FloatTensor qin = fakeQuantize(input, net.input());
    for (QuantizedNetwork.Layer l : net.layers()) {
      FloatTensor in = l.inputName().equals(FloatGraph.INPUT) ? qin : out.get(l.inputName());
      out.put(
          l.name(), fakeQuantize(FloatReference.runLayer(l.floatLayer(), in), l.outputParams()));
    }
    return out;
  }

  static FloatTensor fakeQuantize(FloatTensor t, QuantParams p) {
    double[] v = t.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = p.dequantize(p.quantize(v[i]));
    }
    return FloatTensor.adopt(t.shape(), v);
  }

  /**
   * The requantizer's unrounded, unclamped output {@code zo + acc * M * 2^(shift - 31)} for each
   * output of a quantized layer, from the integer input the layer actually received.
   */
  static double[] exactOutput(QuantizedLayer q, int[] input) {
    double[] x = new double[input.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = input[i] - q.inputZeroPoint();
    }
    int oc = q.output().c();
    double[] w = new double[q.filter().length()];
    for (int i = 0; i < w.length; i++) {
      int channel =
          q.kind() == dev.npusim.kernels.LayerKind.DEPTHWISE_CONV2D ? i % oc : i / (w.length / oc);
      w[i] = q.filter().get(i) - q.filterZeroPoint(channel);
    }
    double[] bias = new double[oc];
    for (int c = 0; c < oc; c++) {
      bias[c] = q.biasOf(c);
    }
    FloatLayer integerLayer =
        new FloatLayer(
            "exact",
            q.kind(),
            FloatGraph.INPUT,
            q.input(),
            q.output(),
            q.kernelH(),
            q.kernelW(),
            q.strideH(),
            q.strideW(),
            new dev.npusim.kernels.graph.Padding(
                q.padTop(), q.padBottom(), q.padLeft(), q.padRight()),
            ImmutableDoubleArray.copyOf(w),
            ImmutableDoubleArray.copyOf(bias),
            null,
            Activation.NONE);
    double[] acc = FloatReference.runLayer(integerLayer, FloatTensor.adopt(q.input(), x)).toArray();
    Requantization.Q31 rq = (Requantization.Q31) q.requant();
    double[] out = new double[acc.length];
    for (int i = 0; i < acc.length; i++) {
      int c = i % oc;
      out[i] =
          q.outputZeroPoint() + acc[i] * Math.scalb((double) rq.multiplier(c), rq.shift(c) - 31);
    }
    return out;
  }
}
