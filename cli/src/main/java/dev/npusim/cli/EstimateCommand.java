package dev.npusim.cli;

import dev.npusim.analysis.cost.CostEstimator;
import dev.npusim.analysis.cost.CostException;
import dev.npusim.analysis.cost.ImportedNetworkCost;
import dev.npusim.analysis.cost.NamedLayer;
import dev.npusim.analysis.cost.NetworkCost;
import dev.npusim.analysis.cost.NetworkLayers;
import dev.npusim.cli.cost.CostReport;
import dev.npusim.cli.cost.PerfettoTrace;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.isa.Program;
import dev.npusim.simulator.MachineConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "estimate",
    mixinStandardHelpOptions = true,
    description = {
      "Cycles and energy of a layer, a program or the SSD-MobileNetV1 network on a",
      "machine, by compiling and simulating instruction by instruction.",
      "Per layer: MACs, cycles, utilisation (achieved vs peak MACs/cycle), the",
      "roofline bound (compute or memory) and how close the layer comes to it,",
      "DRAM traffic against the compulsory traffic, stalls by cause, energy by",
      "component; then totals, latency at the clock, inferences/s and /J.",
      "The model's layers have the network's geometry and zero weights: cycles",
      "and energy depend only on shapes and the machine, not on values.",
      "Formulas and machine format: docs/machines.md."
    })
final class EstimateCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "INPUT",
      arity = "0..1",
      description = "A case file (npusim.case.v1, .json) or a program (.s, .asm, .bin).")
  Path input;

  @Option(
      names = "--model",
      arity = "0..1",
      fallbackValue = "",
      paramLabel = "DIR|FILE",
      description =
          "Estimate the SSD-MobileNetV1 face detector: the vendored copy, or the one in DIR"
              + " (TF.js weights manifest and binary); or an int8 .tflite network (softmax and"
              + " reshapes are host work, listed apart).")
  String model;

  @picocli.CommandLine.Mixin MachineOption machine;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
  Path json;

  @Option(names = "--csv", paramLabel = "FILE", description = "Also write one CSV row per layer.")
  Path csv;

  @Option(
      names = "--trace",
      paramLabel = "FILE",
      description =
          "Write a Chrome/Perfetto trace (trace-event JSON): one track per engine (issue, dma ld,"
              + " dma st) and one for layers; open it at https://ui.perfetto.dev.")
  Path trace;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Layers simulated in parallel (default: the number of cores).")
  Integer threads;

  @Option(
      names = "--max-steps",
      paramLabel = "N",
      defaultValue = "1000000000",
      description =
          "For a program: stop with a fault after N instructions (default: ${DEFAULT-VALUE}).")
  long maxSteps;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError {
    if ((input == null) == (model == null)) {
      throw new UserError("estimate: give either a case file or program, or --model");
    }
    MachineConfig config = machine.load();
    int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (workers < 1) {
      throw new UserError("--threads: must be at least 1, got " + workers);
    }
    boolean traced = trace != null;
    String source;
    List<CostEstimator.Traced> runs;
    if (Models.isTflite(model)) {
      return estimateTflite(config, workers);
    }
    try {
      if (model != null) {
        NetworkLayers network = Models.zeroWeightSsd(model);
        source = network.description();
        runs = CostEstimator.network(network.layers(), config, workers, traced);
      } else if (input.getFileName().toString().endsWith(".json")) {
        GoldenCase c = CaseFiles.load(input);
        source = "case " + input + " (" + c.name() + ")";
        runs =
            List.of(
                CostEstimator.layer(
                    new NamedLayer(c.name(), c.layer()), config, c.input(), traced));
      } else {
        Program p = ProgramFiles.load(input);
        source = "program " + input + " (DRAM starts zeroed)";
        runs =
            List.of(
                CostEstimator.program(input.getFileName().toString(), p, config, maxSteps, traced));
      }
    } catch (CostException e) {
      throw new UserError(e.getMessage());
    }
    NetworkCost cost = NetworkCost.of(source, config, runs.stream().map(r -> r.cost()).toList());
    PrintWriter out = spec.commandLine().getOut();
    out.print(CostReport.text(cost));
    if (json != null) {
      AtomicFiles.write(json, CostReport.json(cost));
      out.println("wrote " + json);
    }
    if (csv != null) {
      AtomicFiles.write(csv, CostReport.csv(cost));
      out.println("wrote " + csv);
    }
    if (trace != null) {
      AtomicFiles.write(trace, PerfettoTrace.write(source, config, runs));
      out.println("wrote " + trace + " (open it at https://ui.perfetto.dev)");
    }
    return 0;
  }

  private int estimateTflite(MachineConfig config, int workers) throws UserError {
    if (trace != null) {
      throw new UserError("--trace: not available with a .tflite model");
    }
    ImportedNetworkCost imported;
    try {
      imported = ImportedNetworkCost.of(Models.tflite(Path.of(model)), config, workers);
    } catch (CostException e) {
      throw new UserError(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(CostReport.text(imported.cost()));
    out.println(
        "host work, not NPU cycles: "
            + (imported.hostOperators().isEmpty()
                ? "none"
                : String.join(", ", imported.hostOperators())));
    if (json != null) {
      AtomicFiles.write(json, CostReport.json(imported.cost()));
      out.println("wrote " + json);
    }
    if (csv != null) {
      AtomicFiles.write(csv, CostReport.csv(imported.cost()));
      out.println("wrote " + csv);
    }
    return 0;
  }
}
