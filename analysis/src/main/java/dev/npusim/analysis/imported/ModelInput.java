package dev.npusim.analysis.imported;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.kernels.graph.FloatTensor;

/**
 * One evaluation input of an imported network, as the float original takes it.
 *
 * @param name where it came from, for reports (a file name, or {@code random 3})
 */
public record ModelInput(String name, FloatTensor values) {
  public ModelInput {
    checkArgument(name != null && !name.isEmpty(), "input name is empty");
    checkArgument(values != null, "input %s has no values", name);
  }
}
