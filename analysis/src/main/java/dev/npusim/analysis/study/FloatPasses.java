package dev.npusim.analysis.study;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.golden.reference.ExactRequantReference;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.graph.Padding;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatGraphExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * The float (double) companions of one quantized network, each prepared once and run layer by layer
 * beside the simulated pipeline:
 *
 * <ul>
 *   <li>{@link #reference}: the scheme's float network;
 *   <li>{@link #weightsOnly}: the same with every layer's weights replaced by their quantized
 *       values, activations (and bias) in float;
 *   <li>activations-only: the float network with every activation rounded to its grid ({@link
 *       #fakeQuantize});
 *   <li>{@link #exactOutput}: the requantizer's unrounded output for a layer's integer input: the
 *       accumulator computed exactly (its integers stay below 2^53, exact in double) times the
 *       multiplier the hardware really uses, plus the zero point.
 * </ul>
 */
final class FloatPasses {
  final FloatGraphExecutor reference;
  final FloatGraphExecutor weightsOnly;
  private final FloatGraphExecutor integer;
  private final QuantizedNetwork net;

  FloatPasses(QuantizedNetwork net) {
    this.net = net;
    FloatGraph g = net.floatGraph();
    this.reference = new FloatGraphExecutor(g);
    List<FloatLayer> w = new ArrayList<>();
    List<FloatLayer> exact = new ArrayList<>();
    for (QuantizedNetwork.Layer l : net.layers()) {
      w.add(l.weightsOnly());
      exact.add(integerLayer(l));
    }
    this.weightsOnly = new FloatGraphExecutor(new FloatGraph(g.inputShape(), w));
    this.integer = new FloatGraphExecutor(new FloatGraph(g.inputShape(), exact));
  }

  static FloatTensor fakeQuantize(FloatTensor t, QuantParams p) {
    double[] v = t.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = p.dequantize(p.quantize(v[i]));
    }
    return FloatTensor.adopt(t.shape(), v);
  }

  /**
   * {@code zo + acc * M * 2^(shift - 31)} for each output, unrounded and unclamped: {@link
   * ExactRequantReference#unclamped}'s figure, with the accumulator computed by this network's
   * prepared integer-weight float graph (exact: its integers stay below 2^53), which is much faster
   * than the reference's direct loops on whole networks.
   */
  double[] exactOutput(QuantizedNetwork.Layer l, int[] input) {
    QuantizedLayer q = l.quantized();
    double[] x = new double[input.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = input[i] - q.inputZeroPoint();
    }
    double[] acc = integer.runLayer(l.name(), FloatTensor.adopt(q.input(), x)).toArray();
    int oc = q.output().c();
    double[] out = new double[acc.length];
    for (int i = 0; i < acc.length; i++) {
      out[i] = q.outputZeroPoint() + acc[i] * ExactRequantReference.effectiveScale(q, i % oc);
    }
    return out;
  }

  /** A float layer computing the integer accumulator: (w - zw) weights, int32 bias, no clamp. */
  private static FloatLayer integerLayer(QuantizedNetwork.Layer l) {
    QuantizedLayer q = l.quantized();
    int oc = q.output().c();
    double[] w = new double[q.filter().length()];
    for (int i = 0; i < w.length; i++) {
      int channel = q.kind() == LayerKind.DEPTHWISE_CONV2D ? i % oc : i / (w.length / oc);
      w[i] = q.filter().get(i) - q.filterZeroPoint(channel);
    }
    double[] bias = new double[oc];
    for (int c = 0; c < oc; c++) {
      bias[c] = q.biasOf(c);
    }
    return new FloatLayer(
        l.name(),
        q.kind(),
        l.inputName(),
        q.input(),
        q.output(),
        q.kernelH(),
        q.kernelW(),
        q.strideH(),
        q.strideW(),
        new Padding(q.padTop(), q.padBottom(), q.padLeft(), q.padRight()),
        ImmutableDoubleArray.copyOf(w),
        ImmutableDoubleArray.copyOf(bias),
        null,
        Activation.NONE);
  }
}
