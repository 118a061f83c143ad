package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.analysis.imported.ImportedStudyResult;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.SchemePipeline;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.simulator.Machine;
import java.util.ArrayList;
import java.util.List;

/**
 * Stages 2 and 3 for npusim's own schemes on an imported float original: each scheme quantized
 * (calibrated on the calibration inputs) and compiled ({@link SchemePipeline}), then run on the
 * simulator on every evaluation input and scored against the float original, per layer and through
 * the classifier head; optionally checked against the integer reference and the first input's
 * layers dumped.
 */
final class TfliteSchemeStage {
  private TfliteSchemeStage() {}

  /**
   * @param operatorLayers the layers whose cumulative SQNR to report, in the study's order
   */
  static ImportedStudyResult.Pipeline run(
      TfliteSource source,
      QuantScheme scheme,
      List<String> operatorLayers,
      List<ModelInput> inputs,
      List<ModelInput> calibration,
      TfliteFloatStage.Result floats,
      ClassifierHead head,
      Study.Options o)
      throws AnalysisException {
    FloatGraph original = source.reference();
    SchemePipeline p = SchemePipeline.quantize(original, scheme, calibration, o.machine());
    LayerRunner runner = new LayerRunner(new Machine(o.machine()));
    long overflows = 0;
    List<Sqnr> perLayer = new ArrayList<>();
    for (int i = 0; i < operatorLayers.size(); i++) {
      perLayer.add(new Sqnr());
    }
    List<ClassifierHead.Classified> outputs = new ArrayList<>();
    for (int n = 0; n < inputs.size(); n++) {
      SchemePipeline.Run r = p.run(inputs.get(n).values(), runner, o.check());
      overflows += r.overflows();
      var references = floats.references().get(n);
      for (int l = 0; l < operatorLayers.size(); l++) {
        String name = operatorLayers.get(l);
        QuantParams q = p.params(name);
        int[] v = r.values().get(name);
        FloatTensor ref = references.get(name);
        for (int i = 0; i < v.length; i++) {
          perLayer.get(l).add(ref.get(i), q.dequantize(v[i]));
        }
      }
      double[] out = r.dequantized(p, p.graph().last().name());
      double[] reference = references.get(original.last().name()).toArray();
      outputs.add(head.classify(inputs.get(n).name(), reference, out));
      if (n == 0 && o.dump() != null) {
        for (FloatLayer f : p.graph().layers()) {
          double[] d = r.dequantized(p, f.name());
          o.dump()
              .write(
                  scheme.cliName() + "/" + f.name() + ".npy",
                  FloatTensor.adopt(f.outputShape(), d));
        }
      }
      o.progress().advance(operatorLayers.size(), scheme.cliName());
    }
    ClassifierHead.Agreement total = head.total(outputs);
    return new ImportedStudyResult.Pipeline(
        scheme.cliName() + " (npusim)",
        scheme.description() + "; last layer " + p.graph().last().name(),
        total.agreeing(),
        total.inputs(),
        total.outputSqnrDb(),
        perLayer.stream().map(Sqnr::db).toList(),
        overflows,
        p.biasClamps());
  }
}
