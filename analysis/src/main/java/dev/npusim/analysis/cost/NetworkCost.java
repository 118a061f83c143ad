package dev.npusim.analysis.cost;

import com.google.common.collect.ImmutableList;
import dev.npusim.simulator.EnergyBreakdown;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.util.List;

/**
 * The cost of running layers one after another on one machine: each layer starts when the previous
 * one has finished (its stores drained), so cycles, traffic and energy add up.
 *
 * @param source what was estimated (a network description, a case file, a program)
 */
public record NetworkCost(String source, MachineConfig machine, ImmutableList<LayerCost> layers) {

  public static NetworkCost of(String source, MachineConfig machine, List<LayerCost> layers) {
    return new NetworkCost(source, machine, ImmutableList.copyOf(layers));
  }

  public long cycles() {
    return layers.stream().mapToLong(LayerCost::cycles).sum();
  }

  public long usefulMacs() {
    return layers.stream().mapToLong(LayerCost::usefulMacs).sum();
  }

  public long simulatedMacs() {
    return layers.stream().mapToLong(LayerCost::simulatedMacs).sum();
  }

  public long dramBytesLoaded() {
    return layers.stream().mapToLong(LayerCost::dramBytesLoaded).sum();
  }

  public long dramBytesStored() {
    return layers.stream().mapToLong(LayerCost::dramBytesStored).sum();
  }

  /** Sum of the layers' compulsory traffic, or -1 if any layer's is unknown. */
  public long compulsoryDramBytes() {
    long sum = 0;
    for (LayerCost l : layers) {
      if (l.compulsoryDramBytes() < 0) {
        return -1;
      }
      sum += l.compulsoryDramBytes();
    }
    return sum;
  }

  /** Stall cycles by cause, summed over layers. */
  public RunResult.Stalls stalls() {
    long wait = 0;
    long full = 0;
    long bank = 0;
    long drain = 0;
    for (LayerCost l : layers) {
      RunResult.Stalls s = l.run().stalls();
      wait += s.dmaWait();
      full += s.dmaQueueFull();
      bank += s.bankConflict();
      drain += s.dmaDrain();
    }
    return new RunResult.Stalls(wait, full, bank, drain);
  }

  public EnergyBreakdown energy() {
    EnergyBreakdown e = EnergyBreakdown.zero();
    for (LayerCost l : layers) {
      e = e.plus(l.energy());
    }
    return e;
  }

  /** Sum over layers of each layer's own roofline bound (max of compute and memory). */
  public double boundCycles() {
    return layers.stream().mapToDouble(LayerCost::boundCycles).sum();
  }

  public double seconds() {
    return cycles() / (machine.clockMhz() * 1e6);
  }

  public double inferencesPerSecond() {
    return seconds() == 0 ? 0 : 1 / seconds();
  }

  /** Inferences per joule: 1 / (energy of one inference in joules). */
  public double inferencesPerJoule() {
    double joules = energy().totalPj() * 1e-12;
    return joules == 0 ? 0 : 1 / joules;
  }

  public double utilisation() {
    return cycles() == 0 ? 0 : (double) usefulMacs() / cycles() / machine.peakMacsPerCycle();
  }
}
