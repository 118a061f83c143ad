package dev.npusim.models.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatTensor;

/**
 * The tensors of one float run: the input under {@link FloatGraph#INPUT} and each kept layer's
 * output (after its activation) under the layer's name, in execution order. What per-layer analysis
 * (ranges, SQNR against a quantized run) reads. A full {@link FloatGraphExecutor#run} keeps every
 * layer.
 */
public final class FloatActivations {
  private final ImmutableMap<String, FloatTensor> tensors;

  FloatActivations(ImmutableMap<String, FloatTensor> tensors) {
    this.tensors = tensors;
  }

  /** The tensor of this name (a layer name or {@link FloatGraph#INPUT}). */
  public FloatTensor get(String name) {
    FloatTensor t = tensors.get(name);
    checkArgument(t != null, "no tensor named %s in this run", name);
    return t;
  }

  /** Names in execution order, {@link FloatGraph#INPUT} first. */
  public ImmutableList<String> names() {
    return tensors.keySet().asList();
  }
}
