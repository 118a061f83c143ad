package dev.npusim.isa;

/** The two DMA queues. Each executes its transfers in order, beside compute. */
public enum DmaQueue {
  /** DRAM to scratchpad. */
  LD("ld"),
  /** Scratchpad to DRAM. */
  ST("st");

  private static final DmaQueue[] VALUES = values();

  private final String asmName;

  DmaQueue(String asmName) {
    this.asmName = asmName;
  }

  public String asmName() {
    return asmName;
  }

  public static DmaQueue of(int code) {
    return VALUES[code];
  }
}
