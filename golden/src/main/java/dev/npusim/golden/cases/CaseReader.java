package dev.npusim.golden.cases;

import static dev.npusim.golden.cases.JsonFields.optional;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.isa.io.JsonErrorText;
import dev.npusim.kernels.LayerKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code npusim.case.v1} files ({@code case-format.md}) into {@link GoldenCase}s ({@link
 * #read}: the layer ops) or into any {@link OperatorCase} ({@link #readOperator}: also npusim's
 * extension with {@code average_pool_2d}, {@code max_pool_2d}, {@code add} and {@code softmax}).
 * This class reads the fields every case has ({@code format}, {@code name}, {@code source}, {@code
 * comment}, {@code op}); {@code LayerCaseFields} reads the layer ops' fields and {@code
 * OperatorCaseFields} the others'.
 *
 * <p>Everything the spec says a reader must reject is rejected with one message naming the file and
 * the JSON field: shapes that disagree with data lengths or with each other, values outside the
 * declared types' ranges (data, zero points, activation bounds, int32 bias, Q31 multipliers and
 * shifts), an unknown {@code format}, {@code op}, {@code semantics} or {@code dtype}, missing
 * fields, wrong JSON types and malformed JSON. Fields the spec calls optional ({@code dtype} for
 * the TFLite semantics, {@code scale}s, {@code comment}) may be absent; other unknown fields are
 * ignored, as the spec allows.
 *
 * <p>Beyond ranges, the reader also enforces what the semantics define: {@code tflite-int8} weights
 * are symmetric (filter zero point 0), {@code tflite-uint8} has one filter zero point and one
 * multiplier/shift for the whole tensor, and expected outputs lie within {@code [activation_min,
 * activation_max]} (the clamp guarantees it).
 */
public final class CaseReader {
  /** The only {@code format} this reader accepts. */
  public static final String FORMAT = "npusim.case.v1";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          // Keep float text exact so that float32 scales are rounded once, from the decimal.
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final Pattern QUOTED_VALUE = Pattern.compile("Value \"([^\"]{1,64})\"");

  private CaseReader() {}

  /**
   * Reads one case file; messages name the file as {@code file.toString()}. The file goes through
   * {@link InputFiles}: a directory, FIFO or device, or a file over the input size limit, is an
   * {@link dev.npusim.isa.io.InputFileException} (an {@link IOException}) naming it.
   */
  public static GoldenCase read(Path file) throws IOException, CaseFormatException {
    return read(file.toString(), InputFiles.readString(file));
  }

  /**
   * Reads a case from JSON text.
   *
   * @param fileName how messages name the source of {@code json}
   */
  public static GoldenCase read(String fileName, String json) throws CaseFormatException {
    OperatorCase c = readOperator(fileName, json);
    if (c instanceof GoldenCase layer) {
      return layer;
    }
    throw new CaseFormatException(
        fileName,
        "op",
        String.format(
            "\"%s\" is not a layer with a filter and requantization; expected one of %s here",
            c.op(), caseNames(LayerKind.values())));
  }

  /** Reads a case file of any op; messages name the file as {@code file.toString()}. */
  public static OperatorCase readOperator(Path file) throws IOException, CaseFormatException {
    return readOperator(file.toString(), InputFiles.readString(file));
  }

  /**
   * Reads a case of any op from JSON text: a layer ({@link GoldenCase}) or a pooling, ADD or
   * softmax case ({@link PoolCase}, {@link AddCase}, {@link SoftmaxCase}).
   *
   * @param fileName how messages name the source of {@code json}
   */
  public static OperatorCase readOperator(String fileName, String json) throws CaseFormatException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      String location =
          where == null ? "JSON" : "line " + where.getLineNr() + ", column " + where.getColumnNr();
      throw new CaseFormatException(
          fileName, location, "malformed JSON: " + JsonErrorText.plain(e.getOriginalMessage()));
    } catch (NumberFormatException e) {
      // Exact float text (USE_BIG_DECIMAL_FOR_FLOATS) makes Jackson throw this unchecked exception
      // for an exponent beyond an int, e.g. 0.5e60813999176 (found by CaseReaderFuzzTest).
      Matcher m = QUOTED_VALUE.matcher(String.valueOf(e.getMessage()));
      throw new CaseFormatException(
          fileName,
          "JSON",
          "malformed JSON: "
              + (m.find() ? "number " + m.group(1) : "a number")
              + " is out of range (its exponent is too large)");
    }
    JsonFields fields = new JsonFields(fileName);
    if (root == null || root.isMissingNode()) {
      throw new CaseFormatException(fileName, "JSON", "empty file");
    }
    return operatorCase(fields, fields.object(root, "(root)"));
  }

  /** The root object's common fields, then the op's own through its fields class. */
  private static OperatorCase operatorCase(JsonFields f, JsonNode root) throws CaseFormatException {
    String format = f.string(f.required(root, "", "format"), "format");
    if (!format.equals(FORMAT)) {
      throw f.error("format", "unknown format \"%s\", expected \"%s\"", format, FORMAT);
    }
    String name = f.string(f.required(root, "", "name"), "name");
    String source = f.string(f.required(root, "", "source"), "source");
    JsonNode commentNode = optional(root, "comment");
    Optional<String> comment =
        commentNode == null ? Optional.empty() : Optional.of(f.string(commentNode, "comment"));

    String op = f.string(f.required(root, "", "op"), "op");
    LayerKind kind = LayerKind.fromCaseName(op);
    if (kind == null) {
      if (OperatorCaseFields.OPS.contains(op)) {
        return new OperatorCaseFields(f, root, name, source, comment, op).operatorCase();
      }
      throw f.error(
          "op",
          "unknown op \"%s\", expected one of %s, %s",
          op,
          caseNames(LayerKind.values()),
          String.join(", ", OperatorCaseFields.OPS));
    }
    return new LayerCaseFields(f, root, name, source, comment, kind).goldenCase();
  }

  /** A shape array as {@code [1, 8, 5, 1]} (it has been validated before data is read). */
  static String shapeText(JsonNode shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(shape.get(i).asText());
    }
    return sb.append(']').toString();
  }

  static String caseNames(LayerKind[] kinds) {
    return String.join(", ", Arrays.stream(kinds).map(LayerKind::caseName).toList());
  }
}
