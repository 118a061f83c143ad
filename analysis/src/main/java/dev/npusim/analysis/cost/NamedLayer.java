package dev.npusim.analysis.cost;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.kernels.QuantizedLayer;

/** A layer of a network with the name reports use for it (for a model, its manifest prefix). */
public record NamedLayer(String name, QuantizedLayer layer) {
  public NamedLayer {
    checkArgument(name != null && !name.isBlank(), "layer name is empty");
    checkArgument(layer != null, "layer %s is null", name);
  }
}
