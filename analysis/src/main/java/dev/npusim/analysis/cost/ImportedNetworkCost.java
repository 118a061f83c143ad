package dev.npusim.analysis.cost;

import com.google.common.collect.ImmutableList;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.golden.reference.PoolingReference;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TfliteFloatGraph;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.simulator.EnergyModel;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cost model on an imported int8 TFLite network: convolutions and fully-connected layers as
 * {@link CostEstimator#network} costs them (in parallel, one simulation per geometry), pooling and
 * ADD compiled to their NPU kernels and simulated on zero inputs (their programs, like a layer's,
 * depend only on shapes). SOFTMAX, RESHAPE and SQUEEZE are host work: they get no NPU cycles and
 * are listed apart.
 *
 * @param cost the NPU operators, in the model's order
 * @param hostOperators the operators left to the host, as {@code name (op)}
 */
public record ImportedNetworkCost(NetworkCost cost, ImmutableList<String> hostOperators) {

  /**
   * @throws CostException when the model is not int8, or an operator does not compile or faults
   */
  public static ImportedNetworkCost of(TfliteModel model, MachineConfig machine, int threads)
      throws CostException {
    SimulatedNetwork network;
    try {
      network = SimulatedNetwork.compile(model, machine);
    } catch (ModelFormatException | AnalysisException e) {
      throw new CostException(e.getMessage());
    }
    List<NamedLayer> layers = new ArrayList<>();
    Map<Integer, LayerCost> operators = new HashMap<>();
    List<String> host = new ArrayList<>();
    for (TfliteOperator op : model.operators()) {
      String name = TfliteFloatGraph.layerName(op);
      ReferenceNetwork.Step step = network.reference().steps().get(op.index());
      Optional<CompiledOperator> compiled = network.compiledOperator(op.index());
      if (step instanceof ReferenceNetwork.Step.Layer l) {
        layers.add(new NamedLayer(name, l.layer()));
      } else if (compiled.isPresent()) {
        operators.put(op.index(), operator(name, op, step, compiled.get(), machine));
      } else {
        host.add(name + " (" + op.op().lowerName() + ")");
      }
    }
    List<CostEstimator.Traced> costed = CostEstimator.network(layers, machine, threads, false);
    List<LayerCost> inOrder = new ArrayList<>();
    int next = 0;
    for (TfliteOperator op : model.operators()) {
      if (network.reference().steps().get(op.index()) instanceof ReferenceNetwork.Step.Layer) {
        inOrder.add(costed.get(next++).cost());
      } else if (operators.containsKey(op.index())) {
        inOrder.add(operators.get(op.index()));
      }
    }
    String source =
        model.file()
            + " ("
            + model.operators().size()
            + " operators, "
            + inOrder.size()
            + " on the NPU, "
            + host.size()
            + " on the host)";
    return new ImportedNetworkCost(
        NetworkCost.of(source, machine, inOrder), ImmutableList.copyOf(host));
  }

  /** A pooling or ADD operator, its compulsory traffic its inputs and output once. */
  private static LayerCost operator(
      String name,
      TfliteOperator op,
      ReferenceNetwork.Step step,
      CompiledOperator compiled,
      MachineConfig machine)
      throws CostException {
    String description;
    if (step instanceof ReferenceNetwork.Step.AveragePool p) {
      description = "avgpool " + window(p.parameters());
    } else if (step instanceof ReferenceNetwork.Step.MaxPool p) {
      description = "maxpool " + window(p.parameters());
    } else {
      description = op.op().lowerName();
    }
    int inputs = compiled.inputAddrs().size();
    long traffic = compiled.outputBytes();
    for (int bytes : compiled.inputBytes()) {
      traffic += bytes;
    }
    return run(name, description, compiled, traffic, inputs, machine);
  }

  private static String window(PoolingReference.Parameters p) {
    return p.filterH() + "x" + p.filterW() + " s" + p.strideH();
  }

  /**
   * The network on every point of a machine grid, one point after another (each point's layers in
   * parallel on {@code threads} workers), with the Pareto front marked as {@link MachineSweep#run}
   * marks it.
   */
  public static List<MachineSweep.Outcome> sweep(
      TfliteModel model, List<MachineSweep.Point> points, int threads) {
    List<MachineSweep.Outcome> outcomes = new ArrayList<>();
    for (MachineSweep.Point p : points) {
      if (p.machine() == null) {
        outcomes.add(new MachineSweep.Outcome(p, null, p.error(), false));
        continue;
      }
      try {
        outcomes.add(
            new MachineSweep.Outcome(p, of(model, p.machine(), threads).cost(), null, false));
      } catch (CostException e) {
        outcomes.add(new MachineSweep.Outcome(p, null, e.getMessage(), false));
      }
    }
    return MachineSweep.markPareto(outcomes);
  }

  /** Runs a compiled pooling or ADD operator on zero inputs and prices the run. */
  private static LayerCost run(
      String name,
      String op,
      CompiledOperator compiled,
      long compulsoryBytes,
      int inputs,
      MachineConfig machine)
      throws CostException {
    int[][] zeros = new int[inputs][];
    for (int i = 0; i < inputs; i++) {
      zeros[i] = new int[compiled.inputBytes().get(i)];
    }
    RunResult r;
    try {
      // A machine of its own as LayerRunner.runAlone sizes one, timing only: a cost reads only
      // counters that do not depend on values (Machine#setTimingOnly).
      int dram = (int) Math.min(machine.dramBytes(), Math.max(1 << 20, compiled.dramBytes()));
      Machine m = new Machine(machine.withDram(dram));
      m.setTimingOnly(true);
      r = LayerRunner.run(m, compiled, zeros).result();
    } catch (SimulationFault f) {
      throw new CostException(name + " faults on " + machine.name() + ": " + f.getMessage());
    }
    return new LayerCost(
        name,
        op,
        compiled.kernel() + ", " + compiled.tiles() + " tiles",
        0,
        compulsoryBytes,
        r,
        EnergyModel.of(r, machine),
        machine);
  }
}
