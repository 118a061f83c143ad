package dev.npusim.analysis.cost;

import dev.npusim.isa.Scratchpad;
import dev.npusim.simulator.MachineConfig;

/** A machine knob a sweep can turn, with how a value changes a machine. */
public enum SweepParameter {
  LANES("lanes", "lanes"),
  MACS_PER_LANE("macs_per_lane", "MACs per lane per cycle"),
  ACT_KIB("act_kib", "act scratchpad (KiB)"),
  WGT_KIB("wgt_kib", "wgt scratchpad (KiB)"),
  OUT_KIB("out_kib", "out scratchpad (KiB)"),
  PAR_KIB("par_kib", "par scratchpad (KiB)"),
  DMA_BW("dma_bw", "DMA bytes per cycle"),
  DMA_SETUP("dma_setup", "DMA setup cycles"),
  CLOCK_MHZ("clock_mhz", "clock (MHz)");

  private final String key;
  private final String label;

  SweepParameter(String key, String label) {
    this.key = key;
    this.label = label;
  }

  /** CSV column and point-name key. */
  public String key() {
    return key;
  }

  /** Axis label. */
  public String label() {
    return label;
  }

  /**
   * The machine with this parameter set; scratchpads keep their bank count.
   *
   * @throws IllegalArgumentException if the machine rejects the value (the message names it)
   */
  public MachineConfig apply(MachineConfig m, int value) {
    return switch (this) {
      case LANES -> m.withLanes(value);
      case MACS_PER_LANE -> m.withMacsPerLanePerCycle(value);
      case ACT_KIB -> scratchpad(m, Scratchpad.ACT, value);
      case WGT_KIB -> scratchpad(m, Scratchpad.WGT, value);
      case OUT_KIB -> scratchpad(m, Scratchpad.OUT, value);
      case PAR_KIB -> scratchpad(m, Scratchpad.PAR, value);
      case DMA_BW -> m.withDma(value, m.dmaSetupCycles());
      case DMA_SETUP -> m.withDma(m.dmaBytesPerCycle(), value);
      case CLOCK_MHZ -> m.withClockMhz(value);
    };
  }

  private static MachineConfig scratchpad(MachineConfig m, Scratchpad s, int kib) {
    int maxKib = MachineConfig.MAX_MEMORY_BYTES / 1024;
    if (kib <= 0) {
      throw new IllegalArgumentException(
          "scratchpads." + s.asmName() + ".bytes must be positive, got " + kib + " KiB");
    }
    if (kib > maxKib) {
      // Too large, not "not positive": kib * 1024 would wrap (issue 12).
      throw new IllegalArgumentException(
          "scratchpads."
              + s.asmName()
              + ".bytes: "
              + kib
              + " KiB is more than the simulator can hold: at most "
              + maxKib
              + " KiB (1 GiB)");
    }
    return m.withScratchpad(s, kib * 1024, m.scratchpads().get(s).banks());
  }
}
