package dev.npusim.cli;

import dev.npusim.isa.CycleClass;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.util.Locale;

/** Text renderings of run results shared by the commands. */
final class Reports {
  private Reports() {}

  static String counters(RunResult r, MachineConfig m) {
    StringBuilder sb = new StringBuilder();
    double micros = r.cycles() / m.clockMhz();
    sb.append(
        String.format(
            Locale.ROOT,
            "halted after %,d instructions and %,d cycles (%.3f us at %.0f MHz on %s)%n",
            r.steps(),
            r.cycles(),
            micros,
            m.clockMhz(),
            m.name()));
    sb.append("  instructions ");
    for (CycleClass c : CycleClass.values()) {
      long n = r.instructions(c);
      if (n > 0) {
        sb.append(String.format(Locale.ROOT, " %s %,d", c.name().toLowerCase(Locale.ROOT), n));
      }
    }
    sb.append('\n');
    double perCycle = r.cycles() == 0 ? 0 : (double) r.macs() / r.cycles();
    sb.append(
        String.format(
            Locale.ROOT,
            "  MACs          %,d (%.1f per cycle, %.1f%% of the %d peak)%n",
            r.macs(),
            perCycle,
            100.0 * perCycle / m.peakMacsPerCycle(),
            m.peakMacsPerCycle()));
    sb.append(
        String.format(
            Locale.ROOT,
            "  datapath      accumulator overflows %,d (%d-bit, %s), output saturations %,d,"
                + " clamp hits %,d%n",
            r.accumulatorOverflows(),
            m.accumulatorBits(),
            m.accumulatorMode().name().toLowerCase(Locale.ROOT),
            r.outputSaturations(),
            r.clampHits()));
    sb.append(
        String.format(
            Locale.ROOT,
            "  DMA           loaded %,d B in %,d transfer%s, stored %,d B in %,d transfer%s%n",
            r.dma().bytesLoaded(),
            r.dma().loads(),
            r.dma().loads() == 1 ? "" : "s",
            r.dma().bytesStored(),
            r.dma().stores(),
            r.dma().stores() == 1 ? "" : "s"));
    RunResult.Stalls s = r.stalls();
    sb.append(
        String.format(
            Locale.ROOT,
            "  stalls        dma wait %,d, queue full %,d, bank conflict %,d, drain %,d cycles%n",
            s.dmaWait(),
            s.dmaQueueFull(),
            s.bankConflict(),
            s.dmaDrain()));
    return sb.toString();
  }
}
