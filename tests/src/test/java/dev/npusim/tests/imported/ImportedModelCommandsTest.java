package dev.npusim.tests.imported;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.cli.Main;
import dev.npusim.models.tflite.BuiltinOperator;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.models.tflite.TfliteTensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code analyze --model} and {@code estimate --model} on the four int8 networks, from main. */
class ImportedModelCommandsTest {
  @TempDir Path dir;

  record Cli(int code, String out, String err) {}

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(args, o, e);
    }
    return new Cli(code, out.toString(), err.toString());
  }

  Path copy(String file) throws IOException {
    Path p = dir.resolve(file);
    try (InputStream in = getClass().getResourceAsStream("/models/tflite/" + file)) {
      Files.write(p, in.readAllBytes());
    }
    return p;
  }

  /**
   * The MACs of the model's convolutions and fully-connected layers, from the file's own tensor
   * shapes: output elements times taps times input channels (one input channel per output for a
   * depthwise filter).
   */
  static long macsFromTheFile(TfliteModel m) {
    long macs = 0;
    for (TfliteOperator op : m.operators()) {
      TfliteTensor out = m.tensor(op.output());
      TfliteTensor w = op.inputs().length() > 1 ? m.tensor(op.input(1)) : null;
      if (op.op() == BuiltinOperator.CONV_2D) {
        macs += out.elements() * w.dim(1) * w.dim(2) * w.dim(3);
      } else if (op.op() == BuiltinOperator.DEPTHWISE_CONV_2D) {
        macs += out.elements() * w.dim(1) * w.dim(2);
      } else if (op.op() == BuiltinOperator.FULLY_CONNECTED) {
        macs += out.elements() * w.dim(1);
      }
    }
    return macs;
  }

  @ParameterizedTest
  @CsvSource({
    "person_detect.tflite, 029_reshape, 030_softmax",
    "vww_96_int8.tflite, 028_reshape, 030_softmax",
    "kws_ref_model.tflite, 010_reshape, 012_softmax",
    "pretrainedResnet_quant.tflite, 013_reshape, 015_softmax"
  })
  void estimateCostsNpuOperatorsAndListsHostWork(String file, String reshape, String softmax)
      throws IOException {
    Path model = copy(file);
    Path json = dir.resolve("cost.json");
    Cli c =
        run("estimate", "--model", model.toString(), "--threads", "2", "--json", json.toString());
    assertEquals(0, c.code(), c.err());
    assertTrue(
        c.out()
            .contains(
                "host work, not NPU cycles: " + reshape + " (reshape), " + softmax + " (softmax)"),
        c.out());
    TfliteModel m = TfliteReader.read(file, Files.readAllBytes(model));
    JsonNode cost = new ObjectMapper().readTree(json.toFile());
    long macs = 0;
    List<String> names = new ArrayList<>();
    for (JsonNode layer : cost.get("layers")) {
      macs += layer.get("macs").asLong();
      names.add(layer.get("name").asText());
      assertTrue(layer.get("cycles").asLong() > 0, layer.toString());
    }
    assertEquals(macsFromTheFile(m), macs, file);
    // Every operator but the two host ones is costed, in the model's order.
    assertEquals(m.operators().size() - 2, names.size());
    assertTrue(!names.contains(reshape) && !names.contains(softmax));
  }

  @ParameterizedTest
  @CsvSource({
    "person_detect.tflite, ''",
    "vww_96_int8.tflite, vww_96_float.tflite",
    "kws_ref_model.tflite, kws_ref_model_float32.tflite",
    "pretrainedResnet_quant.tflite, pretrainedResnet.tflite"
  })
  void analyzeStudiesEveryOperator(String file, String floatFile) throws IOException {
    Path model = copy(file);
    Path json = dir.resolve("study.json");
    List<String> args =
        new ArrayList<>(
            List.of(
                "analyze",
                "--model",
                model.toString(),
                "--random",
                "1",
                "--variants",
                "int8-per-channel",
                "--json",
                json.toString()));
    if (!floatFile.isEmpty()) {
      args.add("--float");
      args.add(copy(floatFile).toString());
    }
    Cli c = run(args.toArray(String[]::new));
    assertEquals(0, c.code(), c.err());
    TfliteModel m = TfliteReader.read(file, Files.readAllBytes(model));
    JsonNode study = new ObjectMapper().readTree(json.toFile());
    assertEquals(m.operators().size(), study.get("layers").size());
    for (TfliteOperator op : m.operators()) {
      String name = String.format(Locale.ROOT, "%03d_%s", op.index(), op.op().lowerName());
      assertTrue(c.out().contains("\n" + name + " "), name + " missing from\n" + c.out());
      JsonNode layer = study.get("layers").get(op.index());
      assertEquals(name, layer.get("name").asText());
      boolean host = op.op() == BuiltinOperator.SOFTMAX || op.op() == BuiltinOperator.RESHAPE;
      assertEquals(host, layer.get("host").asBoolean(), name);
    }
    // The TFLite model, plus npusim's scheme when there is a float original to quantize.
    assertEquals(floatFile.isEmpty() ? 1 : 2, study.get("pipelines").size());
  }

  @org.junit.jupiter.api.Test
  void badInputsGetOneLocatedMessage() throws IOException {
    Path model = copy("kws_ref_model.tflite");
    Path raw = dir.resolve("short.raw");
    Files.write(raw, new byte[10]);
    Cli c = run("analyze", "--model", model.toString(), "--inputs", raw.toString());
    assertTrue(c.code() != 0, c.out());
    assertTrue(c.err().contains("short.raw: 10 bytes, but the input"), c.err());
    assertTrue(!c.err().contains("Exception"), c.err());
    Cli f = run("estimate", "--model", copy("vww_96_float.tflite").toString(), "--threads", "1");
    assertTrue(f.code() != 0 && f.err().contains("int8 model is needed"), f.err());
  }
}
