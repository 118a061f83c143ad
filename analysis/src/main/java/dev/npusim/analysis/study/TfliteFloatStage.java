package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Stage 1 of the study on an imported network: the float passes on each evaluation input, in
 * parallel: the float reference, the weights-only network (the int8 model's dequantized weights)
 * and the activations-only network (float weights, every tensor rounded to the int8 model's
 * quantization).
 */
final class TfliteFloatStage {
  /** One input's float passes: every layer's output of each. */
  record FloatPass(
      FloatActivations reference,
      FloatActivations weightsOnly,
      Map<String, FloatTensor> activationsOnly) {}

  /** Per evaluation input, in order. */
  record Result(List<FloatPass> passes) {}

  private TfliteFloatStage() {}

  static Result run(StudyPool pool, TfliteSource source, List<ModelInput> inputs)
      throws AnalysisException {
    FloatGraphExecutor reference = new FloatGraphExecutor(source.reference());
    FloatGraphExecutor weights =
        source.floatOriginal() ? new FloatGraphExecutor(source.int8Graph().graph()) : null;
    Map<String, QuantParams> quant = source.quantization();
    List<Future<FloatPass>> tasks = new ArrayList<>();
    for (ModelInput in : inputs) {
      tasks.add(pool.submit(() -> floatPass(source, reference, weights, quant, in.values())));
    }
    List<FloatPass> passes = new ArrayList<>();
    for (Future<FloatPass> t : tasks) {
      passes.add(pool.get(t));
    }
    return new Result(passes);
  }

  private static FloatPass floatPass(
      TfliteSource source,
      FloatGraphExecutor executor,
      FloatGraphExecutor weights,
      Map<String, QuantParams> quant,
      FloatTensor input) {
    FloatActivations reference = executor.run(input);
    FloatActivations weightsOnly = weights != null ? weights.run(input) : reference;
    // Activations only: float weights, every tensor rounded to the int8 model's quantization.
    Map<String, FloatTensor> rounded = new HashMap<>();
    rounded.put(FloatGraph.INPUT, fakeQuantize(input, quant.get(FloatGraph.INPUT)));
    for (FloatLayer layer : source.reference().layers()) {
      FloatTensor out =
          layer.secondInput() == null
              ? executor.runLayer(layer.name(), rounded.get(layer.input()))
              : executor.runLayer(
                  layer.name(), rounded.get(layer.input()), rounded.get(layer.secondInput()));
      rounded.put(layer.name(), fakeQuantize(out, quant.get(layer.name())));
    }
    return new FloatPass(reference, weightsOnly, rounded);
  }

  private static FloatTensor fakeQuantize(FloatTensor t, QuantParams q) {
    if (q == null) {
      return t;
    }
    double[] v = t.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = q.dequantize(q.quantize(v[i]));
    }
    return FloatTensor.adopt(t.shape(), v);
  }
}
