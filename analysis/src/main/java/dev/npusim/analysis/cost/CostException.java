package dev.npusim.analysis.cost;

/**
 * A layer or program that cannot be costed on a machine (it does not compile for it, or it faults):
 * one line naming the layer, the machine and the cause (for a compile error, the machine field that
 * is too small).
 */
public final class CostException extends Exception {
  public CostException(String message) {
    super(message, null, false, false);
  }
}
