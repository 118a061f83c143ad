package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.imported.ImportedStudy;
import dev.npusim.analysis.imported.ImportedStudyResult;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.ModelInputs;
import dev.npusim.cli.analysis.ImportedReport;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.simulator.MachineConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code analyze --model X.tflite}: the study on an imported network, rendered. */
final class ImportedAnalysis {
  private ImportedAnalysis() {}

  static int run(
      Path model,
      Path floatModel,
      List<Path> inputFiles,
      Integer random,
      List<QuantScheme> schemes,
      MachineConfig machine,
      Path json,
      PrintWriter out)
      throws UserError, AnalysisException {
    TfliteModel int8 = Models.tflite(model);
    TfliteModel original = floatModel == null ? null : Models.tflite(floatModel);
    List<ModelInput> inputs;
    if (inputFiles != null) {
      inputs = ModelInputs.files(int8, inputFiles);
    } else if (random != null) {
      if (random < 1) {
        throw new UserError("--random: must be at least 1, got " + random);
      }
      inputs = ModelInputs.random(int8, random, 1);
    } else {
      inputs = ModelInputs.defaults(int8);
    }
    // npusim's own schemes need a float original to quantize.
    List<QuantScheme> own = original == null ? List.of() : schemes;
    ImportedStudyResult r = ImportedStudy.run(int8, original, inputs, machine, own);
    out.print(ImportedReport.text(r));
    if (json != null) {
      AtomicFiles.write(json, ImportedReport.json(r));
      out.println("wrote " + json);
    }
    return 0;
  }
}
