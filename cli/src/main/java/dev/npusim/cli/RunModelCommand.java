package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.cli.analysis.Npy;
import dev.npusim.cli.network.NetworkRunReport;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.models.tensor.InputTensorReader;
import dev.npusim.models.tensor.InputTensorReader.PixelMapping;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TensorType;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.models.tflite.TfliteTensor;
import dev.npusim.models.tflite.VendoredFiles;
import dev.npusim.simulator.MachineConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "run-model",
    mixinStandardHelpOptions = true,
    description = {
      "Run an int8 .tflite network on the simulator, operator by operator, and",
      "print its outputs and per-layer counters. CONV_2D, DEPTHWISE_CONV_2D,",
      "FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D and ADD run on the NPU",
      "instruction by instruction; RESHAPE and SQUEEZE are layout no-ops; SOFTMAX",
      "runs on the host (integer reference), with no NPU cycles. MODEL and FILE",
      "may be the bare name of a vendored file: person_detect.tflite,",
      "vww_96_int8.tflite, kws_ref_model.tflite, pretrainedResnet_quant.tflite,",
      "person.bmp, no_person.bmp."
    })
final class RunModelCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "An int8 .tflite model.")
  String model;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description =
          "The input tensor: .raw (its int8 bytes), .npy (int8, or float32 quantized with the"
              + " input's scale and zero point) or an image (.bmp, .png, .jpg) of the input's"
              + " exact size.")
  String input;

  @Option(
      names = "--pixels",
      paramLabel = "RULE",
      defaultValue = "full-range",
      description =
          "How an image's pixel p (0..255) becomes int8: full-range (p - 128: the input's whole"
              + " quantized range), unit (p/255 quantized with the input's scale and zero point),"
              + " bytes (the byte as int8, TFLite Micro's person example). Default:"
              + " ${DEFAULT-VALUE}.")
  String pixels;

  @picocli.CommandLine.Mixin MachineOption machine;

  @Option(
      names = "--check",
      description =
          "Compare every operator's output with the integer reference, bit for bit (exit 1 on"
              + " a difference).")
  boolean check;

  @Option(names = "--json", paramLabel = "FILE", description = "Write outputs and layers as JSON.")
  Path json;

  @Option(
      names = "--dump",
      paramLabel = "DIR",
      description = "Write every operator's output tensor as DIR/NNN_OPNAME.npy.")
  Path dump;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError, AnalysisException, InputFileException {
    PixelMapping mapping = pixelMapping(pixels);
    MachineConfig config = machine.load();
    Source modelFile = source(model, "MODEL");
    try {
      TfliteModel m = TfliteReader.read(modelFile.name(), modelFile.bytes());
      SimulatedNetwork network = SimulatedNetwork.compile(m, config);
      Source inputFile = inputSource();
      int[] values =
          inputFile.path() != null
              ? InputTensorReader.read(inputFile.path(), m.input(), mapping)
              : InputTensorReader.read(inputFile.name(), inputFile.bytes(), m.input(), mapping);
      SimulatedNetwork.NetworkRun run = network.run(values);
      List<SimulatedNetwork.Mismatch> mismatches = check ? network.check(run) : List.of();
      NetworkRunReport.Header header =
          new NetworkRunReport.Header(
              modelFile.label(), inputFile.label(), isImage(input) ? mapping.cliName() : null);
      PrintWriter out = spec.commandLine().getOut();
      out.print(NetworkRunReport.text(header, network, run, check ? mismatches : null));
      if (json != null) {
        AtomicFiles.write(
            json, NetworkRunReport.json(header, network, run, check ? mismatches : null));
        out.println("wrote " + json);
      }
      if (dump != null) {
        int files = dump(m, run);
        out.println("wrote " + files + " tensors to " + dump);
      }
      out.flush();
      if (!mismatches.isEmpty()) {
        throw new UserError(
            modelFile.name()
                + ": --check: "
                + mismatches.size()
                + " operator(s) differ from the integer reference; first: "
                + mismatches.get(0));
      }
      return 0;
    } catch (ModelFormatException e) {
      throw new UserError(e.getMessage());
    }
  }

  /** Where MODEL or FILE came from: a path, or a vendored file's bytes. */
  private record Source(String name, Path path, byte[] bytes, boolean vendored) {
    String label() {
      return name + (vendored ? " (vendored)" : "");
    }
  }

  private static Source source(String argument, String what) throws UserError {
    Path path = Path.of(argument);
    if (Files.exists(path) || argument.contains("/") || argument.contains("\\")) {
      try {
        // The bounded input layer: regular files only, under the input size limit.
        return new Source(argument, path, InputFiles.readAllBytes(path), false);
      } catch (InputFileException e) {
        throw new UserError(e.getMessage());
      }
    }
    Optional<byte[]> vendored = VendoredFiles.read(argument);
    if (vendored.isEmpty()) {
      throw new UserError(
          argument
              + ": no such file (and not a vendored "
              + what
              + ": "
              + String.join(", ", VendoredFiles.NAMES)
              + ")");
    }
    return new Source(argument, null, vendored.get(), true);
  }

  private Source inputSource() throws UserError {
    Path path = Path.of(input);
    if (Files.exists(path) || !VendoredFiles.NAMES.contains(input)) {
      // The reader checks the size before reading and names what is wrong.
      return new Source(input, path, null, false);
    }
    return source(input, "FILE");
  }

  private static boolean isImage(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".bmp") || n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
  }

  private static PixelMapping pixelMapping(String name) throws UserError {
    for (PixelMapping p : PixelMapping.values()) {
      if (p.cliName().equals(name)) {
        return p;
      }
    }
    throw new UserError("--pixels " + name + ": expected full-range, unit or bytes");
  }

  /** Writes every operator's output as {@code NNN_opname.npy}, in the model's type and shape. */
  private int dump(TfliteModel m, SimulatedNetwork.NetworkRun run) throws UserError {
    for (TfliteOperator op : m.operators()) {
      TfliteTensor t = m.tensor(op.output());
      int[] shape = t.shape().toArray();
      int[] values = run.tensors().tensor(op.output());
      byte[] file =
          t.type() == TensorType.INT32 ? Npy.int32(shape, values) : Npy.int8(shape, values);
      String name = String.format(Locale.ROOT, "%03d_%s.npy", op.index(), op.op().lowerName());
      AtomicFiles.write(dump.resolve(name), file);
    }
    return m.operators().size();
  }
}
