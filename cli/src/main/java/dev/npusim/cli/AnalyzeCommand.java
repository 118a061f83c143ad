package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.study.AnalysisResult;
import dev.npusim.analysis.study.Analyzer;
import dev.npusim.cli.analysis.HtmlReport;
import dev.npusim.cli.analysis.JsonReport;
import dev.npusim.cli.analysis.ProgressBar;
import dev.npusim.cli.analysis.TerminalReport;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = {
      "Per-layer analysis of 8-bit error on the real SSD-MobileNetV1 (Sheng et al. 2018):",
      "every quantized pipeline runs on the simulator, instruction by instruction, and is",
      "compared with its float pipeline layer by layer and end to end.",
      "Schemes: tf8, tf8-dw-per-channel, int8-per-channel, tf8-cle, tf8-relu, tf8-relu-cle.",
      "With --model X.tflite: the same study on an imported int8 TFLite network (see",
      "--float, --inputs, --random); npusim's schemes then quantize the float original."
    })
final class AnalyzeCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      paramLabel = "DIR|FILE",
      description =
          "Model folder (default: the vendored SSD-MobileNetV1), or an int8 .tflite file.")
  Path model;

  @Option(
      names = "--float",
      paramLabel = "FILE",
      description =
          "With a .tflite model: its float32 original, paired by graph position (default: the"
              + " int8 model's dequantized weights serve as the float reference).")
  Path floatModel;

  @Option(
      names = "--inputs",
      paramLabel = "FILE",
      split = ",",
      description =
          "With a .tflite model: evaluation inputs, images (BMP, PNG, JPEG) or .raw int8 tensors"
              + " (default: the vendored sample photos for image models, else 8 random inputs).")
  List<Path> inputs;

  @Option(
      names = "--random",
      paramLabel = "N",
      description = "With a .tflite model: evaluate on N seeded random inputs.")
  Integer random;

  @Option(
      names = "--images",
      paramLabel = "FILE|DIR",
      split = ",",
      description =
          "Images to evaluate (files or folders; default: the vendored sample1.jpg, sample2.jpg).")
  List<Path> images;

  @Option(names = "--all-samples", description = "Evaluate on all six vendored sample images.")
  boolean allSamples;

  @Option(
      names = "--calib",
      paramLabel = "FILE|DIR",
      split = ",",
      description = "Calibration images (default: the evaluation images).")
  List<Path> calib;

  @Option(
      names = "--variants",
      split = ",",
      defaultValue = "tf8,tf8-dw-per-channel,int8-per-channel",
      description = "Schemes to compare (default: ${DEFAULT-VALUE}; 'all' for every scheme).")
  List<String> variants;

  @picocli.CommandLine.Mixin MachineOption machine;

  @Option(
      names = "--check",
      description = "Check every simulated layer against the integer reference.")
  boolean check;

  @Option(
      names = "--details",
      description = "Print the error-attribution table of every scheme, not only the first.")
  boolean details;

  @Option(names = "--json", paramLabel = "FILE", description = "Write every figure as JSON.")
  Path json;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Write a self-contained HTML report with SVG charts.")
  Path html;

  @Option(
      names = "--dump",
      paramLabel = "DIR",
      description =
          "Write .npy tensors of the first image: input, float/ and one folder per scheme.")
  Path dump;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError, AnalysisException {
    List<QuantScheme> schemes = new ArrayList<>();
    for (String v : variants) {
      if (v.equals("all")) {
        schemes.clear();
        schemes.addAll(List.of(QuantScheme.values()));
        break;
      }
      QuantScheme s = QuantScheme.fromCliName(v.trim());
      if (s == null) {
        List<String> names = new ArrayList<>();
        for (QuantScheme q : QuantScheme.values()) {
          names.add(q.cliName());
        }
        throw new UserError(
            "--variants: unknown scheme '" + v + "' (known: " + String.join(", ", names) + ")");
      }
      if (!schemes.contains(s)) {
        schemes.add(s);
      }
    }
    if (model != null && Models.isTflite(model.toString())) {
      if (html != null || dump != null || check || calib != null || allSamples) {
        throw new UserError(
            "--html, --dump, --check, --calib and --all-samples are for the SSD model; with a"
                + " .tflite model use --float, --inputs, --random, --variants and --json");
      }
      return ImportedAnalysis.run(
          model,
          floatModel,
          inputs != null ? inputs : images,
          random,
          schemes,
          machine.load(),
          json,
          spec.commandLine().getOut());
    }
    if (floatModel != null || inputs != null || random != null) {
      throw new UserError("--float, --inputs and --random need --model X.tflite");
    }
    try {
      SsdMobilenetV1 m = Models.ssd(model);
      List<ImageFile> eval;
      if (images != null) {
        eval = ImageFile.fromPaths(images);
      } else if (allSamples) {
        eval = ImageFile.bundledSamples();
      } else {
        eval = List.of(ImageFile.bundled("sample1.jpg"), ImageFile.bundled("sample2.jpg"));
      }
      if (eval.isEmpty()) {
        throw new UserError("--images: no images found");
      }
      List<ImageFile> cal = calib == null ? eval : ImageFile.fromPaths(calib);
      if (cal.isEmpty()) {
        throw new UserError("--calib: no images found");
      }
      AnalysisResult r;
      try (ProgressBar progress = new ProgressBar(System.err)) {
        r =
            Analyzer.run(
                new Analyzer.Options(
                    m,
                    model == null
                        ? "SSD-MobileNetV1 (face-api.js weights, vendored)"
                        : model.toString(),
                    eval,
                    cal,
                    schemes,
                    machine.load(),
                    check,
                    dump == null ? null : new NpyDump(dump),
                    progress));
      }
      spec.commandLine().getOut().print(TerminalReport.render(r, details));
      if (json != null) {
        AtomicFiles.write(json, JsonReport.render(r));
      }
      if (html != null) {
        AtomicFiles.write(html, HtmlReport.render(r));
      }
      return 0;
    } catch (InputFileException e) {
      throw new UserError(e.getMessage());
    }
  }
}
