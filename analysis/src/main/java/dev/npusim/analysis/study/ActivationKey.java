package dev.npusim.analysis.study;

import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * A float graph with the activation quantization of every tensor (input first). Schemes with the
 * same key run identical activations-only passes (tf8 and tf8-dw-per-channel differ only in
 * weights).
 */
record ActivationKey(GraphKey graph, List<QuantParams> params) {
  static ActivationKey of(QuantScheme s, QuantizedNetwork net) {
    List<QuantParams> params = new ArrayList<>();
    params.add(net.input());
    for (QuantizedNetwork.Layer l : net.layers()) {
      params.add(l.outputParams());
    }
    return new ActivationKey(GraphKey.of(s), List.copyOf(params));
  }
}
