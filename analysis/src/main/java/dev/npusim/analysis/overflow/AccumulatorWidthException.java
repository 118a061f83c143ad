package dev.npusim.analysis.overflow;

/** An accumulator width outside what the analysis accepts (8 to 64 bits). */
public final class AccumulatorWidthException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int bits;

  public AccumulatorWidthException(int bits) {
    super(
        "acc-bits: expected a width in "
            + AccumulatorWidth.MIN_BITS
            + ".."
            + AccumulatorWidth.MAX_BITS
            + ", got "
            + bits);
    this.bits = bits;
  }

  /** The rejected width. */
  public int bits() {
    return bits;
  }
}
