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
 * Stage 1 of the study on an imported network: the float passes. The float reference runs on every
 * evaluation input up front, in parallel (npusim's schemes are scored against it too); the
 * weights-only network (the int8 model's dequantized weights) and the activations-only network
 * (float weights, every tensor rounded to the int8 model's quantization) run one input at a time,
 * beside the simulation, so that only one input's companions are held at once.
 */
final class TfliteFloatStage {
  /** One input's float passes: every layer's output of each. */
  record FloatPass(
      FloatActivations reference,
      FloatActivations weightsOnly,
      Map<String, FloatTensor> activationsOnly) {}

  /** The float reference's activations per evaluation input, in order. */
  record Result(List<FloatActivations> references) {}

  private final TfliteSource source;
  private final FloatGraphExecutor reference;
  private final FloatGraphExecutor weights;
  private final Map<String, QuantParams> quant;

  TfliteFloatStage(TfliteSource source) {
    this.source = source;
    this.reference = new FloatGraphExecutor(source.reference());
    this.weights =
        source.floatOriginal() ? new FloatGraphExecutor(source.int8Graph().graph()) : null;
    this.quant = source.quantization();
  }

  /** The float reference on every input. */
  Result run(StudyPool pool, List<ModelInput> inputs) throws AnalysisException {
    List<Future<FloatActivations>> tasks = new ArrayList<>();
    for (ModelInput in : inputs) {
      tasks.add(pool.submit(() -> reference.run(in.values())));
    }
    List<FloatActivations> references = new ArrayList<>();
    for (Future<FloatActivations> t : tasks) {
      references.add(pool.get(t));
    }
    return new Result(references);
  }

  /** One input's companions beside its float reference. */
  FloatPass companions(FloatActivations references) {
    FloatTensor input = references.get(FloatGraph.INPUT);
    FloatActivations weightsOnly = weights != null ? weights.run(input) : references;
    // Activations only: float weights, every tensor rounded to the int8 model's quantization.
    Map<String, FloatTensor> rounded = new HashMap<>();
    rounded.put(FloatGraph.INPUT, fakeQuantize(input, quant.get(FloatGraph.INPUT)));
    // An ADD's constant operand is a weight, not an activation: it stays float here.
    rounded.putAll(source.reference().constants());
    for (FloatLayer layer : source.reference().layers()) {
      FloatTensor out =
          layer.secondInput() == null
              ? reference.runLayer(layer.name(), rounded.get(layer.input()))
              : reference.runLayer(
                  layer.name(), rounded.get(layer.input()), rounded.get(layer.secondInput()));
      rounded.put(layer.name(), fakeQuantize(out, quant.get(layer.name())));
    }
    return new FloatPass(references, weightsOnly, rounded);
  }

  /** Flatten layers have no quantization of their own: their values pass unchanged. */
  private static FloatTensor fakeQuantize(FloatTensor t, QuantParams q) {
    return q == null ? t : FloatPasses.fakeQuantize(t, q);
  }
}
