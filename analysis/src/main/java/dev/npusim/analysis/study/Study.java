package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.imported.ImportedStudyResult;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.simulator.MachineConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The study behind {@code npusim analyze}, on any network source: its inputs, float passes,
 * quantized pipelines, simulation layer by layer and aggregation through the network's evaluation
 * head, as named stages with typed results. The options are the same for every source: the schemes,
 * the machine, {@code check} (every simulated layer against the integer reference, bit for bit),
 * {@code dump} (the first input's tensors) and progress.
 *
 * <ul>
 *   <li>{@link NetworkSource.Ssd}: {@link ImageDecodeStage}, {@link FloatPassStage}, {@link
 *       QuantizeStage}, {@link SimulateStage}, {@link AggregateStage}, through {@link
 *       FaceDetectionHead} (the per-layer analysis of Sheng et al. 2018, see {@link Analyzer}).
 *   <li>{@link NetworkSource.Tflite}: {@link TfliteFloatStage}, {@link TfliteSimulateStage} (the
 *       converter's int8 model), {@link TfliteSchemeStage} (npusim's schemes on the float
 *       original), {@link TfliteAggregateStage}, through {@link ClassifierHead}.
 * </ul>
 */
public final class Study {
  /** What to study, and how. */
  public record Options(
      NetworkSource network,
      List<QuantScheme> schemes,
      MachineConfig machine,
      boolean check,
      TensorDump dump,
      Analyzer.Progress progress) {
    public Options {
      schemes = List.copyOf(schemes);
    }
  }

  private Study() {}

  public static StudyResult run(Options o) throws AnalysisException {
    if (o.network() instanceof NetworkSource.Tflite t) {
      return new StudyResult.Tflite(tflite(t, o));
    }
    NetworkSource.Ssd s = (NetworkSource.Ssd) o.network();
    return new StudyResult.Ssd(
        Analyzer.run(
            new Analyzer.Options(
                s.model(),
                s.name(),
                s.evaluation(),
                s.calibration().isEmpty() ? s.evaluation() : s.calibration(),
                o.schemes(),
                o.machine(),
                o.check(),
                o.dump(),
                o.progress())));
  }

  private static ImportedStudyResult tflite(NetworkSource.Tflite t, Options o)
      throws AnalysisException {
    TfliteSource source = t.source();
    SimulatedNetwork compiled;
    try {
      compiled = SimulatedNetwork.compile(source.int8(), o.machine());
    } catch (ModelFormatException e) {
      throw new AnalysisException(e.getMessage());
    }
    List<ModelInput> inputs = t.evaluation();
    List<ModelInput> calibration = t.calibration().isEmpty() ? inputs : t.calibration();
    // npusim's own schemes need a float original to quantize.
    List<QuantScheme> schemes = source.floatOriginal() ? o.schemes() : List.of();
    int operators = source.int8().operators().size();
    o.progress().total((long) inputs.size() * operators * (1 + schemes.size()));
    ClassifierHead head = new ClassifierHead(source.reference().last().name());
    try (var pool = new StudyPool()) {
      TfliteFloatStage floatStage = new TfliteFloatStage(source);
      TfliteFloatStage.Result floats = floatStage.run(pool, inputs);
      TfliteSimulateStage.Result simulated =
          TfliteSimulateStage.run(source, compiled, o, head, inputs, floatStage, floats);
      List<ImportedStudyResult.Layer> layers =
          TfliteAggregateStage.layers(source, compiled, simulated);
      List<ImportedStudyResult.Pipeline> pipelines = new ArrayList<>();
      pipelines.add(TfliteAggregateStage.converterPipeline(head, layers, simulated));
      List<String> operatorLayers = layers.stream().map(ImportedStudyResult.Layer::name).toList();
      for (QuantScheme scheme : schemes) {
        pipelines.add(
            TfliteSchemeStage.run(
                source, scheme, operatorLayers, inputs, calibration, floats, head, o));
      }
      return TfliteAggregateStage.result(source, o, inputs, t.calibration(), layers, pipelines);
    }
  }
}
