package dev.npusim.cli;

import dev.npusim.analysis.cost.ImportedNetworkCost;
import dev.npusim.analysis.cost.MachineSweep;
import dev.npusim.analysis.cost.NamedLayer;
import dev.npusim.analysis.cost.NetworkCost;
import dev.npusim.analysis.cost.NetworkLayers;
import dev.npusim.analysis.cost.SweepParameter;
import dev.npusim.cli.cost.CostReport;
import dev.npusim.cli.cost.SweepPlot;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.simulator.MachineConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = {
      "Estimate a network or a case on every combination of the given machine",
      "parameters (on top of --machine), using all cores. Writes one CSV row per",
      "point and, with --html, a self-contained page plotting cycles and energy",
      "against each parameter with the Pareto front of cycles vs energy marked.",
      "Example: npusim sweep --model --lanes 16,32,64 --wgt-kib 32,64,128",
      "         --dma-bw 8,16,32 --csv sweep.csv --html sweep.html"
    })
final class SweepCommand implements Callable<Integer> {
  /** More points than this is almost certainly a typo; each point simulates the whole network. */
  private static final int MAX_POINTS = 4096;

  @Parameters(paramLabel = "CASE", arity = "0..1", description = "A case file (.json).")
  Path input;

  @Option(
      names = "--model",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "DIR",
      description =
          "Sweep the SSD-MobileNetV1 face detector (vendored, or the one in DIR), or an int8"
              + " .tflite network.")
  String model;

  @Option(
      names = "--machine",
      paramLabel = "PRESET|FILE",
      defaultValue = "npu8-default",
      description = "Base machine the grid changes (default: ${DEFAULT-VALUE}).")
  String machine;

  @Option(names = "--lanes", paramLabel = "N", split = ",", description = "Lane counts.")
  List<String> lanes;

  @Option(
      names = "--macs-per-lane",
      paramLabel = "N",
      split = ",",
      description = "MACs per lane per cycle.")
  List<String> macsPerLane;

  @Option(names = "--act-kib", paramLabel = "KIB", split = ",", description = "act sizes.")
  List<String> actKib;

  @Option(names = "--wgt-kib", paramLabel = "KIB", split = ",", description = "wgt sizes.")
  List<String> wgtKib;

  @Option(names = "--out-kib", paramLabel = "KIB", split = ",", description = "out sizes.")
  List<String> outKib;

  @Option(names = "--par-kib", paramLabel = "KIB", split = ",", description = "par sizes.")
  List<String> parKib;

  @Option(names = "--dma-bw", paramLabel = "B", split = ",", description = "DMA bytes per cycle.")
  List<String> dmaBw;

  @Option(names = "--dma-setup", paramLabel = "N", split = ",", description = "DMA setup cycles.")
  List<String> dmaSetup;

  @Option(
      names = "--clock-mhz",
      paramLabel = "MHZ",
      split = ",",
      description = "Clock frequencies.")
  List<String> clockMhz;

  @Option(
      names = "--csv",
      paramLabel = "FILE",
      required = true,
      description = "Write one row per grid point.")
  Path csv;

  @Option(names = "--html", paramLabel = "FILE", description = "Write the plots as an HTML page.")
  Path html;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Simulations in parallel (default: the number of cores).")
  Integer threads;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError, UsageError {
    if ((input == null) == (model == null)) {
      throw new UsageError("sweep: give either a case file or --model");
    }
    MachineConfig base = Machines.load(machine);
    Map<SweepParameter, List<Integer>> axes = new LinkedHashMap<>();
    axis(axes, SweepParameter.LANES, "--lanes", lanes, base);
    axis(axes, SweepParameter.MACS_PER_LANE, "--macs-per-lane", macsPerLane, base);
    axis(axes, SweepParameter.ACT_KIB, "--act-kib", actKib, base);
    axis(axes, SweepParameter.WGT_KIB, "--wgt-kib", wgtKib, base);
    axis(axes, SweepParameter.OUT_KIB, "--out-kib", outKib, base);
    axis(axes, SweepParameter.PAR_KIB, "--par-kib", parKib, base);
    axis(axes, SweepParameter.DMA_BW, "--dma-bw", dmaBw, base);
    axis(axes, SweepParameter.DMA_SETUP, "--dma-setup", dmaSetup, base);
    axis(axes, SweepParameter.CLOCK_MHZ, "--clock-mhz", clockMhz, base);
    if (axes.isEmpty()) {
      throw new UsageError("sweep: give at least one parameter to sweep, e.g. --lanes 16,32,64");
    }
    long points = 1;
    for (List<Integer> v : axes.values()) {
      points *= v.size();
    }
    if (points > MAX_POINTS) {
      throw new UsageError(
          "sweep: " + points + " grid points is more than " + MAX_POINTS + "; narrow the grid");
    }
    int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (workers < 1) {
      throw new UsageError("--threads: must be at least 1, got " + workers);
    }
    String source;
    List<NamedLayer> layers;
    List<MachineSweep.Point> grid = MachineSweep.grid(base, axes);
    List<MachineSweep.Outcome> outcomes;
    if (Models.isTflite(model)) {
      TfliteModel network = Models.tflite(Path.of(model));
      source = network.file() + " (NPU operators; softmax and reshapes are host work)";
      outcomes = ImportedNetworkCost.sweep(network, grid, workers);
    } else {
      if (model != null) {
        NetworkLayers network = Models.zeroWeightSsd(model);
        source = network.description();
        layers = network.layers();
      } else {
        GoldenCase c = CaseFiles.load(input);
        source = "case " + input + " (" + c.name() + ")";
        layers = List.of(new NamedLayer(c.name(), c.layer()));
      }
      outcomes = MachineSweep.run(source, layers, grid, workers);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("sweep of %s%nbase %s: %s%n%n", source, base.name(), CostReport.machineLine(base));
    out.print(table(axes, outcomes));
    // Both outputs or neither (issue 12).
    Map<Path, byte[]> outputs = new LinkedHashMap<>();
    outputs.put(csv, csv(axes, outcomes).getBytes(StandardCharsets.UTF_8));
    if (html != null) {
      outputs.put(
          html,
          SweepPlot.html(source, base.name(), axes, outcomes).getBytes(StandardCharsets.UTF_8));
    }
    AtomicFiles.writeAll(outputs);
    for (Path p : outputs.keySet()) {
      out.println("wrote " + p);
    }
    long failed = outcomes.stream().filter(o -> o.cost() == null).count();
    if (failed == outcomes.size()) {
      // Nothing was estimated: that is a failure, not a result (issue 12).
      throw new UserError(
          "sweep: all " + failed + " points failed; the first: " + outcomes.get(0).error());
    }
    return 0;
  }

  /**
   * Parses one axis: positive ints, scratchpad sizes within what the simulator can hold (a usage
   * error otherwise); whether a point builds and compiles is the point's outcome.
   */
  private static void axis(
      Map<SweepParameter, List<Integer>> axes,
      SweepParameter p,
      String option,
      List<String> raw,
      MachineConfig base)
      throws UserError, UsageError {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    List<Integer> values = new ArrayList<>();
    for (String s : raw) {
      long v;
      try {
        v = Numbers.parse(s, option);
      } catch (UserError e) {
        throw new UsageError(e.getMessage());
      }
      if (v <= 0 || v > Integer.MAX_VALUE) {
        throw new UsageError(option + ": " + s + " must be a positive integer");
      }
      if (option.endsWith("-kib") && v > MachineConfig.MAX_MEMORY_BYTES / 1024) {
        // The message SweepParameter gives each point, once, before any point runs.
        try {
          p.apply(base, (int) v);
        } catch (IllegalArgumentException e) {
          throw new UsageError(option + " " + s + ": " + e.getMessage());
        }
      }
      if (!values.contains((int) v)) {
        values.add((int) v);
      }
    }
    axes.put(p, values);
  }

  private static String table(
      Map<SweepParameter, List<Integer>> axes, List<MachineSweep.Outcome> outcomes) {
    StringBuilder sb = new StringBuilder();
    for (SweepParameter p : axes.keySet()) {
      sb.append(String.format("%10s ", p.key()));
    }
    sb.append(
        String.format(
            "%14s %10s %10s %9s %9s %6s  %s%n",
            "cycles", "ms", "mJ", "inf/s", "inf/J", "util", "pareto"));
    for (MachineSweep.Outcome o : outcomes) {
      for (SweepParameter p : axes.keySet()) {
        sb.append(String.format("%10d ", o.point().values().get(p)));
      }
      if (o.cost() == null) {
        sb.append("failed: ").append(o.error()).append('\n');
        continue;
      }
      NetworkCost c = o.cost();
      sb.append(
          String.format(
              Locale.ROOT,
              "%,14d %10.3f %10.3f %9.1f %9.1f %5.1f%%  %s%n",
              c.cycles(),
              c.seconds() * 1e3,
              c.energy().totalPj() / 1e9,
              c.inferencesPerSecond(),
              c.inferencesPerJoule(),
              100 * c.utilisation(),
              o.pareto() ? "*" : ""));
    }
    return sb.toString();
  }

  static String csv(Map<SweepParameter, List<Integer>> axes, List<MachineSweep.Outcome> outcomes) {
    StringBuilder sb = new StringBuilder("machine,");
    for (SweepParameter p : axes.keySet()) {
      sb.append(p.key()).append(',');
    }
    sb.append(
        "status,cycles,seconds,inferences_per_second,energy_pj,inferences_per_joule,"
            + "utilisation,macs,dram_bytes_loaded,dram_bytes_stored,stall_cycles,pareto\n");
    for (MachineSweep.Outcome o : outcomes) {
      NetworkCost c = o.cost();
      sb.append(c == null ? "" : csvText(c.machine().name())).append(',');
      for (SweepParameter p : axes.keySet()) {
        sb.append(o.point().values().get(p)).append(',');
      }
      if (c == null) {
        sb.append(csvText("error: " + o.error())).append(",,,,,,,,,,,false\n");
        continue;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "ok,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%d,%d,%d,%b%n",
              c.cycles(),
              c.seconds(),
              c.inferencesPerSecond(),
              c.energy().totalPj(),
              c.inferencesPerJoule(),
              c.utilisation(),
              c.usefulMacs(),
              c.dramBytesLoaded(),
              c.dramBytesStored(),
              c.stalls().total(),
              o.pareto()));
    }
    return sb.toString();
  }

  private static String csvText(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
