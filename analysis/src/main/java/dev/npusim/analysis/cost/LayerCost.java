package dev.npusim.analysis.cost;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.simulator.EnergyBreakdown;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;

/**
 * What one layer (or one program) costs on a machine: the simulator's counters, their energy, and
 * the two roofline bounds the cycles are judged against.
 *
 * <p>The bounds hold for every run (tests check them): cycles can never be fewer than the layer's
 * MACs at the peak rate ({@link #computeBoundCycles}), nor than its DRAM bytes at the DMA rate
 * ({@link #memoryBoundCycles}, the ld and st queues share one port). {@link #bound} names the
 * larger, and {@link #boundEfficiency} says how close the run comes to it.
 *
 * @param name layer name (a model's manifest prefix) or program file
 * @param op short description of the operation, e.g. {@code conv 3x3 s2}
 * @param plan what the compiler chose (kernel, tiles), or empty for a program
 * @param usefulMacs the layer's own multiply-accumulates; for a program, the simulated ones
 * @param compulsoryDramBytes {@link CompulsoryTraffic#bytes}, or -1 for a program (unknown)
 * @param run the simulator's counters
 * @param energy the run priced by {@code EnergyModel}
 * @param machine the machine it ran on
 */
public record LayerCost(
    String name,
    String op,
    String plan,
    long usefulMacs,
    long compulsoryDramBytes,
    RunResult run,
    EnergyBreakdown energy,
    MachineConfig machine) {

  /** Which resource bounds a run from below. */
  public enum Bound {
    COMPUTE,
    MEMORY;

    public String key() {
      return this == COMPUTE ? "compute" : "memory";
    }
  }

  public LayerCost {
    checkArgument(usefulMacs >= 0, "useful MACs must be >= 0");
  }

  /** The same cost under another name (for a layer whose geometry repeats). */
  public LayerCost renamed(String newName) {
    return new LayerCost(newName, op, plan, usefulMacs, compulsoryDramBytes, run, energy, machine);
  }

  public long cycles() {
    return run.cycles();
  }

  /** MACs the datapath performed, including padding (input channels rounded up to 4). */
  public long simulatedMacs() {
    return run.macs();
  }

  public long dramBytesLoaded() {
    return run.dma().bytesLoaded();
  }

  public long dramBytesStored() {
    return run.dma().bytesStored();
  }

  public long dramBytes() {
    return dramBytesLoaded() + dramBytesStored();
  }

  /** Cycles the issue slot was busy: everything but stalls. */
  public long issueBusyCycles() {
    return run.cycles() - run.stalls().total();
  }

  /** Useful MACs at the peak rate: {@code MACs / (lanes x MACs per lane per cycle)}. */
  public double computeBoundCycles() {
    return (double) usefulMacs / machine.peakMacsPerCycle();
  }

  /** DRAM bytes moved at the DMA rate: {@code (loaded + stored) / bytes per cycle}. */
  public double memoryBoundCycles() {
    return (double) dramBytes() / machine.dmaBytesPerCycle();
  }

  public Bound bound() {
    return computeBoundCycles() >= memoryBoundCycles() ? Bound.COMPUTE : Bound.MEMORY;
  }

  public double boundCycles() {
    return Math.max(computeBoundCycles(), memoryBoundCycles());
  }

  /** Bound cycles / cycles: 1 means the layer runs at its roof. */
  public double boundEfficiency() {
    return cycles() == 0 ? 1 : boundCycles() / cycles();
  }

  /** Achieved useful MACs per cycle. */
  public double macsPerCycle() {
    return cycles() == 0 ? 0 : (double) usefulMacs / cycles();
  }

  /** Achieved MACs per cycle over the peak. */
  public double utilisation() {
    return macsPerCycle() / machine.peakMacsPerCycle();
  }

  /** DRAM traffic over compulsory traffic (1 = every byte moved once), or NaN if unknown. */
  public double trafficOverCompulsory() {
    return compulsoryDramBytes <= 0 ? Double.NaN : (double) dramBytes() / compulsoryDramBytes;
  }

  public double seconds() {
    return cycles() / (machine.clockMhz() * 1e6);
  }
}
