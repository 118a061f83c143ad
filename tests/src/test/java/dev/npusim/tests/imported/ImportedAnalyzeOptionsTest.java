package dev.npusim.tests.imported;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --model X.tflite} with the options it shares with the face detector's study:
 * {@code --check}, {@code --dump}, {@code --calib}, {@code --all-samples} and {@code --html}, on
 * the small person_detect and vww networks.
 */
class ImportedAnalyzeOptionsTest {
  @TempDir Path dir;

  Path copy(String file) throws IOException {
    Path p = dir.resolve(file);
    if (!Files.exists(p)) {
      try (InputStream in = getClass().getResourceAsStream("/models/tflite/" + file)) {
        Files.write(p, in.readAllBytes());
      }
    }
    return p;
  }

  static ImportedModelCommandsTest.Cli run(String... args) {
    return ImportedModelCommandsTest.run(args);
  }

  /**
   * --check passes on the default (bit-exact) machine, and catches an injected difference: a
   * machine that truncates in requantization, where TFLite rounds half away from zero, cannot match
   * the integer reference, so the first requantizing operator must be reported.
   */
  @Test
  void checkPassesOnABitExactMachineAndCatchesATruncatingOne() throws IOException {
    Path model = copy("person_detect.tflite");
    Path image = copy("person.bmp");
    ImportedModelCommandsTest.Cli ok =
        run("analyze", "--model", model.toString(), "--inputs", image.toString(), "--check");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("\nchecked  every simulated operator"), ok.out());

    Path truncating = dir.resolve("truncating.json");
    Files.writeString(truncating, "{\"name\": \"truncating\", \"rounding\": \"truncate\"}");
    ImportedModelCommandsTest.Cli bad =
        run(
            "analyze",
            "--model",
            model.toString(),
            "--inputs",
            image.toString(),
            "--check",
            "--machine",
            truncating.toString());
    assertEquals(1, bad.code(), bad.out());
    assertTrue(
        bad.err().contains("--check: person_detect.tflite: tflite-int8: operator 0"), bad.err());
    assertTrue(bad.err().contains("in the integer reference"), bad.err());
    assertFalse(bad.err().contains("Exception"), bad.err());
  }

  /**
   * --dump writes the first input's operator outputs in the model's own type and shape, named and
   * encoded as run-model --dump writes them: on the same .raw input the two sets of files are equal
   * byte for byte. Beside them: the input and every float reference layer.
   */
  @Test
  void dumpEqualsRunModelsDump() throws IOException {
    Path model = copy("person_detect.tflite");
    byte[] bytes = new byte[96 * 96];
    new Random(8).nextBytes(bytes);
    Path raw = dir.resolve("random.raw");
    Files.write(raw, bytes);
    Path analyzed = dir.resolve("analyzed");
    Path ran = dir.resolve("ran");
    ImportedModelCommandsTest.Cli a =
        run(
            "analyze",
            "--model",
            model.toString(),
            "--inputs",
            raw.toString(),
            "--dump",
            analyzed.toString());
    assertEquals(0, a.code(), a.err());
    ImportedModelCommandsTest.Cli r =
        run("run-model", model.toString(), "--input", raw.toString(), "--dump", ran.toString());
    assertEquals(0, r.code(), r.err());
    TfliteModel m = TfliteReader.read(model.toString(), Files.readAllBytes(model));
    for (TfliteOperator op : m.operators()) {
      String name = String.format(Locale.ROOT, "%03d_%s.npy", op.index(), op.op().lowerName());
      assertArrayEquals(
          Files.readAllBytes(ran.resolve(name)),
          Files.readAllBytes(analyzed.resolve("tflite-int8").resolve(name)),
          name);
      assertTrue(Files.exists(analyzed.resolve("float").resolve(name)), name);
    }
    assertTrue(Files.exists(analyzed.resolve("input.npy")));
  }

  /**
   * --calib sets the inputs npusim's schemes calibrate on: calibrating on the evaluation inputs
   * themselves reproduces the default run, calibrating on one of them changes the scheme's ranges
   * and so its figures, and TFLite's own model is untouched either way.
   */
  @Test
  void calibrationInputsQuantizeNpusimsSchemes() throws IOException {
    String[] base = {
      "analyze",
      "--model",
      copy("vww_96_int8.tflite").toString(),
      "--float",
      copy("vww_96_float.tflite").toString(),
      "--inputs",
      copy("person.bmp") + "," + copy("no_person.bmp"),
      "--variants",
      "tf8"
    };
    ImportedModelCommandsTest.Cli plain = run(base);
    ImportedModelCommandsTest.Cli same =
        run(with(base, "--calib", copy("person.bmp") + "," + copy("no_person.bmp")));
    ImportedModelCommandsTest.Cli one = run(with(base, "--calib", copy("person.bmp").toString()));
    assertEquals(0, plain.code(), plain.err());
    assertEquals(0, same.code(), same.err());
    assertEquals(0, one.code(), one.err());
    assertTrue(same.out().contains("\ncalib    2: person.bmp, no_person.bmp"), same.out());
    assertEquals(plain.out(), same.out().replaceFirst("calib    2: [^\n]*\n", ""));
    assertEquals(line(plain.out(), "tflite-int8 "), line(one.out(), "tflite-int8 "));
    assertNotEquals(section(plain.out(), "cumulative SQNR"), section(one.out(), "cumulative SQNR"));

    ImportedModelCommandsTest.Cli noFloat =
        run(
            "analyze",
            "--model",
            copy("vww_96_int8.tflite").toString(),
            "--random",
            "1",
            "--calib",
            copy("person.bmp").toString());
    assertEquals(1, noFloat.code(), noFloat.out());
    assertTrue(noFloat.err().contains("--calib: calibration inputs are for npusim's schemes"));
  }

  /**
   * --all-samples evaluates an image model on every vendored image: the six sample photos and
   * person_detect's own two example images; a model whose input is no image has none.
   */
  @Test
  void allSamplesAreThePhotosAndThePersonExamples() throws IOException {
    ImportedModelCommandsTest.Cli c =
        run("analyze", "--model", copy("person_detect.tflite").toString(), "--all-samples");
    assertEquals(0, c.code(), c.err());
    assertTrue(
        c.out()
            .contains(
                "\ninputs   8: sample1.jpg, sample2.jpg, sample3.jpg, sample4.jpg, sample5.jpg,"
                    + " sample6.jpg, person.bmp, no_person.bmp\n"),
        c.out());
    ImportedModelCommandsTest.Cli kws =
        run("analyze", "--model", copy("kws_ref_model.tflite").toString(), "--all-samples");
    assertEquals(1, kws.code(), kws.out());
    assertTrue(kws.err().contains("is not an image, and no vendored sample fits it"), kws.err());
  }

  /**
   * --html writes one self-contained page: a line per pipeline in the per-operator chart, and every
   * operator's cumulative SQNR as the JSON file has it, to one decimal.
   */
  @Test
  void htmlReportShowsEveryPipelineAndOperator() throws IOException {
    Path html = dir.resolve("report.html");
    Path json = dir.resolve("report.json");
    ImportedModelCommandsTest.Cli c =
        run(
            "analyze",
            "--model",
            copy("vww_96_int8.tflite").toString(),
            "--float",
            copy("vww_96_float.tflite").toString(),
            "--random",
            "1",
            "--variants",
            "tf8-dw-per-channel",
            "--html",
            html.toString(),
            "--json",
            json.toString());
    assertEquals(0, c.code(), c.err());
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>") && page.endsWith("</html>\n"));
    assertFalse(page.contains("<script") || page.contains("http://www.w3.org/1999"));
    assertEquals(2, count(page, "<polyline"));
    JsonNode study = new ObjectMapper().readTree(json.toFile());
    for (JsonNode layer : study.get("layers")) {
      String row =
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%d</td><td>%.1f</td>",
              layer.get("name").asText(),
              layer.get("macs").asLong(),
              layer.get("sqnrCumulativeDb").asDouble());
      assertTrue(page.contains(row), row);
    }
  }

  private static String[] with(String[] base, String... more) {
    List<String> all = new ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static String line(String text, String prefix) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + ".*$").matcher(text);
    assertTrue(m.find(), prefix + " missing from\n" + text);
    return m.group();
  }

  private static String section(String text, String heading) {
    int at = text.indexOf(heading);
    assertTrue(at >= 0, heading + " missing from\n" + text);
    return text.substring(at);
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
