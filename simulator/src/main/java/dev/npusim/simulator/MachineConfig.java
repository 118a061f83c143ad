package dev.npusim.simulator;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.isa.CycleClass;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import java.util.EnumMap;
import java.util.Map;

/**
 * The machine a program runs on: its resources and timing. Immutable and validated at construction;
 * {@link MachineConfigReader} loads it from JSON. The defaults are {@link #defaults()} ({@code
 * npu8-default}).
 *
 * @param lanes vector lanes L, each an 8-bit MAC with its own accumulator
 * @param macsPerLanePerCycle multipliers per lane: {@code vdot4} takes ceil(4 / this) MAC cycles
 * @param accumulatorBits accumulator width; 32 is the only width bit-exact with TFLite
 * @param accumulatorMode reset value of {@code accmode}
 * @param roundingMode reset value of {@code rmode}
 * @param scratchpads size and bank count of each scratchpad
 * @param dramBytes DRAM size
 * @param dmaBytesPerCycle bytes the DRAM port moves per cycle, shared by the ld and st queues
 * @param dmaSetupCycles fixed cycles per transfer before its first byte
 * @param dmaQueueDepth transfers a queue holds; issuing into a full queue stalls
 * @param loopDepth nesting depth of zero-overhead hardware loops
 * @param latencies issue cycles per instruction class
 * @param clockMhz clock frequency, for latency in seconds
 */
public record MachineConfig(
    String name,
    String description,
    int lanes,
    int macsPerLanePerCycle,
    int accumulatorBits,
    AccumulatorMode accumulatorMode,
    RoundingMode roundingMode,
    ImmutableMap<Scratchpad, ScratchpadConfig> scratchpads,
    int dramBytes,
    int dmaBytesPerCycle,
    int dmaSetupCycles,
    int dmaQueueDepth,
    int loopDepth,
    ImmutableMap<CycleClass, Integer> latencies,
    double clockMhz,
    EnergyTable energy) {

  /**
   * The largest memory (DRAM or one scratchpad) a machine may have: 1 GiB. The simulator holds each
   * memory as one Java array allocated up front, and a Java array cannot reach 2^31 bytes; 1 GiB is
   * far beyond any scratchpad and any layer's DRAM image (issue 12: 2147483647 bytes crashed the
   * executor with OutOfMemoryError).
   */
  public static final int MAX_MEMORY_BYTES = 1 << 30;

  /** Size and bank count of one scratchpad. */
  public record ScratchpadConfig(int bytes, int banks) {
    public ScratchpadConfig {
      checkArgument(bytes > 0, "bytes must be positive, got %s", bytes);
      checkArgument(
          bytes <= MAX_MEMORY_BYTES,
          "bytes %s is more than the simulator can hold: at most %s (1 GiB), as each memory is one"
              + " Java array allocated up front",
          bytes,
          MAX_MEMORY_BYTES);
      checkArgument(banks > 0 && banks <= 64, "banks must be in [1, 64], got %s", banks);
      checkArgument(bytes % banks == 0, "bytes %s must divide evenly into %s banks", bytes, banks);
    }
  }

  public MachineConfig {
    checkArgument(name != null && !name.isBlank(), "name must be set");
    checkArgument(description != null, "description must be set");
    checkArgument(lanes >= 1 && lanes <= 1024, "lanes must be in [1, 1024], got %s", lanes);
    checkArgument(
        macsPerLanePerCycle >= 1 && macsPerLanePerCycle <= 16,
        "macs_per_lane_per_cycle must be in [1, 16], got %s",
        macsPerLanePerCycle);
    checkArgument(
        accumulatorBits >= 16 && accumulatorBits <= 48,
        "accumulator_bits must be in [16, 48], got %s",
        accumulatorBits);
    checkArgument(accumulatorMode != null && roundingMode != null, "modes must be set");
    checkArgument(
        scratchpads.keySet().containsAll(java.util.List.of(Scratchpad.values())),
        "every scratchpad needs a size: %s",
        scratchpads.keySet());
    checkArgument(dramBytes > 0, "dram_bytes must be positive, got %s", dramBytes);
    checkArgument(
        dramBytes <= MAX_MEMORY_BYTES,
        "dram_bytes %s is more than the simulator can hold: at most %s (1 GiB), as each memory is"
            + " one Java array allocated up front",
        dramBytes,
        MAX_MEMORY_BYTES);
    long memoryBytes = dramBytes;
    for (ScratchpadConfig sc : scratchpads.values()) {
      memoryBytes += sc.bytes();
    }
    // Checked here rather than left to the executor's allocation, so that the error names the
    // fields and the remedy instead of an OutOfMemoryError.
    long heap = Runtime.getRuntime().maxMemory();
    checkArgument(
        memoryBytes <= heap / 2,
        "dram_bytes and scratchpads total %s bytes, more than half of this JVM's maximum heap (%s"
            + " bytes); the simulator allocates every memory up front: shrink them or give java a"
            + " larger -Xmx",
        memoryBytes,
        heap);
    checkArgument(
        dmaBytesPerCycle > 0, "dma.bytes_per_cycle must be positive, got %s", dmaBytesPerCycle);
    checkArgument(dmaSetupCycles >= 0, "dma.setup_cycles must be >= 0, got %s", dmaSetupCycles);
    checkArgument(
        dmaQueueDepth >= 1 && dmaQueueDepth <= 256,
        "dma.queue_depth must be in [1, 256], got %s",
        dmaQueueDepth);
    checkArgument(
        loopDepth >= 1 && loopDepth <= 16, "loop_depth must be in [1, 16], got %s", loopDepth);
    for (CycleClass c : CycleClass.values()) {
      Integer l = latencies.get(c);
      String field = "latency." + c.name().toLowerCase(java.util.Locale.ROOT);
      checkArgument(l != null, "%s is missing", field);
      checkArgument(l >= 0 && l <= 1000, "%s must be in [0, 1000], got %s", field, l);
    }
    // A MAC instruction that took no cycles would beat the peak of lanes x MACs per lane per
    // cycle, which is what the array physically has; every cost bound starts from that peak.
    checkArgument(
        latencies.get(CycleClass.MAC) >= 1,
        "latency.mac must be >= 1 (the MAC array cannot beat its peak), got %s",
        latencies.get(CycleClass.MAC));
    checkArgument(
        clockMhz > 0 && clockMhz < 1e6, "clock_mhz must be in (0, 1e6), got %s", clockMhz);
    checkArgument(energy != null, "energy table must be set");
  }

  /** Peak multiply-accumulates per cycle: lanes x MACs per lane per cycle. */
  public long peakMacsPerCycle() {
    return (long) lanes * macsPerLanePerCycle;
  }

  public int scratchpadBytes(Scratchpad s) {
    return scratchpads.get(s).bytes();
  }

  public int latency(CycleClass c) {
    return latencies.get(c);
  }

  /**
   * Cycles an instruction occupies the issue slot, stalls excluded: its class latency, and for
   * {@code vdot4} that latency times ceil(4 / MACs per lane per cycle), the passes the lane's
   * multipliers need for its four products.
   */
  public int issueCycles(Opcode op) {
    int base = latency(op.cycleClass());
    if (op == Opcode.VDOT4) {
      return base * ((4 + macsPerLanePerCycle - 1) / macsPerLanePerCycle);
    }
    return base;
  }

  /** The default machine, {@code npu8-default}. */
  public static MachineConfig defaults() {
    Map<CycleClass, Integer> lat = new EnumMap<>(CycleClass.class);
    for (CycleClass c : CycleClass.values()) {
      lat.put(c, 1);
    }
    return new MachineConfig(
        "npu8-default",
        "this project's reference NPU: 32 lanes with 4-way int8 dot products (128 MACs/cycle)",
        32,
        4,
        32,
        AccumulatorMode.WRAP,
        RoundingMode.TFLITE,
        ImmutableMap.of(
            Scratchpad.ACT, new ScratchpadConfig(64 * 1024, 4),
            Scratchpad.WGT, new ScratchpadConfig(64 * 1024, 4),
            Scratchpad.OUT, new ScratchpadConfig(32 * 1024, 2),
            Scratchpad.PAR, new ScratchpadConfig(8 * 1024, 1)),
        64 * 1024 * 1024,
        16,
        32,
        8,
        4,
        ImmutableMap.copyOf(lat),
        1000.0,
        EnergyTable.horowitz45nm());
  }

  /** A mutable copy, for deriving a configuration that differs in a few fields. */
  private Builder toBuilder() {
    return new Builder(this);
  }

  /** Field-by-field copy; {@link #build()} validates through the canonical constructor. */
  private static final class Builder {
    String name;
    String description;
    int lanes;
    int macsPerLanePerCycle;
    int accumulatorBits;
    AccumulatorMode accumulatorMode;
    RoundingMode roundingMode;
    Map<Scratchpad, ScratchpadConfig> scratchpads;
    int dramBytes;
    int dmaBytesPerCycle;
    int dmaSetupCycles;
    int dmaQueueDepth;
    int loopDepth;
    ImmutableMap<CycleClass, Integer> latencies;
    double clockMhz;
    EnergyTable energy;

    Builder(MachineConfig c) {
      name = c.name;
      description = c.description;
      lanes = c.lanes;
      macsPerLanePerCycle = c.macsPerLanePerCycle;
      accumulatorBits = c.accumulatorBits;
      accumulatorMode = c.accumulatorMode;
      roundingMode = c.roundingMode;
      scratchpads = new EnumMap<>(c.scratchpads);
      dramBytes = c.dramBytes;
      dmaBytesPerCycle = c.dmaBytesPerCycle;
      dmaSetupCycles = c.dmaSetupCycles;
      dmaQueueDepth = c.dmaQueueDepth;
      loopDepth = c.loopDepth;
      latencies = c.latencies;
      clockMhz = c.clockMhz;
      energy = c.energy;
    }

    MachineConfig build() {
      return new MachineConfig(
          name,
          description,
          lanes,
          macsPerLanePerCycle,
          accumulatorBits,
          accumulatorMode,
          roundingMode,
          ImmutableMap.copyOf(scratchpads),
          dramBytes,
          dmaBytesPerCycle,
          dmaSetupCycles,
          dmaQueueDepth,
          loopDepth,
          latencies,
          clockMhz,
          energy);
    }
  }

  public MachineConfig withName(String n) {
    Builder b = toBuilder();
    b.name = n;
    return b.build();
  }

  public MachineConfig withLanes(int l) {
    Builder b = toBuilder();
    b.lanes = l;
    return b.build();
  }

  public MachineConfig withAccumulator(int bits, AccumulatorMode mode) {
    Builder b = toBuilder();
    b.accumulatorBits = bits;
    b.accumulatorMode = mode;
    return b.build();
  }

  public MachineConfig withRoundingMode(RoundingMode mode) {
    Builder b = toBuilder();
    b.roundingMode = mode;
    return b.build();
  }

  public MachineConfig withScratchpad(Scratchpad s, int bytes, int banks) {
    Builder b = toBuilder();
    b.scratchpads.put(s, new ScratchpadConfig(bytes, banks));
    return b.build();
  }

  public MachineConfig withDram(int bytes) {
    Builder b = toBuilder();
    b.dramBytes = bytes;
    return b.build();
  }

  public MachineConfig withDma(int bytesPerCycle, int setupCycles) {
    Builder b = toBuilder();
    b.dmaBytesPerCycle = bytesPerCycle;
    b.dmaSetupCycles = setupCycles;
    return b.build();
  }

  public MachineConfig withMacsPerLanePerCycle(int m) {
    Builder b = toBuilder();
    b.macsPerLanePerCycle = m;
    return b.build();
  }

  public MachineConfig withClockMhz(double mhz) {
    Builder b = toBuilder();
    b.clockMhz = mhz;
    return b.build();
  }

  public MachineConfig withDmaQueueDepth(int depth) {
    Builder b = toBuilder();
    b.dmaQueueDepth = depth;
    return b.build();
  }
}
