package dev.npusim.isa;

/** The four on-chip scratchpads. Each is byte addressed from 0 and has a configured size. */
public enum Scratchpad {
  /** Input activations. */
  ACT("act"),
  /** Weights. */
  WGT("wgt"),
  /** Outputs waiting to be written back to DRAM. */
  OUT("out"),
  /** Per-channel parameters: bias, requantization multiplier and shift, zero points. */
  PAR("par");

  private static final Scratchpad[] VALUES = values();

  private final String asmName;

  Scratchpad(String asmName) {
    this.asmName = asmName;
  }

  public String asmName() {
    return asmName;
  }

  public static Scratchpad of(int code) {
    return VALUES[code];
  }

  public static int count() {
    return VALUES.length;
  }
}
