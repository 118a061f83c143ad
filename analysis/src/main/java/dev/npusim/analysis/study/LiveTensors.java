package dev.npusim.analysis.study;

import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a layer-by-layer pass that later layers still read. A tensor is dropped once its
 * last consumer has run, so a pass over a 210 MB network holds only a few layers at a time; tensors
 * named in {@code keep} (the box-predictor outputs) stay to the end.
 */
final class LiveTensors<T> {
  private final FloatGraph graph;
  private final Set<String> keep;
  private final Map<String, T> live = new HashMap<>();
  private final Map<String, Integer> pending = new HashMap<>();

  LiveTensors(FloatGraph graph, Set<String> keep, T input) {
    this.graph = graph;
    this.keep = keep;
    live.put(FloatGraph.INPUT, input);
    pending.put(FloatGraph.INPUT, graph.consumers(FloatGraph.INPUT).size());
  }

  /** The input a layer reads. */
  T inputOf(FloatLayer layer) {
    T t = live.get(layer.input());
    if (t == null) {
      throw new IllegalStateException(
          layer.name() + " reads " + layer.input() + ", already dropped");
    }
    return t;
  }

  /** Records a layer's output and releases its input if no other layer needs it. */
  void put(FloatLayer layer, T output) {
    live.put(layer.name(), output);
    pending.put(layer.name(), graph.consumers(layer.name()).size());
    int left = pending.merge(layer.input(), -1, Integer::sum);
    if (left <= 0 && !keep.contains(layer.input())) {
      live.remove(layer.input());
    }
    if (pending.get(layer.name()) == 0 && !keep.contains(layer.name())) {
      live.remove(layer.name());
    }
  }

  T get(String name) {
    return live.get(name);
  }
}
