package dev.npusim.golden.layout;

/** A case that cannot be laid out for a machine (its regions do not fit the DRAM). */
public final class LayoutException extends Exception {
  public LayoutException(String message) {
    super(message);
  }
}
