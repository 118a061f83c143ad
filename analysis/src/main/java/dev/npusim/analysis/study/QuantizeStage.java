package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.quant.Calibration;
import dev.npusim.kernels.quant.NetworkQuantizer;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.simulator.MachineConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Stage 2: quantize each scheme with its graph's calibration and compile every distinct layer once
 * (in parallel): schemes that quantize a layer identically share its program.
 */
final class QuantizeStage {
  /** Every scheme, in the order asked for, ready to simulate. */
  record Result(List<SchemeRun> runs) {}

  private QuantizeStage() {}

  static Result run(
      StudyPool pool,
      List<QuantScheme> schemes,
      Map<QuantScheme, FloatGraph> graphOf,
      FloatPassStage.Result floats,
      MachineConfig machine)
      throws AnalysisException {
    Map<GraphKey, Calibration> calibrations = floats.calibrations();
    Map<QuantScheme, QuantizedNetwork> nets = new LinkedHashMap<>();
    Map<QuantScheme, Future<FloatPasses>> passes = new LinkedHashMap<>();
    Map<QuantizedLayer, Future<CompiledLayer>> programs = new HashMap<>();
    for (QuantScheme s : schemes) {
      QuantizedNetwork net =
          NetworkQuantizer.quantize(graphOf.get(s), calibrations.get(GraphKey.of(s)), s);
      nets.put(s, net);
      FloatGraphExecutor reference = floats.executors().get(GraphKey.of(s));
      passes.put(s, pool.submit(() -> new FloatPasses(net, reference)));
      for (QuantizedNetwork.Layer l : net.layers()) {
        programs.computeIfAbsent(l.quantized(), q -> pool.submit(() -> compile(l, machine)));
      }
    }
    List<SchemeRun> schemeRuns = new ArrayList<>();
    for (QuantScheme s : schemes) {
      QuantizedNetwork net = nets.get(s);
      Map<String, CompiledLayer> c = new LinkedHashMap<>();
      for (QuantizedNetwork.Layer l : net.layers()) {
        c.put(l.name(), pool.get(programs.get(l.quantized())));
      }
      schemeRuns.add(
          new SchemeRun(
              s, net, pool.get(passes.get(s)), c, GraphKey.of(s), ActivationKey.of(s, net)));
    }
    return new Result(schemeRuns);
  }

  private static CompiledLayer compile(QuantizedNetwork.Layer l, MachineConfig machine)
      throws AnalysisException {
    try {
      return LayerRunner.compile(l.quantized(), machine);
    } catch (CompileException e) {
      throw new AnalysisException(
          "layer " + l.name() + " does not fit machine " + machine.name() + ": " + e.getMessage());
    }
  }
}
