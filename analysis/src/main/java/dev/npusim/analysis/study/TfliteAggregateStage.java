package dev.npusim.analysis.study;

import com.google.common.collect.ImmutableList;
import dev.npusim.analysis.imported.ImportedStudyResult;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.models.tflite.TfliteOperator;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage 4 of the study on an imported network: per-operator figures from the sums, the converter's
 * int8 pipeline through the classifier head, npusim's schemes after it, and the notes.
 */
final class TfliteAggregateStage {
  private TfliteAggregateStage() {}

  /** Per-operator figures of the int8 model on the simulator. */
  static List<ImportedStudyResult.Layer> layers(
      TfliteSource source, SimulatedNetwork compiled, TfliteSimulateStage.Result simulated) {
    List<ImportedStudyResult.Layer> out = new ArrayList<>();
    for (TfliteOperator op : source.int8().operators()) {
      LayerSums s = simulated.operators().get(op.index());
      String name = source.layer(op.index());
      boolean host = compiled.placement(op.index()) != SimulatedNetwork.Placement.NPU;
      double n = Math.max(1, s.outputs);
      out.add(
          new ImportedStudyResult.Layer(
              op.index(),
              name,
              op.op().lowerName(),
              host,
              source.int8Graph().graph().layer(name).macs(),
              s.cumulative.db(),
              s.isolated.db(),
              s.weightsOnly.db(),
              s.activationsOnly.db(),
              s.roundingCount == 0 ? Double.NaN : s.roundingSum / s.roundingCount,
              s.roundingCount == 0 ? Double.NaN : Math.sqrt(s.roundingSquares / s.roundingCount),
              s.saturated / n,
              s.clamped / n,
              s.overflows,
              s.bitsNeeded,
              s.cycles));
    }
    return out;
  }

  /** The TFLite converter's int8 model as a pipeline, scored through the classifier head. */
  static ImportedStudyResult.Pipeline converterPipeline(
      ClassifierHead head,
      List<ImportedStudyResult.Layer> layers,
      TfliteSimulateStage.Result simulated) {
    ClassifierHead.Agreement total = head.total(simulated.outputs());
    return new ImportedStudyResult.Pipeline(
        "tflite-int8",
        "the TFLite converter's int8 model, on the simulator",
        total.agreeing(),
        total.inputs(),
        total.outputSqnrDb(),
        layers.stream().map(ImportedStudyResult.Layer::sqnrCumulativeDb).toList(),
        layers.stream().mapToLong(ImportedStudyResult.Layer::accumulatorOverflows).sum(),
        0);
  }

  static ImportedStudyResult result(
      TfliteSource source,
      Study.Options o,
      List<ModelInput> inputs,
      List<ModelInput> calibration,
      List<ImportedStudyResult.Layer> layers,
      List<ImportedStudyResult.Pipeline> pipelines) {
    return new ImportedStudyResult(
        source.int8().file(),
        source.referenceName(),
        o.machine().name(),
        inputs.stream().map(ModelInput::name).toList(),
        calibration.stream().map(ModelInput::name).toList(),
        layers,
        pipelines,
        o.check(),
        notes(source));
  }

  private static List<String> notes(TfliteSource source) {
    List<String> notes = new ArrayList<>(source.int8().notes());
    if (!source.floatOriginal()) {
      notes.add(
          "no --float: the float reference is the int8 model's own dequantized weights, so the"
              + " weights-only SQNR is infinite by construction");
    }
    notes.add("softmax, reshape and squeeze run on the host (integer reference): no NPU cycles");
    return ImmutableList.copyOf(notes);
  }
}
