package dev.npusim.analysis.engine;

/**
 * Where a simulated tensor departs from its integer reference: the first differing element and how
 * many differ. What {@code --check} reports; bit-exact means no element differs, so there is no
 * tolerance.
 *
 * @param element the first differing element (flat index)
 * @param simulated its value on the simulator
 * @param reference its value in the integer reference
 * @param differing how many elements differ
 * @param elements how many elements the tensor has
 */
public record ElementMismatch(
    int element, int simulated, int reference, int differing, int elements) {

  /** The mismatch between two tensors of equal length, or null when they are equal. */
  public static ElementMismatch of(int[] reference, int[] simulated) {
    if (reference.length != simulated.length) {
      throw new IllegalArgumentException(
          "reference has " + reference.length + " elements, simulated " + simulated.length);
    }
    int first = -1;
    int differing = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] != simulated[i]) {
        first = first < 0 ? i : first;
        differing++;
      }
    }
    return differing == 0
        ? null
        : new ElementMismatch(
            first, simulated[first], reference[first], differing, reference.length);
  }

  @Override
  public String toString() {
    return "element "
        + element
        + " is "
        + simulated
        + " on the simulator, "
        + reference
        + " in the integer reference ("
        + differing
        + " of "
        + elements
        + " elements differ)";
  }
}
