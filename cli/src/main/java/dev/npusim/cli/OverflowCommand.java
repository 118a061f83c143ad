package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.overflow.AccumulatorWidth;
import dev.npusim.analysis.overflow.AccumulatorWidthException;
import dev.npusim.analysis.overflow.OverflowAnalysis;
import dev.npusim.analysis.overflow.OverflowInputs;
import dev.npusim.analysis.overflow.OverflowReport;
import dev.npusim.analysis.study.AnalysisResult;
import dev.npusim.analysis.study.Analyzer;
import dev.npusim.cli.analysis.ProgressBar;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.RawPixelInput;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code npusim overflow}: accumulator width you can prove (analysis/.../overflow). */
@Command(
    name = "overflow",
    mixinStandardHelpOptions = true,
    description = {
      "The exact accumulator range of every output channel over every possible input",
      "(zero points and bias included), the narrowest width that cannot overflow, the",
      "width observed on real inputs (--images) and the headroom between them.",
      "CASE is a case file (.json); MODEL is 'ssd' (the vendored SSD-MobileNetV1, the",
      "default) or an int8 .tflite (its CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED",
      "operators)."
    })
final class OverflowCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "CASE|MODEL",
      description = "A case (.json), 'ssd' or a .tflite (default: ssd).")
  String target;

  @Option(
      names = "--model",
      paramLabel = "ssd|FILE.tflite",
      description = "The model, instead of the positional argument.")
  String model;

  @Option(
      names = "--acc-bits",
      paramLabel = "N",
      description = "Also show each layer's margin at an N-bit accumulator (8..64).")
  Integer accBits;

  @Option(
      names = "--witness",
      description =
          "Build each layer's witness input and run it on the simulator one bit too narrow, in"
              + " wrap and in saturate mode (three simulations of the layer per layer).")
  boolean witness;

  @Option(
      names = "--channels",
      description = "For a model, list every output channel's range too (always for a case).")
  boolean channels;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Write {\"layers\": [{name, min_safe_bits, observed_bits, channels}]}.")
  Path json;

  @Option(
      names = "--schemes",
      split = ",",
      defaultValue = "tf8,tf8-dw-per-channel,int8-per-channel",
      description = "SSD: quantization schemes (default: ${DEFAULT-VALUE}).")
  List<String> schemes;

  @Option(
      names = "--calib",
      paramLabel = "FILE|DIR",
      split = ",",
      description =
          "SSD: calibration images (default: the vendored sample1.jpg, sample2.jpg, as analyze).")
  List<Path> calib;

  @Option(
      names = "--images",
      paramLabel = "FILE|DIR",
      split = ",",
      description =
          "Observe the widths real inputs need: SSD, photos run through the study (analyze);"
              + " .tflite, 8-bit grayscale images fed as raw int8 bytes (person.bmp).")
  List<Path> images;

  @Mixin MachineOption machine;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** One table: a case, a model, or the SSD under one scheme. */
  private record Group(String title, String scheme, List<OverflowAnalysis.LayerInput> layers) {}

  @Override
  public Integer call() throws UserError {
    OptionalInt bits = accBits == null ? OptionalInt.empty() : OptionalInt.of(accBits);
    if (accBits != null) {
      try {
        AccumulatorWidth.of(accBits);
      } catch (AccumulatorWidthException e) {
        throw new UserError("--" + e.getMessage());
      }
    }
    if (target != null && model != null) {
      throw new UserError("give the model once: as an argument or with --model, not both");
    }
    String what = target != null ? target : model != null ? model : "ssd";
    MachineConfig config = machine.load();
    List<Group> groups;
    boolean perChannel = channels;
    try {
      if (what.endsWith(".json")) {
        GoldenCase c = CaseFiles.load(Path.of(what));
        if (images != null) {
          throw new UserError("--images is for a model; a case has its own input");
        }
        groups =
            List.of(
                new Group(
                    "case " + what,
                    null,
                    List.of(OverflowAnalysis.LayerInput.of(c.name(), c.layer()))));
        perChannel = true;
      } else if (what.endsWith(".tflite")) {
        groups = List.of(tflite(Path.of(what), config));
      } else if (what.equals("ssd")) {
        groups = ssd(config);
      } else {
        throw new UserError(what + ": expected a case (.json), 'ssd' or a TFLite model (.tflite)");
      }
    } catch (InputFileException e) {
      throw new UserError(e.getMessage());
    } catch (AnalysisException e) {
      throw new UserError(e.getMessage());
    } catch (SimulationFault e) {
      throw new IllegalStateException("a compiled layer faulted: " + e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    List<OverflowReport> reports = new ArrayList<>();
    List<String> schemeNames = new ArrayList<>();
    for (Group g : groups) {
      OverflowReport r;
      try {
        r = OverflowAnalysis.analyze(g.layers(), bits, witness, config);
      } catch (AccumulatorWidthException e) {
        throw new UserError("--" + e.getMessage());
      } catch (SimulationFault e) {
        throw new IllegalStateException("a witness run faulted: " + e.getMessage(), e);
      }
      reports.add(r);
      schemeNames.add(g.scheme());
      out.print(OverflowText.render(g.title(), r, perChannel, config));
    }
    if (json != null) {
      AtomicFiles.write(json, OverflowText.json(schemeNames, reports));
      out.println("wrote " + json);
    }
    return 0;
  }

  private Group tflite(Path file, MachineConfig config)
      throws UserError, AnalysisException, SimulationFault, InputFileException {
    TfliteModel m;
    try {
      m = TfliteReader.read(file);
    } catch (NoSuchFileException e) {
      throw new UserError(file + ": no such file");
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + e.getMessage());
    } catch (ModelFormatException e) {
      throw new UserError(e.getMessage());
    }
    if (calib != null
        || !schemes.equals(List.of("tf8", "tf8-dw-per-channel", "int8-per-channel"))) {
      throw new UserError("--schemes and --calib are for the SSD; a .tflite is quantized already");
    }
    List<int[]> inputs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Path p : images == null ? List.<Path>of() : images) {
      if (!Files.isRegularFile(p)) {
        throw new UserError("--images " + p + ": no such file");
      }
      try {
        inputs.add(RawPixelInput.of(p, m.input()));
      } catch (ModelFormatException e) {
        throw new UserError(e.getMessage());
      }
      names.add(p.getFileName().toString());
    }
    List<OverflowAnalysis.LayerInput> layers;
    try {
      layers = OverflowInputs.tflite(m, inputs, config);
    } catch (ModelFormatException e) {
      throw new UserError(e.getMessage());
    }
    return new Group(
        m.file()
            + (names.isEmpty() ? "" : "; observed on " + String.join(", ", names) + " (raw bytes)"),
        null,
        layers);
  }

  private List<Group> ssd(MachineConfig config)
      throws UserError, InputFileException, AnalysisException {
    List<QuantScheme> list = new ArrayList<>();
    for (String s : schemes) {
      QuantScheme q = QuantScheme.fromCliName(s.trim());
      if (q == null) {
        throw new UserError("--schemes: unknown scheme '" + s + "'");
      }
      if (!list.contains(q)) {
        list.add(q);
      }
    }
    SsdMobilenetV1 m = Models.ssd(null);
    List<ImageFile> cal =
        calib == null
            ? List.of(ImageFile.bundled("sample1.jpg"), ImageFile.bundled("sample2.jpg"))
            : ImageFile.fromPaths(calib);
    if (cal.isEmpty()) {
      throw new UserError("--calib: no images found");
    }
    Map<QuantScheme, List<OverflowAnalysis.LayerInput>> layers = OverflowInputs.ssd(m, list, cal);
    AnalysisResult study = null;
    String observedOn = "";
    if (images != null) {
      List<ImageFile> eval = ImageFile.fromPaths(images);
      if (eval.isEmpty()) {
        throw new UserError("--images: no images found");
      }
      try (ProgressBar progress = new ProgressBar(System.err)) {
        study =
            Analyzer.run(
                new Analyzer.Options(
                    m,
                    "SSD-MobileNetV1 (face-api.js weights, vendored)",
                    eval,
                    cal,
                    list,
                    config,
                    false,
                    null,
                    progress));
      }
      observedOn =
          "; observed by the study on "
              + String.join(", ", eval.stream().map(OverflowCommand::fileName).toList());
    }
    String calibratedOn = String.join(", ", cal.stream().map(OverflowCommand::fileName).toList());
    Map<QuantScheme, Group> groups = new LinkedHashMap<>();
    for (QuantScheme s : list) {
      List<OverflowAnalysis.LayerInput> l = layers.get(s);
      if (study != null) {
        l = OverflowInputs.withObserved(l, study, s);
      }
      groups.put(
          s,
          new Group(
              "SSD-MobileNetV1 (vendored) under "
                  + s.cliName()
                  + ", calibrated on "
                  + calibratedOn
                  + observedOn,
              s.cliName(),
              l));
    }
    return List.copyOf(groups.values());
  }

  /** "sample1.jpg" for "classpath:/images/sample1.jpg" or "photos/sample1.jpg". */
  private static String fileName(ImageFile f) {
    return f.name().substring(f.name().lastIndexOf('/') + 1);
  }
}
