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

  /**
   * Keeps no copy of any weights beyond the network's own: {@code reference} is the executor of the
   * scheme's float graph, shared by every scheme that quantizes that graph; the weights-only pass
   * prepares each layer when it runs; the integer layers of {@link #exactOutput} are built when
   * they run. Three schemes' prepared copies would otherwise take about 400 MB.
   */
  FloatPasses(QuantizedNetwork net, FloatGraphExecutor reference) {
    FloatGraph g = net.floatGraph();
    this.reference = reference;
    List<FloatLayer> w = new ArrayList<>();
    for (QuantizedNetwork.Layer l : net.layers()) {
      w.add(l.weightsOnly());
    }
    this.weightsOnly = FloatGraphExecutor.unprepared(new FloatGraph(g.inputShape(), w));
  }

  static FloatTensor fakeQuantize(FloatTensor t, QuantParams p) {
    // Read through get rather than toArray: one array per tensor, not a copy and then another.
    double[] v = new double[t.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = p.dequantize(p.quantize(t.get(i)));
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
    FloatTensor acc = FloatGraphExecutor.runLayer(integerLayer(l), FloatTensor.adopt(q.input(), x));
    int oc = q.output().c();
    double[] scale = new double[oc];
    for (int c = 0; c < oc; c++) {
      scale[c] = ExactRequantReference.effectiveScale(q, c);
    }
    double[] out = new double[acc.size()];
    for (int base = 0; base < out.length; base += oc) {
      for (int c = 0; c < oc; c++) {
        out[base + c] = q.outputZeroPoint() + acc.get(base + c) * scale[c];
      }
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
