package dev.npusim.golden.cases;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npusim.kernels.DataType;

/**
 * Typed access to the fields of one parsed case file. Every accessor takes the JSON path of the
 * node it reads ({@code input.data[17]}) and throws a {@link CaseFormatException} naming the file
 * and that path, so the case reader itself reads like the field list of {@code case-format.md}.
 */
final class JsonFields {

  /** An inclusive integer range with the name used in messages ("int8", "int32", ...). */
  record Range(String name, long min, long max) {
    static final Range INT32 = new Range("int32", Integer.MIN_VALUE, Integer.MAX_VALUE);
    static final Range POSITIVE = new Range("positive int32", 1, Integer.MAX_VALUE);
    static final Range NON_NEGATIVE = new Range("non-negative int32", 0, Integer.MAX_VALUE);

    static Range of(DataType type) {
      return new Range(type.caseName(), type.min(), type.max());
    }

    boolean contains(long v) {
      return v >= min && v <= max;
    }

    @Override
    public String toString() {
      return name + " [" + min + ", " + max + "]";
    }
  }

  private final String file;

  JsonFields(String file) {
    this.file = file;
  }

  CaseFormatException error(String path, String format, Object... args) {
    return new CaseFormatException(file, path, String.format(format, args));
  }

  static String child(String parentPath, String name) {
    return parentPath.isEmpty() ? name : parentPath + "." + name;
  }

  static String element(String arrayPath, int index) {
    return arrayPath + "[" + index + "]";
  }

  /** The named member of an object; absent or JSON {@code null} is an error. */
  JsonNode required(JsonNode object, String objectPath, String name) throws CaseFormatException {
    JsonNode node = object.get(name);
    if (node == null || node.isNull()) {
      throw error(child(objectPath, name), "missing required field");
    }
    return node;
  }

  /** The named member of an object, or null when it is absent or JSON {@code null}. */
  static JsonNode optional(JsonNode object, String name) {
    JsonNode node = object.get(name);
    return node == null || node.isNull() ? null : node;
  }

  JsonNode object(JsonNode node, String path) throws CaseFormatException {
    if (!node.isObject()) {
      throw error(path, "expected an object, found %s", describe(node));
    }
    return node;
  }

  String string(JsonNode node, String path) throws CaseFormatException {
    if (!node.isTextual()) {
      throw error(path, "expected a string, found %s", describe(node));
    }
    return node.textValue();
  }

  /** An integral JSON number within {@code range}; {@code 3.0} and {@code "3"} are rejected. */
  int integer(JsonNode node, String path, Range range) throws CaseFormatException {
    if (!node.isIntegralNumber()) {
      throw error(path, "expected an integer, found %s", describe(node));
    }
    if (!node.canConvertToLong() || !range.contains(node.longValue())) {
      throw error(path, "value %s is outside %s", node.asText(), range);
    }
    return (int) node.longValue();
  }

  /** A JSON array of integers, each within {@code range}. */
  int[] integers(JsonNode node, String path, Range range) throws CaseFormatException {
    if (!node.isArray()) {
      throw error(path, "expected an array of integers, found %s", describe(node));
    }
    int[] values = new int[node.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = integer(node.get(i), element(path, i), range);
    }
    return values;
  }

  /** A JSON array of exactly {@code length} integers within {@code range}. */
  int[] integers(JsonNode node, String path, int length, Range range) throws CaseFormatException {
    if (!node.isArray() || node.size() != length) {
      throw error(path, "expected an array of %s integers, found %s", length, describe(node));
    }
    return integers(node, path, range);
  }

  /** One integer or an array of them (per-tensor or per-channel fields). */
  int[] integerOrIntegers(JsonNode node, String path, Range range) throws CaseFormatException {
    if (node.isArray()) {
      if (node.isEmpty()) {
        throw error(path, "expected one value or a non-empty array, found an empty array");
      }
      return integers(node, path, range);
    }
    return new int[] {integer(node, path, range)};
  }

  /**
   * A finite, positive JSON number as a double. The JSON text is parsed exactly (big decimal) and
   * rounded once, so {@code 0.1} reads as the double nearest to 0.1.
   */
  double positiveDouble(JsonNode node, String path) throws CaseFormatException {
    if (!node.isNumber()) {
      throw error(path, "expected a number, found %s", describe(node));
    }
    double v = Double.parseDouble(node.decimalValue().toString());
    if (!(v > 0) || !Double.isFinite(v)) {
      throw error(path, "value %s must be finite and positive", node.asText());
    }
    return v;
  }

  /**
   * A finite, positive JSON number rounded once, directly from its decimal text, to the nearest
   * float32 (no detour through double, which could round twice).
   */
  float positiveFloat(JsonNode node, String path) throws CaseFormatException {
    if (!node.isNumber()) {
      throw error(path, "expected a number, found %s", describe(node));
    }
    float v = Float.parseFloat(node.decimalValue().toString());
    if (!(v > 0) || !Float.isFinite(v)) {
      throw error(
          path, "value %s is not a finite, positive float32 (it rounds to %s)", node.asText(), v);
    }
    return v;
  }

  /** How a node appears in a message: the value for scalars, its kind for containers. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "string \"" + node.textValue() + "\"";
    }
    if (node.isNumber()) {
      return "number " + node.asText();
    }
    if (node.isBoolean()) {
      return "boolean " + node.asText();
    }
    if (node.isArray()) {
      return "an array of " + node.size() + " element" + (node.size() == 1 ? "" : "s");
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isNull()) {
      return "null";
    }
    return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
