package dev.npusim.cli.cost;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npusim.analysis.cost.LayerCost;
import dev.npusim.analysis.cost.NetworkCost;
import dev.npusim.isa.Scratchpad;
import dev.npusim.simulator.EnergyBreakdown;
import dev.npusim.simulator.EnergyComponent;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Renders a {@link NetworkCost} as a terminal report, JSON or CSV. */
public final class CostReport {
  private CostReport() {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One line describing a machine's resources. */
  public static String machineLine(MachineConfig m) {
    return String.format(
        Locale.ROOT,
        "%d lanes x %d MACs = %d MACs/cycle at %s MHz; act %s, wgt %s, out %s, par %s;"
            + " DMA %d B/cycle, setup %d cycles",
        m.lanes(),
        m.macsPerLanePerCycle(),
        m.peakMacsPerCycle(),
        number(m.clockMhz()),
        kib(m.scratchpadBytes(Scratchpad.ACT)),
        kib(m.scratchpadBytes(Scratchpad.WGT)),
        kib(m.scratchpadBytes(Scratchpad.OUT)),
        kib(m.scratchpadBytes(Scratchpad.PAR)),
        m.dmaBytesPerCycle(),
        m.dmaSetupCycles());
  }

  private static String kib(int bytes) {
    return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
  }

  private static String number(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  // ------------------------------------------------------------------ text

  /** The per-layer tables and the totals. */
  /** The machine, its resources and the source of the layers. */
  private static String header(NetworkCost n) {
    MachineConfig m = n.machine();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("machine  %s: %s%n", m.name(), m.description()));
    sb.append(String.format("         %s%n", machineLine(m)));
    sb.append(String.format("source   %s%n", n.source()));
    if (n.compulsoryDramBytes() >= 0) {
      // Compiled layers have no data-dependent control flow; a hand-written program might.
      sb.append(
          "         cycles and energy depend only on shapes and the machine, not on data values\n");
    }
    sb.append('\n');
    return sb.toString();
  }

  public static String text(NetworkCost n) {
    StringBuilder sb = new StringBuilder(header(n));
    // Units by size, so that a single small case still shows its numbers.
    boolean megaMacs = n.usefulMacs() >= 10_000_000;
    double macScale = megaMacs ? 1e6 : 1;
    boolean microJoules = n.energy().totalPj() >= 1e6;
    double energyScale = microJoules ? 1e6 : 1e3;
    String energyUnit = microJoules ? "uJ" : "nJ";
    int w = Math.max(20, n.layers().stream().mapToInt(l -> l.name().length()).max().orElse(5));
    String head =
        "%-" + w + "s  %-11s %9s %5s %11s %7s %6s  %-7s %5s %9s %9s %5s %9s %9s %7s %7s %10s%n";
    String row =
        "%-"
            + w
            + "s  %-11s "
            + (megaMacs ? "%9.2f" : "%,9.0f")
            + " %5s %,11d %7.1f %5.1f%%  %-7s %4.0f%% %,9.1f %,9.1f %5s %,9d %,9d %,7d"
            + " %,7d %,10.1f%n";
    sb.append(
        String.format(
            Locale.ROOT,
            head,
            "layer",
            "op",
            megaMacs ? "MACs (M)" : "MACs",
            "pad",
            "cycles",
            "MAC/cyc",
            "util",
            "bound",
            "roof",
            "in (KiB)",
            "out (KiB)",
            "x min",
            "dma.wait",
            "q.full",
            "bank",
            "drain",
            "energy " + energyUnit));
    for (LayerCost l : n.layers()) {
      RunResult.Stalls s = l.run().stalls();
      sb.append(
          String.format(
              Locale.ROOT,
              row,
              l.name(),
              l.op(),
              l.usefulMacs() / macScale,
              padding(l.simulatedMacs(), l.usefulMacs()),
              l.cycles(),
              l.macsPerCycle(),
              100 * l.utilisation(),
              l.bound().key(),
              100 * l.boundEfficiency(),
              l.dramBytesLoaded() / 1024.0,
              l.dramBytesStored() / 1024.0,
              ratio(l.trafficOverCompulsory()),
              s.dmaWait(),
              s.dmaQueueFull(),
              s.bankConflict(),
              s.dmaDrain(),
              l.energy().totalPj() / energyScale));
    }
    RunResult.Stalls s = n.stalls();
    long compulsory = n.compulsoryDramBytes();
    sb.append(
        String.format(
            Locale.ROOT,
            row,
            "total",
            "",
            n.usefulMacs() / macScale,
            padding(n.simulatedMacs(), n.usefulMacs()),
            n.cycles(),
            n.cycles() == 0 ? 0.0 : (double) n.usefulMacs() / n.cycles(),
            100 * n.utilisation(),
            "",
            n.cycles() == 0 ? 100.0 : 100 * n.boundCycles() / n.cycles(),
            n.dramBytesLoaded() / 1024.0,
            n.dramBytesStored() / 1024.0,
            ratio(
                compulsory <= 0
                    ? Double.NaN
                    : (double) (n.dramBytesLoaded() + n.dramBytesStored()) / compulsory),
            s.dmaWait(),
            s.dmaQueueFull(),
            s.bankConflict(),
            s.dmaDrain(),
            n.energy().totalPj() / energyScale));
    sb.append('\n');
    sb.append(energyTable(n, w, energyScale, energyUnit));
    sb.append('\n');
    sb.append(totals(n));
    return sb.toString();
  }

  private static String padding(long simulated, long useful) {
    if (simulated <= useful || useful == 0) {
      return "";
    }
    return String.format(Locale.ROOT, "+%.0f%%", 100.0 * (simulated - useful) / useful);
  }

  private static String ratio(double r) {
    return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.1f", r);
  }

  private static String energyTable(NetworkCost n, int w, double scale, String unit) {
    StringBuilder sb = new StringBuilder();
    sb.append("energy by component, ").append(unit).append('\n');
    StringBuilder head = new StringBuilder(String.format("%-" + w + "s ", "layer"));
    for (EnergyComponent c : EnergyComponent.values()) {
      head.append(String.format(" %9s", c.key().replace("instruction_", "")));
    }
    head.append(String.format(" %10s%n", "total"));
    sb.append(head);
    for (LayerCost l : n.layers()) {
      sb.append(energyRow(l.name(), l.energy(), w, scale));
    }
    sb.append(energyRow("total", n.energy(), w, scale));
    return sb.toString();
  }

  private static String energyRow(String name, EnergyBreakdown e, int w, double scale) {
    StringBuilder sb = new StringBuilder(String.format("%-" + w + "s ", name));
    for (EnergyComponent c : EnergyComponent.values()) {
      sb.append(String.format(Locale.ROOT, " %,9.1f", e.pj(c) / scale));
    }
    sb.append(String.format(Locale.ROOT, " %,10.1f%n", e.totalPj() / scale));
    return sb.toString();
  }

  private static String totals(NetworkCost n) {
    MachineConfig m = n.machine();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "latency   %,d cycles = %.3f ms at %s MHz: %,.2f inferences/s%n",
            n.cycles(),
            n.seconds() * 1e3,
            number(m.clockMhz()),
            n.inferencesPerSecond()));
    sb.append(
        String.format(
            Locale.ROOT,
            "compute   %,d MACs, %.1f MACs/cycle = %.1f%% of the %d peak; the layers' roofline"
                + " bounds add up to %,.0f cycles (%.1f%% of the cycles)%n",
            n.usefulMacs(),
            n.cycles() == 0 ? 0.0 : (double) n.usefulMacs() / n.cycles(),
            100 * n.utilisation(),
            m.peakMacsPerCycle(),
            n.boundCycles(),
            n.cycles() == 0 ? 100.0 : 100 * n.boundCycles() / n.cycles()));
    EnergyBreakdown e = n.energy();
    List<EnergyComponent> order = new ArrayList<>(List.of(EnergyComponent.values()));
    order.sort(Comparator.comparingDouble(e::pj).reversed());
    StringBuilder split = new StringBuilder();
    for (EnergyComponent c : order) {
      double share = e.totalPj() == 0 ? 0 : e.pj(c) / e.totalPj();
      if (share >= 0.005) {
        split.append(String.format(Locale.ROOT, "%s %.0f%%, ", c.key(), 100 * share));
      }
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "energy    %.4g mJ per inference = %,.1f inferences/J; %s%n",
            e.totalPj() / 1e9,
            n.inferencesPerJoule(),
            split.length() > 2 ? split.substring(0, split.length() - 2) : "nothing"));
    long compulsory = n.compulsoryDramBytes();
    sb.append(
        String.format(
            Locale.ROOT,
            "traffic   %,.1f KiB loaded, %,.1f KiB stored%s%n",
            n.dramBytesLoaded() / 1024.0,
            n.dramBytesStored() / 1024.0,
            compulsory <= 0
                ? ""
                : String.format(
                    Locale.ROOT,
                    " = %.2fx the compulsory %,.1f KiB",
                    (double) (n.dramBytesLoaded() + n.dramBytesStored()) / compulsory,
                    compulsory / 1024.0)));
    RunResult.Stalls s = n.stalls();
    long compute = n.layers().stream().filter(l -> l.bound() == LayerCost.Bound.COMPUTE).count();
    sb.append(
        String.format(
            Locale.ROOT,
            "stalls    dma.wait %,d, queue full %,d, bank conflict %,d, drain %,d cycles%n",
            s.dmaWait(),
            s.dmaQueueFull(),
            s.bankConflict(),
            s.dmaDrain()));
    sb.append(
        String.format(
            Locale.ROOT,
            "bound     %d of %d layers compute-bound, %d memory-bound%n",
            compute,
            n.layers().size(),
            n.layers().size() - compute));
    return sb.toString();
  }

  // ------------------------------------------------------------------ JSON

  public static String json(NetworkCost n) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", "npusim.estimate.v1");
    root.put("source", n.source());
    root.set("machine", machine(n.machine()));
    ArrayNode layers = root.putArray("layers");
    for (LayerCost l : n.layers()) {
      layers.add(layer(l));
    }
    ObjectNode t = root.putObject("totals");
    t.put("macs", n.usefulMacs());
    t.put("simulated_macs", n.simulatedMacs());
    t.put("cycles", n.cycles());
    t.put("seconds", n.seconds());
    t.put("inferences_per_second", n.inferencesPerSecond());
    t.put("inferences_per_joule", n.inferencesPerJoule());
    t.put("utilisation", n.utilisation());
    t.put("bound_cycles", n.boundCycles());
    t.put("dram_bytes_loaded", n.dramBytesLoaded());
    t.put("dram_bytes_stored", n.dramBytesStored());
    t.put("compulsory_dram_bytes", n.compulsoryDramBytes());
    t.set("stalls", stalls(n.stalls()));
    t.set("energy_pj", energy(n.energy()));
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode machine(MachineConfig m) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", m.name());
    o.put("description", m.description());
    o.put("lanes", m.lanes());
    o.put("macs_per_lane_per_cycle", m.macsPerLanePerCycle());
    o.put("peak_macs_per_cycle", m.peakMacsPerCycle());
    o.put("clock_mhz", m.clockMhz());
    o.put("dma_bytes_per_cycle", m.dmaBytesPerCycle());
    o.put("dma_setup_cycles", m.dmaSetupCycles());
    ObjectNode sp = o.putObject("scratchpad_bytes");
    for (Scratchpad s : Scratchpad.values()) {
      sp.put(s.asmName(), m.scratchpadBytes(s));
    }
    return o;
  }

  private static ObjectNode layer(LayerCost l) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", l.name());
    o.put("op", l.op());
    o.put("plan", l.plan());
    o.put("macs", l.usefulMacs());
    o.put("simulated_macs", l.simulatedMacs());
    o.put("cycles", l.cycles());
    o.put("issue_busy_cycles", l.issueBusyCycles());
    o.put("macs_per_cycle", l.macsPerCycle());
    o.put("utilisation", l.utilisation());
    o.put("bound", l.bound().key());
    o.put("compute_bound_cycles", l.computeBoundCycles());
    o.put("memory_bound_cycles", l.memoryBoundCycles());
    o.put("bound_efficiency", l.boundEfficiency());
    o.put("dram_bytes_loaded", l.dramBytesLoaded());
    o.put("dram_bytes_stored", l.dramBytesStored());
    o.put("compulsory_dram_bytes", l.compulsoryDramBytes());
    o.put("dma_ld_busy_cycles", l.run().dma().loadBusyCycles());
    o.put("dma_st_busy_cycles", l.run().dma().storeBusyCycles());
    o.put("instructions", l.run().steps());
    o.set("stalls", stalls(l.run().stalls()));
    o.set("energy_pj", energy(l.energy()));
    return o;
  }

  private static ObjectNode stalls(RunResult.Stalls s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("dma_wait", s.dmaWait());
    o.put("dma_queue_full", s.dmaQueueFull());
    o.put("bank_conflict", s.bankConflict());
    o.put("dma_drain", s.dmaDrain());
    return o;
  }

  private static ObjectNode energy(EnergyBreakdown e) {
    ObjectNode o = JSON.createObjectNode();
    for (EnergyComponent c : EnergyComponent.values()) {
      o.put(c.key(), e.pj(c));
    }
    o.put("total", e.totalPj());
    return o;
  }

  // ------------------------------------------------------------------ CSV

  /** One row per layer and a final {@code total} row. */
  public static String csv(NetworkCost n) {
    StringBuilder sb = new StringBuilder();
    List<String> head =
        new ArrayList<>(
            List.of(
                "machine",
                "layer",
                "op",
                "macs",
                "simulated_macs",
                "cycles",
                "macs_per_cycle",
                "utilisation",
                "bound",
                "bound_cycles",
                "bound_efficiency",
                "dram_bytes_loaded",
                "dram_bytes_stored",
                "compulsory_dram_bytes",
                "stall_dma_wait",
                "stall_dma_queue_full",
                "stall_bank_conflict",
                "stall_dma_drain"));
    for (EnergyComponent c : EnergyComponent.values()) {
      head.add("energy_pj_" + c.key());
    }
    head.add("energy_pj_total");
    sb.append(String.join(",", head)).append('\n');
    for (LayerCost l : n.layers()) {
      RunResult.Stalls s = l.run().stalls();
      List<String> r =
          new ArrayList<>(
              List.of(
                  csvText(n.machine().name()),
                  csvText(l.name()),
                  csvText(l.op()),
                  Long.toString(l.usefulMacs()),
                  Long.toString(l.simulatedMacs()),
                  Long.toString(l.cycles()),
                  real(l.macsPerCycle()),
                  real(l.utilisation()),
                  l.bound().key(),
                  real(l.boundCycles()),
                  real(l.boundEfficiency()),
                  Long.toString(l.dramBytesLoaded()),
                  Long.toString(l.dramBytesStored()),
                  Long.toString(l.compulsoryDramBytes()),
                  Long.toString(s.dmaWait()),
                  Long.toString(s.dmaQueueFull()),
                  Long.toString(s.bankConflict()),
                  Long.toString(s.dmaDrain())));
      energyCells(r, l.energy());
      sb.append(String.join(",", r)).append('\n');
    }
    RunResult.Stalls s = n.stalls();
    List<String> r =
        new ArrayList<>(
            List.of(
                csvText(n.machine().name()),
                "total",
                "",
                Long.toString(n.usefulMacs()),
                Long.toString(n.simulatedMacs()),
                Long.toString(n.cycles()),
                real(n.cycles() == 0 ? 0 : (double) n.usefulMacs() / n.cycles()),
                real(n.utilisation()),
                "",
                real(n.boundCycles()),
                real(n.cycles() == 0 ? 1 : n.boundCycles() / n.cycles()),
                Long.toString(n.dramBytesLoaded()),
                Long.toString(n.dramBytesStored()),
                Long.toString(n.compulsoryDramBytes()),
                Long.toString(s.dmaWait()),
                Long.toString(s.dmaQueueFull()),
                Long.toString(s.bankConflict()),
                Long.toString(s.dmaDrain())));
    energyCells(r, n.energy());
    sb.append(String.join(",", r)).append('\n');
    return sb.toString();
  }

  private static void energyCells(List<String> row, EnergyBreakdown e) {
    for (EnergyComponent c : EnergyComponent.values()) {
      row.add(real(e.pj(c)));
    }
    row.add(real(e.totalPj()));
  }

  static String real(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /** A CSV field, quoted if it holds a comma, quote or newline (RFC 4180). */
  static String csvText(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
