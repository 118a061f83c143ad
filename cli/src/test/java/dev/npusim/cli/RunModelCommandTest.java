package dev.npusim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.cli.analysis.Npy;
import dev.npusim.models.tensor.InputTensorReader;
import dev.npusim.models.tensor.NpyArray;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.models.tflite.VendoredFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code npusim run-model} end to end: the printed outputs, the JSON and the dumped tensors equal
 * the golden integer reference network's run on the same input (TFLite itself checks that network
 * and the simulator in the tests module), and each bad input gets one located line and exit 1.
 */
class RunModelCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  static TfliteModel person() {
    return TfliteReader.read(
        "person_detect.tflite", VendoredFiles.read("person_detect.tflite").orElseThrow());
  }

  static ReferenceNetwork.Activations referenceOn(String image) throws Exception {
    TfliteModel m = person();
    int[] x =
        InputTensorReader.read(
            image,
            VendoredFiles.read(image).orElseThrow(),
            m.input(),
            InputTensorReader.PixelMapping.BYTES);
    return ReferenceNetwork.of(m).run(x);
  }

  @Test
  void personExampleWithCheckJsonAndDump() throws Exception {
    Path json = dir.resolve("run.json");
    Path dump = dir.resolve("dump");
    Result r =
        run(
            "run-model",
            "person_detect.tflite",
            "--input",
            "person.bmp",
            "--pixels",
            "bytes",
            "--check",
            "--json",
            json.toString(),
            "--dump",
            dump.toString());
    assertEquals(0, r.code(), r.err());
    TfliteModel m = person();
    int out = m.outputs().get(0);
    ReferenceNetwork.Activations expected = referenceOn("person.bmp");
    int[] scores = expected.tensor(out);
    assertTrue(scores[1] > scores[0], "the example's person image scores person");
    assertTrue(
        r.out().contains(String.format("  values       %6d %6d%n", scores[0], scores[1])), r.out());
    assertTrue(r.out().contains("  largest     index 1 "), r.out());
    assertTrue(
        r.out().contains("check: all 31 operator outputs bit-exact against the integer reference"),
        r.out());
    assertTrue(r.out().contains("  30  SOFTMAX "), r.out());
    assertTrue(r.out().contains("host     SOFTMAX (op 30)"), r.out());

    JsonNode j = new ObjectMapper().readTree(Files.readString(json));
    JsonNode o = j.get("outputs").get(0);
    assertEquals("MobilenetV1/Predictions/Reshape_1", o.get("name").asText());
    assertEquals("[1,2]", o.get("shape").toString());
    assertEquals(Arrays.toString(scores).replace(" ", ""), o.get("data").toString());
    assertEquals(31, j.get("layers").size());
    JsonNode softmax = j.get("layers").get(30);
    assertEquals("host", softmax.get("placement").asText());
    assertEquals(0, softmax.get("cycles").asLong());
    assertEquals("npu", j.get("layers").get(0).get("placement").asText());
    assertTrue(j.get("layers").get(0).get("cycles").asLong() > 0);
    assertTrue(j.get("check").get("bit_exact").asBoolean());

    try (Stream<Path> files = Files.list(dump)) {
      assertEquals(31, files.count(), "one file per operator, no temporary file left");
    }
    for (TfliteOperator op : m.operators()) {
      Path f = dump.resolve(String.format("%03d_%s.npy", op.index(), op.op().lowerName()));
      NpyArray a = NpyArray.parse(f.toString(), Files.readAllBytes(f));
      assertEquals(NpyArray.Type.INT8, a.type());
      assertEquals(m.tensor(op.output()).shape(), a.shape(), f.toString());
      assertArrayEquals(expected.tensor(op.output()), a.ints().toArray(), f.toString());
    }
    assertTrue(Files.exists(dump.resolve("000_depthwise_conv_2d.npy")));
    assertTrue(Files.exists(dump.resolve("030_softmax.npy")));
  }

  @Test
  void noPersonImageScoresNoPerson() throws Exception {
    Result r =
        run("run-model", "person_detect.tflite", "--input", "no_person.bmp", "--pixels", "bytes");
    assertEquals(0, r.code(), r.err());
    int[] scores = referenceOn("no_person.bmp").tensor(person().outputs().get(0));
    assertTrue(scores[0] > scores[1]);
    assertTrue(r.out().contains("  largest     index 0 "), r.out());
  }

  /** A .raw input is the tensor's bytes: the same values as the image read with --pixels bytes. */
  @Test
  void rawInputGivesTheSameRunAsTheImageItCameFrom() throws Exception {
    TfliteModel m = person();
    int[] x =
        InputTensorReader.read(
            "person.bmp",
            VendoredFiles.read("person.bmp").orElseThrow(),
            m.input(),
            InputTensorReader.PixelMapping.BYTES);
    byte[] raw = new byte[x.length];
    for (int i = 0; i < x.length; i++) {
      raw[i] = (byte) x[i];
    }
    Path file = dir.resolve("person.raw");
    Files.write(file, raw);
    Path json = dir.resolve("raw.json");
    Result r =
        run(
            "run-model",
            "person_detect.tflite",
            "--input",
            file.toString(),
            "--json",
            json.toString());
    assertEquals(0, r.code(), r.err());
    int[] scores = referenceOn("person.bmp").tensor(m.outputs().get(0));
    JsonNode j = new ObjectMapper().readTree(Files.readString(json));
    assertEquals(
        Arrays.toString(scores).replace(" ", ""), j.get("outputs").get(0).get("data").toString());
  }

  @Test
  void badInputsGetOneLocatedLineAndExitOne() throws Exception {
    Path raw = dir.resolve("short.raw");
    Files.write(raw, new byte[100]);
    assertError(
        raw + ": 100 bytes, the int8 input tensor 88 'input' [1, 96, 96, 1] needs 9216",
        "run-model",
        "person_detect.tflite",
        "--input",
        raw.toString());
    assertError(
        "person.bmp: image is 96x96, the model input tensor 0 'input_1_int8' [1, 32, 32, 3]"
            + " needs 32x32 (npusim does not resize images)",
        "run-model",
        "pretrainedResnet_quant.tflite",
        "--input",
        "person.bmp");
    assertError(
        "nothing.tflite: no such file (and not a vendored MODEL: "
            + String.join(", ", VendoredFiles.NAMES)
            + ")",
        "run-model",
        "nothing.tflite",
        "--input",
        "person.bmp");
    Path truncated = dir.resolve("cut.tflite");
    Files.write(
        truncated, Arrays.copyOf(VendoredFiles.read("person_detect.tflite").orElseThrow(), 1000));
    Result cut = run("run-model", truncated.toString(), "--input", "person.bmp");
    assertEquals(1, cut.code());
    assertTrue(cut.err().startsWith("npusim: " + truncated + ": model: "), cut.err());
    assertEquals(1, cut.err().lines().count(), cut.err());
    Result floatModel = run("run-model", "vww_96_float.tflite", "--input", "person.bmp");
    assertEquals(1, floatModel.code());
    assertTrue(floatModel.err().contains("an int8 model is needed here"), floatModel.err());
    assertError(
        "--pixels gray: expected full-range, unit or bytes",
        "run-model",
        "person_detect.tflite",
        "--input",
        "person.bmp",
        "--pixels",
        "gray");
  }

  /**
   * On a machine that is not bit-exact (the default machine with a 16-bit wrapping accumulator),
   * --check names the first operator that differs and exits 1; the report and the JSON are still
   * written whole.
   */
  @Test
  void checkOnANarrowAccumulatorMachineFailsWithTheOperatorNamed() throws Exception {
    String machine;
    try (var in =
        dev.npusim.simulator.MachineConfig.class.getResourceAsStream(
            "/machines/npu8-default.json")) {
      machine = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String narrow =
        machine
            .replace("\"accumulator_bits\": 32", "\"accumulator_bits\": 16")
            .replace("\"name\": \"npu8-default\"", "\"name\": \"acc16\"");
    assertFalse(narrow.equals(machine));
    Path file = dir.resolve("acc16.json");
    Files.writeString(file, narrow);
    Path json = dir.resolve("acc16-run.json");
    Result r =
        run(
            "run-model",
            "person_detect.tflite",
            "--input",
            "person.bmp",
            "--pixels",
            "bytes",
            "--machine",
            file.toString(),
            "--check",
            "--json",
            json.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("npusim: person_detect.tflite: --check: "), r.err());
    assertTrue(r.err().contains("differ from the integer reference; first: operator "), r.err());
    assertTrue(r.out().contains("check: MISMATCH operator "), r.out());
    JsonNode j = new ObjectMapper().readTree(Files.readString(json));
    assertFalse(j.get("check").get("bit_exact").asBoolean());
    JsonNode first = j.get("check").get("mismatches").get(0);
    assertTrue(
        j.get("layers").get(first.get("index").asInt()).get("overflows").asLong() > 0,
        "the first differing operator overflowed its 16-bit accumulator");
  }

  private static void assertError(String message, String... args) {
    Result r = run(args);
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals("npusim: " + message + System.lineSeparator(), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  /**
   * The int8 .npy header written out by hand: 10 bytes of preamble and a 57-character dict, padded
   * with spaces and a newline to 128 bytes (the next multiple of 64), then the two data bytes.
   */
  @Test
  void int8NpyFileByHand() {
    byte[] f = Npy.int8(new int[] {2}, new int[] {1, -1});
    String header = "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }";
    assertEquals(57, header.length());
    String padded = header + " ".repeat(128 - 10 - 57 - 1) + "\n";
    assertEquals(128 + 2, f.length);
    assertEquals(118, f[8]);
    assertEquals(0, f[9]);
    assertEquals(padded, new String(f, 10, 118, StandardCharsets.US_ASCII));
    assertEquals(1, f[128]);
    assertEquals(-1, f[129]);
  }
}
