package dev.npusim.simulator;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.isa.CycleClass;
import dev.npusim.isa.EnergyEvent;
import dev.npusim.isa.Scratchpad;

/**
 * What a run did: instruction and cycle counts, datapath events, DMA traffic, stalls, and the
 * per-event counts that an energy table prices.
 *
 * @param steps instructions retired, including the final halt
 * @param cycles cycles until the halt retired and every DMA transfer completed
 * @param instructionsByClass retired instructions by timing class
 * @param macs 8-bit multiply-accumulates performed
 * @param accumulatorOverflows accumulator adds whose exact result left the configured width
 *     (counted in wrap and in saturate mode)
 * @param accumulatorBitsNeeded the narrowest signed accumulator that holds every partial sum of the
 *     run, or -1 when the run did not track it ({@link Machine#trackAccumulatorWidth})
 * @param outputSaturations requantized outputs outside the 8-bit output type
 * @param clampHits requantized outputs inside the 8-bit type but outside [amin, amax]
 * @param stalls stall cycles by cause
 * @param dma traffic of the two DMA queues
 * @param events energy events by kind (scratchpad bytes are in {@link #scratchpadReads} and {@link
 *     #scratchpadWrites})
 * @param scratchpadReads bytes read from each scratchpad, by compute and DMA
 * @param scratchpadWrites bytes written to each scratchpad, by compute and DMA
 * @param hitsPerPc how often each instruction retired
 */
public record RunResult(
    long steps,
    long cycles,
    ImmutableMap<CycleClass, Long> instructionsByClass,
    long macs,
    long accumulatorOverflows,
    int accumulatorBitsNeeded,
    long outputSaturations,
    long clampHits,
    Stalls stalls,
    DmaTraffic dma,
    ImmutableMap<EnergyEvent, Long> events,
    ImmutableMap<Scratchpad, Long> scratchpadReads,
    ImmutableMap<Scratchpad, Long> scratchpadWrites,
    ImmutableLongArray hitsPerPc) {

  /** Stall cycles by cause. */
  public record Stalls(long dmaWait, long dmaQueueFull, long bankConflict, long dmaDrain) {
    public long total() {
      return dmaWait + dmaQueueFull + bankConflict + dmaDrain;
    }
  }

  /**
   * DMA traffic.
   *
   * @param busyCycles cycles each channel spent transferring (setup included)
   */
  public record DmaTraffic(
      long bytesLoaded,
      long bytesStored,
      long loads,
      long stores,
      long loadBusyCycles,
      long storeBusyCycles) {}

  public long instructions(CycleClass c) {
    return instructionsByClass.getOrDefault(c, 0L);
  }
}
