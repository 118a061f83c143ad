package dev.npusim.golden.cases;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.TensorShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader: one test per kind of bad file, each checking that the message names the file and the
 * JSON field; and the mapping of good files onto {@link GoldenCase}.
 */
class CaseReaderTest {
  private static final String FILE = "cases/x.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A valid conv2d tflite-int8 case (IntegerReferenceTest.conv3x3, expected output by hand). */
  private static final String CONV =
      """
      {
        "format": "npusim.case.v1",
        "name": "hand conv",
        "source": "hand-computed",
        "op": "conv2d",
        "semantics": "tflite-int8",
        "stride": [1, 1],
        "dilation": [1, 1],
        "padding": [0, 0, 0, 0],
        "depth_multiplier": 1,
        "input": {"shape": [1, 3, 3, 1], "zero_point": -1, "data": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
        "filter": {"shape": [1, 2, 2, 1], "zero_point": 0, "data": [1, -1, 2, 0]},
        "bias": {"data": [10]},
        "requant": {"multiplier": [1073741824], "shift": [0]},
        "output": {"shape": [1, 2, 2, 1], "zero_point": 3,
                   "activation_min": -128, "activation_max": 127, "data": [13, 14, 16, 17]}
      }
      """;

  /** A valid fully_connected float-requant case, 1 x 2 -> 1 x 2, no bias. */
  private static final String FC_FLOAT =
      """
      {
        "format": "npusim.case.v1",
        "name": "fc", "source": "hand-computed", "comment": "c",
        "op": "fully_connected", "semantics": "float-requant",
        "stride": [1, 1], "dilation": [1, 1], "padding": [0, 0, 0, 0], "depth_multiplier": 1,
        "input": {"shape": [1, 2], "dtype": "uint8", "zero_point": 128, "scale": 0.5,
                  "data": [130, 126]},
        "filter": {"shape": [2, 2], "dtype": "int8", "zero_point": [0, 1], "scale": [0.25, 0.5],
                   "data": [1, 2, 3, 4]},
        "bias": null,
        "requant": {"scale": [0.1, 0.5]},
        "output": {"shape": [1, 2], "dtype": "uint8", "zero_point": 100, "scale": 1.0,
                   "activation_min": 0, "activation_max": 255, "data": [100, 101]},
        "vendor_note": "extra fields are ignored"
      }
      """;

  // ---- good files -------------------------------------------------------------------------

  @Test
  void readsAConvCase() throws Exception {
    GoldenCase c = CaseReader.read(FILE, CONV);
    assertEquals("hand conv", c.name());
    assertEquals(new TensorShape(1, 3, 3, 1), c.layer().input());
    assertEquals(new TensorShape(1, 2, 2, 1), c.layer().output());
    assertEquals(2, c.layer().kernelH());
    assertEquals(DataType.INT8, c.layer().inputType());
    assertEquals(ImmutableIntArray.of(13, 14, 16, 17), c.expectedOutput());
    assertTrue(c.comment().isEmpty());
    assertTrue(c.inputScale().isEmpty());
    assertEquals(0, c.filterScales().length());
  }

  @Test
  void readsAFullyConnectedFloatRequantCase() throws Exception {
    GoldenCase c = CaseReader.read(FILE, FC_FLOAT);
    assertEquals(LayerKind.FULLY_CONNECTED, c.layer().kind());
    assertEquals(new TensorShape(1, 1, 1, 2), c.layer().input()); // [N, IC] -> (N, 1, 1, IC)
    assertEquals(new TensorShape(1, 1, 1, 2), c.layer().output());
    assertNull(c.layer().bias());
    assertEquals(DataType.UINT8, c.layer().inputType());
    assertEquals(DataType.INT8, c.layer().filterType());
    assertEquals(ImmutableIntArray.of(0, 1), c.layer().filterZeroPoints());
    Requantization.FloatScale scale = (Requantization.FloatScale) c.layer().requant();
    // "0.1" is rounded once, from the decimal, to the float32 nearest 0.1.
    assertEquals(Float.floatToRawIntBits(0.1f), Float.floatToRawIntBits(scale.scale(0)));
    assertEquals(0.5f, scale.scale(1));
    assertEquals("c", c.comment().orElseThrow());
    assertEquals(0.5, c.inputScale().getAsDouble());
    assertArrayEquals(new double[] {0.25, 0.5}, c.filterScales().toArray());
    assertEquals(1.0, c.outputScale().getAsDouble());
  }

  @Test
  void aZeroMultiplierIsAllowed() throws Exception {
    GoldenCase c =
        CaseReader.read(
            FILE,
            mutate(
                CONV,
                r -> {
                  multiplier(r).set(0, 0);
                  output(r).set("data", ints(3, 3, 3, 3)); // everything maps to zo
                }));
    assertEquals(0, ((Requantization.Q31) c.layer().requant()).multiplier(0));
  }

  @Test
  void readsFromAPathAndNamesTheFileAsGiven(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.json");
    Files.writeString(good, CONV);
    assertEquals("hand conv", CaseReader.read(good).name());
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, mutate(CONV, r -> r.put("format", "v0")));
    CaseFormatException e = assertThrows(CaseFormatException.class, () -> CaseReader.read(bad));
    assertEquals(bad.toString(), e.file());
    assertTrue(e.getMessage().startsWith(bad + ": format: "), e.getMessage());
  }

  // ---- shapes vs data lengths -------------------------------------------------------------

  @Test
  void rejectsInputDataShorterThanItsShape() {
    assertRejected(
        mutate(CONV, r -> input(r).set("data", ints(1, 2, 3, 4, 5, 6, 7, 8))),
        "input.data",
        "input.data: 8 values, but input.shape [1, 3, 3, 1] holds 9");
  }

  @Test
  void rejectsFilterDataLongerThanItsShape() {
    assertRejected(
        mutate(CONV, r -> filter(r).set("data", ints(1, -1, 2, 0, 5))),
        "filter.data",
        "filter.data: 5 values, but filter.shape [1, 2, 2, 1] holds 4");
  }

  @Test
  void rejectsOutputDataThatDisagreesWithItsShape() {
    assertRejected(
        mutate(CONV, r -> output(r).set("data", ints(13, 14, 16))),
        "output.data",
        "output.data: 3 values, but output.shape [1, 2, 2, 1] holds 4");
  }

  @Test
  void rejectsAFilterWhoseChannelsDisagreeWithTheInput() {
    assertRejected(
        mutate(
            CONV,
            r -> {
              filter(r).set("shape", ints(1, 2, 1, 2)); // IC 2, input has 1
            }),
        "filter.shape",
        "filter input channels 2 differ from the input's 1");
  }

  @Test
  void rejectsABiasWithTheWrongChannelCount() {
    assertRejected(
        mutate(CONV, r -> ((ObjectNode) r.get("bias")).set("data", ints(1, 2))),
        "bias.data",
        "2 values, expected 1 (one per output channel)");
  }

  // ---- values outside their type's range --------------------------------------------------

  @Test
  void rejectsAnInputValueOutsideInt8() {
    assertRejected(
        mutate(CONV, r -> ((ArrayNode) input(r).get("data")).set(4, 300)),
        "input.data[4]",
        FILE + ": input.data[4]: value 300 is outside int8 [-128, 127]");
  }

  @Test
  void rejectsAFilterValueOutsideInt8() {
    assertRejected(
        mutate(CONV, r -> ((ArrayNode) filter(r).get("data")).set(1, -129)),
        "filter.data[1]",
        "value -129 is outside int8 [-128, 127]");
  }

  @Test
  void rejectsAnOutputValueOutsideInt8() {
    assertRejected(
        mutate(CONV, r -> ((ArrayNode) output(r).get("data")).set(3, 128)),
        "output.data[3]",
        "value 128 is outside int8 [-128, 127]");
  }

  @Test
  void rejectsAnOutputValueOutsideTheActivationRange() {
    assertRejected(
        mutate(CONV, r -> output(r).put("activation_max", 15)),
        "output.data[2]",
        "value 16 is outside [activation_min, activation_max] = [-128, 15]");
  }

  @Test
  void rejectsZeroPointsOutsideTheirTypes() {
    assertRejected(
        mutate(CONV, r -> input(r).put("zero_point", 128)),
        "input.zero_point",
        "value 128 is outside int8 [-128, 127]");
    assertRejected(
        mutate(CONV, r -> output(r).put("zero_point", -200)),
        "output.zero_point",
        "value -200 is outside int8 [-128, 127]");
    assertRejected(
        mutate(FC_FLOAT, r -> filter(r).set("zero_point", ints(0, 128))), // int8 filter
        "filter.zero_point[1]",
        "value 128 is outside int8 [-128, 127]");
  }

  @Test
  void rejectsActivationBoundsOutsideTheOutputType() {
    assertRejected(
        mutate(CONV, r -> output(r).put("activation_min", -129)),
        "output.activation_min",
        "value -129 is outside int8 [-128, 127]");
    assertRejected(
        mutate(FC_FLOAT, r -> output(r).put("activation_max", 256)), // uint8 output
        "output.activation_max",
        "value 256 is outside uint8 [0, 255]");
  }

  @Test
  void rejectsABiasOutsideInt32() {
    assertRejected(
        mutate(CONV, r -> ((ArrayNode) r.get("bias").get("data")).set(0, 2147483648L)),
        "bias.data[0]",
        "value 2147483648 is outside int32 [-2147483648, 2147483647]");
  }

  @Test
  void rejectsAHugeIntegerWithoutOverflowing() {
    assertRejected(
        mutate(
            CONV,
            r ->
                ((ArrayNode) input(r).get("data"))
                    .set(0, new java.math.BigInteger("123456789012345678901234567890"))),
        "input.data[0]",
        "value 123456789012345678901234567890 is outside int8");
  }

  // ---- unknown enumerations ---------------------------------------------------------------

  @Test
  void rejectsAnUnknownFormat() {
    assertRejected(
        mutate(CONV, r -> r.put("format", "npusim.case.v2")),
        "format",
        FILE + ": format: unknown format \"npusim.case.v2\", expected \"npusim.case.v1\"");
  }

  @Test
  void rejectsAnUnknownOp() {
    assertRejected(
        mutate(CONV, r -> r.put("op", "conv3d")),
        "op",
        FILE
            + ": op: unknown op \"conv3d\", expected one of conv2d, depthwise_conv2d,"
            + " fully_connected, average_pool_2d, max_pool_2d, add, softmax");
  }

  @Test
  void rejectsUnknownSemantics() {
    assertRejected(
        mutate(CONV, r -> r.put("semantics", "tflite-int16")),
        "semantics",
        FILE
            + ": semantics: unknown semantics \"tflite-int16\", expected one of tflite-int8,"
            + " tflite-uint8, float-requant");
  }

  @Test
  void rejectsAnUnknownDtype() {
    assertRejected(
        mutate(FC_FLOAT, r -> filter(r).put("dtype", "int4")),
        "filter.dtype",
        "unknown dtype \"int4\", expected one of int8, uint8");
  }

  // ---- requantization ---------------------------------------------------------------------

  @Test
  void rejectsAMultiplierBelowTwoToThe30() {
    assertRejected(
        mutate(CONV, r -> multiplier(r).set(0, (1 << 30) - 1)),
        "requant.multiplier[0]",
        "value 1073741823 is not 0 and outside the Q31 range [2^30, 2^31)");
  }

  @Test
  void rejectsAMultiplierOfTwoToThe31OrNegative() {
    assertRejected(
        mutate(CONV, r -> multiplier(r).set(0, 1L << 31)),
        "requant.multiplier[0]",
        "value 2147483648 is outside 0 or Q31");
    assertRejected(
        mutate(CONV, r -> multiplier(r).set(0, -5)),
        "requant.multiplier[0]",
        "value -5 is outside 0 or Q31");
  }

  @Test
  void rejectsAShiftOutsideMinus31To31() {
    assertRejected(
        mutate(CONV, r -> ((ArrayNode) r.get("requant").get("shift")).set(0, -32)),
        "requant.shift[0]",
        "value -32 is outside shift [-31, 31]");
  }

  @Test
  void rejectsMultiplierAndShiftCountsThatDiffer() {
    assertRejected(
        mutate(CONV, r -> ((ObjectNode) r.get("requant")).set("shift", ints(0, 0))),
        "requant.shift",
        "2 entries, but requant.multiplier has 1");
  }

  @Test
  void rejectsAFloatScaleThatIsZeroOrUnderflowsFloat32() {
    assertRejected(
        mutate(FC_FLOAT, r -> ((ObjectNode) r.get("requant")).set("scale", ints(0, 1))),
        "requant.scale[0]",
        "value 0 is not a finite, positive float32");
    assertRejected(
        mutate(
            FC_FLOAT,
            r ->
                ((ObjectNode) r.get("requant"))
                    .set("scale", JSON.createArrayNode().add(1e-50).add(1.0))),
        "requant.scale[0]",
        "is not a finite, positive float32 (it rounds to 0.0)");
  }

  // ---- what the semantics define ----------------------------------------------------------

  @Test
  void rejectsANonZeroFilterZeroPointForTfliteInt8() {
    assertRejected(
        mutate(CONV, r -> filter(r).put("zero_point", 3)),
        "filter.zero_point",
        "tflite-int8 weights are symmetric: zero point must be 0, found 3");
  }

  @Test
  void rejectsPerChannelRequantForTfliteUint8() {
    assertRejected(
        mutate(
            CONV,
            r -> {
              r.put("semantics", "tflite-uint8");
              input(r).put("zero_point", 1);
              input(r).set("data", ints(1, 2, 3, 4, 5, 6, 7, 8, 9));
              filter(r).set("data", ints(1, 1, 2, 0));
              output(r).put("activation_min", 0).put("activation_max", 255);
              r.set("requant", JSON.createObjectNode());
              ((ObjectNode) r.get("requant")).set("multiplier", ints(1 << 30, 1 << 30));
              ((ObjectNode) r.get("requant")).set("shift", ints(0, 0));
              filter(r).set("shape", ints(2, 2, 1, 1));
              output(r).set("shape", ints(1, 2, 3, 2));
              output(r).set("data", ints(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
              ((ObjectNode) r.get("bias")).set("data", ints(0, 0));
            }),
        "requant.multiplier",
        "tflite-uint8 has one multiplier/shift per tensor, found 2");
  }

  @Test
  void rejectsADtypeThatContradictsTheSemantics() {
    assertRejected(
        mutate(CONV, r -> input(r).put("dtype", "uint8")),
        "input.dtype",
        "tflite-int8 is int8 throughout, found uint8");
  }

  // ---- missing fields ---------------------------------------------------------------------

  @Test
  void rejectsMissingTopLevelFields() {
    assertRejected(mutate(CONV, r -> r.remove("source")), "source", "missing required field");
    assertRejected(mutate(CONV, r -> r.remove("stride")), "stride", "missing required field");
    assertRejected(mutate(CONV, r -> r.remove("bias")), "bias", "missing required field");
    assertRejected(mutate(CONV, r -> r.remove("requant")), "requant", "missing required field");
  }

  @Test
  void rejectsMissingNestedFields() {
    assertRejected(
        mutate(CONV, r -> input(r).remove("zero_point")),
        "input.zero_point",
        FILE + ": input.zero_point: missing required field");
    assertRejected(
        mutate(CONV, r -> output(r).remove("activation_max")),
        "output.activation_max",
        "missing required field");
    assertRejected(
        mutate(CONV, r -> ((ObjectNode) r.get("requant")).remove("shift")),
        "requant.shift",
        "missing required field");
  }

  @Test
  void rejectsFloatRequantWithoutDtypesOrScale() {
    assertRejected(
        mutate(FC_FLOAT, r -> output(r).remove("dtype")),
        "output.dtype",
        "missing required field (float-requant needs explicit dtypes)");
    assertRejected(
        mutate(FC_FLOAT, r -> ((ObjectNode) r.get("requant")).remove("scale")),
        "requant.scale",
        "missing required field");
  }

  // ---- wrong JSON types -------------------------------------------------------------------

  @Test
  void rejectsWrongJsonTypes() {
    assertRejected(
        mutate(CONV, r -> r.put("stride", "1")),
        "stride",
        FILE + ": stride: expected an array of 2 integers, found string \"1\"");
    assertRejected(
        mutate(CONV, r -> ((ArrayNode) input(r).get("data")).set(2, 1.5)),
        "input.data[2]",
        "expected an integer, found number 1.5");
    assertRejected(
        mutate(CONV, r -> r.set("input", JSON.createArrayNode())),
        "input",
        "expected an object, found an array of 0 elements");
    assertRejected(
        mutate(CONV, r -> r.put("name", 5)), "name", "expected a string, found number 5");
    assertRejected(
        mutate(CONV, r -> input(r).put("zero_point", "-1")),
        "input.zero_point",
        "expected an integer, found string \"-1\"");
    assertRejected(
        mutate(CONV, r -> r.put("padding", "same")),
        "padding",
        "expected an array of 4 integers, found string \"same\"");
    assertRejected(
        mutate(CONV, r -> r.put("depth_multiplier", true)),
        "depth_multiplier",
        "expected an integer, found boolean true");
  }

  @Test
  void rejectsARootThatIsNotAnObject() {
    assertRejected("[1, 2]", "(root)", "expected an object, found an array of 2 elements");
  }

  // ---- issue 12 -----------------------------------------------------------------------------

  /** A fully connected layer has no stride, dilation, padding or depth multiplier to state. */
  @Test
  void fullyConnectedNeedsNoGeometryFields() throws CaseFormatException {
    String bare =
        mutate(
            FC_FLOAT,
            r -> {
              r.remove("stride");
              r.remove("dilation");
              r.remove("padding");
              r.remove("depth_multiplier");
            });
    assertEquals(CaseReader.read(FILE, FC_FLOAT), CaseReader.read(FILE, bare));
  }

  @Test
  void fullyConnectedGeometryFieldsMustBeTrivial() {
    assertRejected(
        mutate(FC_FLOAT, r -> r.set("stride", ints(2, 1))),
        "stride",
        FILE + ": stride: fully_connected takes no stride: omit it or write [1, 1], found [2, 1]");
    assertRejected(
        mutate(FC_FLOAT, r -> r.set("padding", ints(0, 0, 1, 0))),
        "padding",
        FILE
            + ": padding: fully_connected takes no padding: omit it or write [0, 0, 0, 0], found"
            + " [0, 0, 1, 0]");
    assertRejected(
        mutate(FC_FLOAT, r -> r.put("depth_multiplier", 2)),
        "depth_multiplier",
        FILE
            + ": depth_multiplier: fully_connected takes no depth_multiplier: omit it or write 1,"
            + " found 2");
    // Still required for a convolution.
    assertRejected(mutate(CONV, r -> r.remove("padding")), "padding", "missing required field");
  }

  /** Issue 12: a padding near 2^31 wrapped the output size; it is an error naming the field. */
  @Test
  void paddingThatOverflowsIsAnError() {
    CaseFormatException e =
        assertThrows(
            CaseFormatException.class,
            () ->
                CaseReader.read(
                    FILE,
                    mutate(
                        CONV,
                        r -> r.set("padding", ints(Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0)))));
    assertTrue(e.getMessage().contains("does not fit in 32 bits"), e.getMessage());
  }

  /** Found by CaseReaderFuzzTest: Jackson threw NumberFormatException past the reader. */
  @Test
  void aNumberWithAHugeExponentIsAFormatError() {
    CaseFormatException e =
        assertThrows(
            CaseFormatException.class,
            () ->
                CaseReader.read(
                    FILE,
                    mutate(CONV, r -> r.put("name", "x"))
                        .replace("\"name\" : \"x\"", "\"name\" : 0.5019E60813999176")));
    assertEquals(
        FILE
            + ": JSON: malformed JSON: number 0.5019E60813999176 is out of range (its exponent is"
            + " too large)",
        e.getMessage());
  }

  /** JSON errors say what is wrong, not which Jackson feature would accept it. */
  @Test
  void jsonErrorsNameNoParserFeatures() {
    CaseFormatException e =
        assertThrows(CaseFormatException.class, () -> CaseReader.read(FILE, "{\"format\": NaN}"));
    assertEquals(
        FILE
            + ": line 1, column 15: malformed JSON: 'NaN' is not a JSON number (JSON has no NaN or"
            + " Infinity)",
        e.getMessage());
    CaseFormatException truncated =
        assertThrows(CaseFormatException.class, () -> CaseReader.read(FILE, "{\"a\": [1,"));
    assertFalse(truncated.getMessage().contains("Feature"), truncated.getMessage());
    assertFalse(truncated.getMessage().contains("REDACTED"), truncated.getMessage());
  }

  /** Reading a path goes through the bounded input layer: a folder is named as one. */
  @Test
  void aFolderIsNotACaseFile(@TempDir Path dir) {
    IOException e = assertThrows(IOException.class, () -> CaseReader.read(dir));
    assertEquals(dir + ": is a directory, not a regular file", e.getMessage());
  }

  // ---- malformed JSON ---------------------------------------------------------------------

  @Test
  void rejectsMalformedJsonWithLineAndColumn() {
    String broken = CONV.replace("\"op\": \"conv2d\",", "\"op\": \"conv2d\"");
    CaseFormatException e =
        assertThrows(CaseFormatException.class, () -> CaseReader.read(FILE, broken));
    // The missing comma is noticed at the opening quote of the next field: line 6 of the text
    // block, after its two-space indent (columns are 1-based).
    assertEquals("line 6, column 3", e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(FILE + ": line 6, column 3: malformed JSON: "));
  }

  @Test
  void rejectsTruncatedJson() {
    CaseFormatException e =
        assertThrows(
            CaseFormatException.class,
            () -> CaseReader.read(FILE, CONV.substring(0, CONV.length() / 2)));
    assertTrue(e.field().startsWith("line "), e.getMessage());
    assertTrue(e.detail().startsWith("malformed JSON: "), e.getMessage());
  }

  @Test
  void rejectsDuplicateFieldsAndTrailingContent() {
    CaseFormatException dup =
        assertThrows(
            CaseFormatException.class,
            () -> CaseReader.read(FILE, CONV.replace("\"op\":", "\"op\": \"x\", \"op\":")));
    assertTrue(dup.detail().contains("Duplicate field 'op'"), dup.getMessage());
    CaseFormatException trailing =
        assertThrows(CaseFormatException.class, () -> CaseReader.read(FILE, CONV + "{}"));
    assertTrue(trailing.detail().startsWith("malformed JSON"), trailing.getMessage());
  }

  @Test
  void rejectsAnEmptyFile() {
    assertRejected("  \n", "JSON", FILE + ": JSON: empty file");
  }

  // ---- rejections by QuantizedLayer, translated ------------------------------------------

  @Test
  void namesOutputShapeWhenTheSpatialSizeIsWrong() {
    // 3x3 input, 2x2 kernel gives 2x2, not 3x3.
    assertRejected(
        mutate(
            CONV,
            r -> {
              output(r).set("shape", ints(1, 3, 3, 1));
              output(r).set("data", ints(0, 0, 0, 0, 0, 0, 0, 0, 0));
            }),
        "output.shape",
        "output.shape: output spatial size 3x3, but input 3x3 with kernel 2x2");
  }

  @Test
  void namesActivationMinWhenTheClampIsEmpty() {
    assertRejected(
        mutate(
            CONV,
            r -> {
              output(r).put("activation_min", 20).put("activation_max", 10);
            }),
        "output.activation_min",
        "activation_min 20 > activation_max 10");
  }

  @Test
  void namesDepthMultiplierForAConvWithOne() {
    assertRejected(
        mutate(CONV, r -> r.put("depth_multiplier", 2)),
        "depth_multiplier",
        "conv2d has no depth multiplier");
  }

  @Test
  void fieldOfLayerErrorFallsBackToOp() {
    assertEquals("op", LayerCaseFields.fieldOfLayerError("something new"));
    assertEquals("requant", LayerCaseFields.fieldOfLayerError("tflite-int8 uses multiplier/shift"));
    assertEquals("semantics", LayerCaseFields.fieldOfLayerError("tflite-int8 layers are int8"));
  }

  // ---- layer field messages, pinned before the move into LayerCaseFields -------------------

  @Test
  void rejectsAnOutputBatchThatDiffersFromTheInput() {
    assertRejected(
        mutate(
            CONV,
            r -> {
              output(r).set("shape", ints(2, 2, 2, 1));
              output(r).set("data", ints(13, 14, 16, 17, 13, 14, 16, 17));
            }),
        "output.shape[0]",
        FILE + ": output.shape[0]: batch 2 differs from the input batch 1 (input.shape[0])");
  }

  @Test
  void rejectsShapesWithTooManyElements() {
    assertRejected(
        mutate(CONV, r -> input(r).set("shape", ints(65536, 65536, 1, 1))),
        "input.shape",
        FILE + ": input.shape: [65536, 65536, 1, 1] holds too many elements");
    assertRejected(
        mutate(CONV, r -> filter(r).set("shape", ints(1, 65536, 65536, 1))),
        "filter.shape",
        FILE + ": filter.shape: [1, 65536, 65536, 1] holds too many elements");
  }

  @Test
  void rejectsAShapeOfTheWrongRankForTheOp() {
    assertRejected(
        mutate(FC_FLOAT, r -> input(r).set("shape", ints(1, 1, 1, 2))),
        "input.shape",
        FILE + ": input.shape: expected an array of 2 integers, found an array of 4 elements");
  }

  @Test
  void rejectsADepthwiseFilterWithALeadingDimensionOtherThanOne() {
    assertRejected(
        mutate(
            CONV,
            r -> {
              r.put("op", "depthwise_conv2d");
              filter(r).set("shape", ints(2, 2, 2, 1));
            }),
        "filter.shape[0]",
        FILE + ": filter.shape[0]: depthwise filters are [1, KH, KW, IC * M], found 2");
  }

  @Test
  void rejectsOutputChannelsThatDifferFromTheFilters() {
    assertRejected(
        mutate(CONV, r -> output(r).set("shape", ints(1, 2, 2, 2))),
        "output.shape",
        FILE + ": output.shape: output channels 2 differ from the filter's 1 (filter.shape)");
  }

  @Test
  void rejectsDataThatIsNotAnArray() {
    assertRejected(
        mutate(CONV, r -> input(r).put("data", "x")),
        "input.data",
        FILE + ": input.data: expected an array of integers, found string \"x\"");
  }

  @Test
  void rejectsPerChannelCountsThatAreNeitherOneNorTheOutputChannels() {
    assertRejected(
        mutate(FC_FLOAT, r -> filter(r).set("zero_point", ints(0, 1, 0))),
        "filter.zero_point",
        FILE + ": filter.zero_point: 3 entries, expected 1 (per tensor) or 2 (per output channel)");
    assertRejected(
        mutate(
            FC_FLOAT,
            r ->
                ((ObjectNode) r.get("requant"))
                    .set("scale", JSON.createArrayNode().add(0.1).add(0.5).add(0.5))),
        "requant.scale",
        FILE + ": requant.scale: 3 entries, expected 1 (per tensor) or 2 (per output channel)");
    assertRejected(
        mutate(
            FC_FLOAT,
            r -> filter(r).set("scale", JSON.createArrayNode().add(0.25).add(0.5).add(1.0))),
        "filter.scale",
        FILE + ": filter.scale: 3 entries, expected 1 (per tensor) or 2 (per output channel)");
    assertRejected(
        mutate(
            CONV,
            r -> {
              ((ObjectNode) r.get("requant")).set("multiplier", ints(1 << 30, 1 << 30));
              ((ObjectNode) r.get("requant")).set("shift", ints(0, 0));
            }),
        "requant.multiplier",
        FILE
            + ": requant.multiplier: 2 entries, expected 1 (per tensor) or 1 (per output"
            + " channel)");
  }

  @Test
  void rejectsAnEmptyRequantScale() {
    assertRejected(
        mutate(FC_FLOAT, r -> ((ObjectNode) r.get("requant")).set("scale", ints())),
        "requant.scale",
        FILE + ": requant.scale: expected one value or a non-empty array, found an empty array");
  }

  @Test
  void namesTheElementOfAPerChannelFilterZeroPointForTfliteInt8() {
    assertRejected(
        mutate(CONV, r -> filter(r).set("zero_point", ints(3))),
        "filter.zero_point[0]",
        FILE
            + ": filter.zero_point[0]: tflite-int8 weights are symmetric: zero point must be 0,"
            + " found 3");
  }

  @Test
  void rejectsPerChannelFilterZeroPointsForTfliteUint8() {
    assertRejected(
        mutate(
            CONV,
            r -> {
              r.put("semantics", "tflite-uint8");
              input(r).put("zero_point", 1);
              filter(r).set("data", ints(1, 1, 2, 0, 1, 1, 2, 0));
              filter(r).set("shape", ints(2, 2, 2, 1));
              filter(r).set("zero_point", ints(0, 0));
              output(r).set("shape", ints(1, 2, 2, 2));
              output(r).put("activation_min", 0).put("activation_max", 255);
              output(r).set("data", ints(0, 0, 0, 0, 0, 0, 0, 0));
              ((ObjectNode) r.get("bias")).set("data", ints(0, 0));
            }),
        "filter.zero_point",
        FILE + ": filter.zero_point: tflite-uint8 has one filter zero point per tensor, found 2");
  }

  @Test
  void rejectsScalesThatAreNotPositive() {
    assertRejected(
        mutate(FC_FLOAT, r -> input(r).put("scale", 0)),
        "input.scale",
        FILE + ": input.scale: value 0 must be finite and positive");
    assertRejected(
        mutate(FC_FLOAT, r -> filter(r).set("scale", JSON.createArrayNode().add(0.25).add(-0.5))),
        "filter.scale[1]",
        FILE + ": filter.scale[1]: value -0.5 must be finite and positive");
    assertRejected(
        mutate(FC_FLOAT, r -> output(r).put("scale", "1")),
        "output.scale",
        FILE + ": output.scale: expected a number, found string \"1\"");
  }

  @Test
  void rejectsABiasThatIsNotAnObjectOrHasNoData() {
    assertRejected(
        mutate(CONV, r -> r.put("bias", 5)),
        "bias",
        FILE + ": bias: expected an object, found number 5");
    assertRejected(
        mutate(CONV, r -> r.set("bias", JSON.createObjectNode())),
        "bias.data",
        FILE + ": bias.data: missing required field");
    assertRejected(
        mutate(CONV, r -> r.remove("bias")),
        "bias",
        FILE + ": bias: missing required field (use null for no bias)");
  }

  @Test
  void rejectsARequantWithoutItsTfliteFields() {
    assertRejected(
        mutate(CONV, r -> ((ObjectNode) r.get("requant")).remove("multiplier")),
        "requant.multiplier",
        FILE + ": requant.multiplier: missing required field");
  }

  @Test
  void fullyConnectedTakesNoDilation() {
    assertRejected(
        mutate(FC_FLOAT, r -> r.set("dilation", ints(1, 2))),
        "dilation",
        FILE
            + ": dilation: fully_connected takes no dilation: omit it or write [1, 1], found"
            + " [1, 2]");
  }

  /**
   * QuantizedLayer's output-size check has no entry in the reader's field table, so it is reported
   * on {@code op} (QuantizedLayer.outputSize: (3 + 2 * (2^31 - 1) - 2) / 1 + 1 = 2^32).
   */
  @Test
  void anOverflowingPaddingIsReportedWithTheLayersMessage() {
    assertRejected(
        mutate(CONV, r -> r.set("padding", ints(Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0))),
        "op",
        FILE
            + ": op: output size 4294967296 does not fit in 32 bits (input 3, padding 2147483647"
            + " + 2147483647, kernel 2, dilation 1)");
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * Asserts that reading {@code json} fails with a message that starts with the file and {@code
   * field} and contains {@code expected} (a full message when it starts with the file name).
   */
  private static void assertRejected(String json, String field, String expected) {
    CaseFormatException e =
        assertThrows(CaseFormatException.class, () -> CaseReader.read(FILE, json));
    assertEquals(FILE, e.file());
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(FILE + ": " + field + ": "), e.getMessage());
    if (expected.startsWith(FILE)) {
      assertEquals(expected, e.getMessage());
    } else {
      assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
  }

  private static String mutate(String json, Consumer<ObjectNode> change) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(json);
      change.accept(root);
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode input(ObjectNode root) {
    return (ObjectNode) root.get("input");
  }

  private static ObjectNode filter(ObjectNode root) {
    return (ObjectNode) root.get("filter");
  }

  private static ObjectNode output(ObjectNode root) {
    return (ObjectNode) root.get("output");
  }

  private static ArrayNode multiplier(ObjectNode root) {
    return (ArrayNode) root.get("requant").get("multiplier");
  }

  private static JsonNode ints(long... values) {
    ArrayNode a = JSON.createArrayNode();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }
}
