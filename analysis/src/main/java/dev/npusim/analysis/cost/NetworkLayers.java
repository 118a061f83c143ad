package dev.npusim.analysis.cost;

import java.util.List;

/**
 * Where the layers of a network come from, in execution order. {@code estimate --model} uses {@link
 * ZeroWeightNetwork} today; quantized layers with real weights (from the MobileNet quantization
 * work) can implement this interface and be costed the same way. Cycles and energy do not depend on
 * the values, so both give the same numbers.
 */
public interface NetworkLayers {
  /** One line saying what the network is and where its layers come from. */
  String description();

  List<NamedLayer> layers();
}
