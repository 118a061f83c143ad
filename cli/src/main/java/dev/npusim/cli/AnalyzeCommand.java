package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.ModelInputs;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.analysis.study.AnalysisResult;
import dev.npusim.analysis.study.NetworkSource;
import dev.npusim.analysis.study.Study;
import dev.npusim.analysis.study.StudyResult;
import dev.npusim.cli.analysis.HtmlReport;
import dev.npusim.cli.analysis.ImportedReport;
import dev.npusim.cli.analysis.JsonReport;
import dev.npusim.cli.analysis.ProgressBar;
import dev.npusim.cli.analysis.TerminalReport;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.models.tflite.TfliteModel;
import java.io.PrintWriter;
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
      "--float, --inputs, --random); npusim's schemes then quantize the float original.",
      "--check, --dump, --html, --json, --calib and --all-samples work on both."
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

  @Option(
      names = "--all-samples",
      description =
          "Evaluate on all six vendored sample images (with a .tflite image model, also"
              + " person.bmp and no_person.bmp).")
  boolean allSamples;

  @Option(
      names = "--calib",
      paramLabel = "FILE|DIR",
      split = ",",
      description =
          "Calibration images (default: the evaluation images); with a .tflite model and"
              + " --float, the inputs npusim's schemes calibrate on (images or .raw).")
  List<Path> calib;

  @Option(
      names = "--variants",
      split = ",",
      defaultValue = "tf8,tf8-dw-per-channel,int8-per-channel",
      description = "Schemes to compare (default: ${DEFAULT-VALUE}; 'all' for every scheme).")
  List<String> variants;

  @picocli.CommandLine.Mixin MachineOption machine;

  @picocli.CommandLine.Mixin EngineOption engine;

  @Option(
      names = "--check",
      description =
          "Check every simulated layer against the integer reference, bit for bit (exit 1 on a"
              + " difference).")
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
          "Write .npy tensors of the first image: input, float/ and one folder per scheme"
              + " (with a .tflite model, tflite-int8/NNN_OPNAME.npy as run-model --dump).")
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
    engine.apply();
    NetworkSource network =
        model != null && Models.isTflite(model.toString()) ? tfliteSource() : ssdSource();
    StudyResult result;
    long start = System.nanoTime();
    HeapPeak heap = new HeapPeak();
    try (heap;
        ProgressBar progress = new ProgressBar(System.err)) {
      result =
          Study.run(
              new Study.Options(
                  network,
                  schemes,
                  machine.load(),
                  check,
                  dump == null ? null : new NpyDump(dump),
                  progress));
    }
    // The summary goes to stderr, under the progress bar: the reports stay reproducible.
    System.err.printf(
        "npusim analyze: %.1f s, peak heap %d MB of %d MB%n",
        (System.nanoTime() - start) / 1e9, heap.peak() >> 20, HeapPeak.max() >> 20);
    PrintWriter out = spec.commandLine().getOut();
    if (result instanceof StudyResult.Tflite t) {
      out.print(ImportedReport.text(t.result()));
      if (json != null) {
        AtomicFiles.write(json, ImportedReport.json(t.result()));
        out.println("wrote " + json);
      }
      if (html != null) {
        AtomicFiles.write(html, ImportedReport.html(t.result()));
        out.println("wrote " + html);
      }
      if (dump != null) {
        out.println("wrote the first input's tensors to " + dump);
      }
      return 0;
    }
    AnalysisResult r = ((StudyResult.Ssd) result).result();
    out.print(TerminalReport.render(r, details));
    if (json != null) {
      AtomicFiles.write(json, JsonReport.render(r));
    }
    if (html != null) {
      AtomicFiles.write(html, HtmlReport.render(r));
    }
    return 0;
  }

  /** The vendored face detector (or a model folder) on photos. */
  private NetworkSource ssdSource() throws UserError {
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
      return new NetworkSource.Ssd(
          m,
          model == null ? "SSD-MobileNetV1 (face-api.js weights, vendored)" : model.toString(),
          eval,
          cal);
    } catch (InputFileException e) {
      throw new UserError(e.getMessage());
    }
  }

  /**
   * An imported int8 network and its float original, if any, on its inputs: {@code --inputs} (or
   * {@code --images}), else {@code --random N}, else {@code --all-samples}, else the defaults.
   */
  private NetworkSource tfliteSource() throws UserError, AnalysisException {
    TfliteModel int8 = Models.tflite(model);
    TfliteModel original = floatModel == null ? null : Models.tflite(floatModel);
    TfliteSource source = TfliteSource.of(int8, original);
    List<Path> files = inputs != null ? inputs : images;
    List<ModelInput> eval;
    if (files != null) {
      eval = ModelInputs.files(int8, files);
    } else if (random != null) {
      if (random < 1) {
        throw new UserError("--random: must be at least 1, got " + random);
      }
      eval = ModelInputs.random(int8, random, 1);
    } else if (allSamples) {
      eval = ModelInputs.allSamples(int8);
    } else {
      eval = ModelInputs.defaults(int8);
    }
    if (eval.isEmpty()) {
      throw new UserError("--inputs: no inputs given");
    }
    List<ModelInput> cal = List.of();
    if (calib != null) {
      if (original == null) {
        throw new UserError(
            "--calib: calibration inputs are for npusim's schemes, which quantize the float"
                + " original: give --float FILE");
      }
      cal = ModelInputs.files(int8, calib);
      if (cal.isEmpty()) {
        throw new UserError("--calib: no inputs given");
      }
    }
    return new NetworkSource.Tflite(source, eval, cal);
  }
}
