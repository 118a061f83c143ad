package dev.npusim.golden.cases;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npusim.golden.reference.OperatorReference;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Padding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The ops without weights in the case format: one hand-worked file per op (the expected outputs are
 * worked out in the comments, and the integer reference must agree with them), what the reader
 * makes of each field, and one located message per kind of bad field.
 */
class OperatorCaseTest {
  private static final String FILE = "cases/op.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * int8 average pool, 2x2 filter, stride 2, TFLite SAME on a 3x3 input: ceil(3 / 2) = 2 outputs
   * per axis, total padding (2 - 1) * 2 + 2 - 3 = 1, all of it after (top 0, bottom 1).
   *
   * <pre>
   * input  1   2   3        window (0,0): 1 + 2 + 4 + 6 = 13 over 4 -> 3.25 -> 3
   *        4   6  -6        window (0,1): 3 + -6 = -3 over 2 -> -1.5 -> -2 (half away from 0)
   *       -8   9 -10        window (1,0): -8 + 9 = 1 over 2 -> 0.5 -> 1
   *                         window (1,1): -10 over 1 -> -10, clamped to activation_min -5
   * </pre>
   */
  static final String AVERAGE_POOL =
      """
      {
        "format": "npusim.case.v1", "name": "hand avg", "source": "hand-computed",
        "op": "average_pool_2d", "semantics": "tflite-int8",
        "filter_size": [2, 2], "stride": [2, 2], "padding": [0, 1, 0, 1],
        "input": {"shape": [1, 3, 3, 1], "zero_point": -5, "scale": 0.5,
                  "data": [1, 2, 3, 4, 6, -6, -8, 9, -10]},
        "output": {"shape": [1, 2, 2, 1], "zero_point": -5, "scale": 0.5,
                   "activation_min": -5, "activation_max": 127, "data": [3, -2, 1, -5]}
      }
      """;

  /**
   * uint8 max pool, 2x2 filter, stride 1, VALID on a 2x2x2 input: one output pixel, two channels.
   * Channel 0: max(10, 30, 250, 20) = 250, clamped to activation_max 240; channel 1: max(200, 100,
   * 0, 90) = 200.
   */
  static final String MAX_POOL =
      """
      {
        "format": "npusim.case.v1", "name": "hand max", "source": "hand-computed",
        "op": "max_pool_2d", "semantics": "tflite-uint8",
        "filter_size": [2, 2], "stride": [1, 1], "padding": [0, 0, 0, 0],
        "input": {"shape": [1, 2, 2, 2], "zero_point": 7, "data": [10, 200, 30, 100, 250, 0, 20, 90]},
        "output": {"shape": [1, 1, 1, 2], "zero_point": 7,
                   "activation_min": 0, "activation_max": 240, "data": [240, 200]}
      }
      """;

  /**
   * int8 ADD with input multipliers 1/2 (2^30, shift 0) and 1/4 (2^30, shift -1) and output
   * multiplier 2^-20 (2^30, shift -19). Each input minus its zero point is shifted left by 20 and
   * scaled exactly: (x1 - z1) * 2^19 and (x2 - z2) * 2^18. Their sum, 2^18 * S with S = 2 (x1 - z1)
   * + (x2 - z2), times 2^-20 is S / 4, rounded half away from zero; then + 3 and clamp to [-90,
   * 127]. With z1 = 1, z2 = -2:
   *
   * <pre>
   *   x1    x2    S                 S / 4    out
   *    5     2    8 + 4 = 12        3        6
   *   -3    -2    -8 + 0 = -8       -2       1
   *  127   127    252 + 129 = 381   95.25    98
   * -128  -128    -258 - 126 = -384 -96      -93 -> -90 (clamp)
   *    1     0    0 + 2 = 2         0.5 -> 1 4
   *    1    -4    0 - 2 = -2        -0.5 -> -1  2
   * </pre>
   */
  static final String ADD =
      """
      {
        "format": "npusim.case.v1", "name": "hand add", "source": "hand-computed",
        "op": "add", "semantics": "tflite-int8",
        "input1": {"shape": [1, 1, 2, 3], "zero_point": 1, "data": [5, -3, 127, -128, 1, 1]},
        "input2": {"shape": [1, 1, 2, 3], "zero_point": -2, "data": [2, -2, 127, -128, 0, -4]},
        "requant": {"left_shift": 20,
                    "input1_multiplier": 1073741824, "input1_shift": 0,
                    "input2_multiplier": 1073741824, "input2_shift": -1,
                    "output_multiplier": 1073741824, "output_shift": -19},
        "output": {"shape": [1, 1, 2, 3], "zero_point": 3,
                   "activation_min": -90, "activation_max": 127, "data": [6, 1, 98, -90, 4, 2]}
      }
      """;

  /**
   * int8 softmax, beta 1, input scale 1/16, rows of 4: probabilities of exp(scale * (x - max))
   * normalized, times 256, rounded, minus 128.
   *
   * <pre>
   * row 0: four equal values: 1/4 each = 64/256 -> -64
   * row 1: 10 and three -118, differences -128 LSB = -8: exp(-8) = 0.000335;
   *        1 / (1 + 3 * 0.000335) * 256 = 255.74 -> 256 -> 128, saturated to 127;
   *        0.000335 * 255.74 = 0.086 -> 0 -> -128
   * row 2: 20, 4, -128, -128: differences 0, -1, -9.25, -9.25; exps 1, 0.367879, 0.000096, 0.000096
   *        sum 1.368072: 256 / 1.368072 = 187.13 -> 187 -> 59; 0.367879 * 187.13 = 68.84 -> 69 -> -59;
   *        0.000096 * 187.13 = 0.018 -> 0 -> -128
   * </pre>
   */
  static final String SOFTMAX =
      """
      {
        "format": "npusim.case.v1", "name": "hand softmax", "source": "hand-computed",
        "op": "softmax", "semantics": "tflite-int8", "beta": 1.0,
        "input": {"shape": [3, 4], "zero_point": 0, "scale": 0.0625,
                  "data": [0, 0, 0, 0, 10, -118, -118, -118, 20, 4, -128, -128]},
        "output": {"shape": [3, 4], "zero_point": -128, "scale": 0.00390625,
                   "data": [-64, -64, -64, -64, 127, -128, -128, -128, 59, -59, -128, -128]}
      }
      """;

  // ---- hand-worked cases: the reader's fields and the reference's agreement ---------------

  @Test
  void averagePoolByHand() throws Exception {
    PoolCase c = assertInstanceOf(PoolCase.class, CaseReader.readOperator(FILE, AVERAGE_POOL));
    PoolLayer l = c.layer();
    assertEquals(PoolLayer.Kind.AVERAGE, l.kind());
    assertEquals(DataType.INT8, l.type());
    assertEquals(new Padding(0, 1, 0, 1), c.padding());
    assertEquals(2, l.output().h());
    assertEquals(-5, c.zeroPoint());
    assertEquals(0.5, c.scale().getAsDouble());
    assertEquals("tflite-int8", c.semantics());
    assertArrayEquals(new int[] {3, -2, 1, -5}, c.expectedOutput().toArray());
    assertArrayEquals(c.expectedOutput().toArray(), OperatorReference.run(c));
  }

  @Test
  void maxPoolByHand() throws Exception {
    PoolCase c = assertInstanceOf(PoolCase.class, CaseReader.readOperator(FILE, MAX_POOL));
    assertEquals(PoolLayer.Kind.MAX, c.layer().kind());
    assertEquals(DataType.UINT8, c.layer().type());
    assertTrue(c.scale().isEmpty());
    assertArrayEquals(new int[] {240, 200}, OperatorReference.run(c));
  }

  @Test
  void addByHand() throws Exception {
    AddCase c = assertInstanceOf(AddCase.class, CaseReader.readOperator(FILE, ADD));
    assertEquals(1, c.layer().input1ZeroPoint());
    assertEquals(-1, c.layer().input2Shift());
    assertEquals(-19, c.layer().outputShift());
    assertArrayEquals(new int[] {6, 1, 98, -90, 4, 2}, OperatorReference.run(c));
  }

  /**
   * {@link #ADD}'s arithmetic with broadcast inputs (S = 2 (x1 - 1) + (x2 + 2), out = 3 + S / 4
   * rounded half away from zero). A per-channel input 2 of shape [1, 1, 1, 3], {2, -2, 0}, read for
   * both pixels of input 1:
   *
   * <pre>
   *   x1    x2    S                  S / 4          out
   *    5     2    8 + 4 = 12         3              6
   *   -3    -2    -8 + 0 = -8        -2             1
   *  127     0    252 + 2 = 254      63.5 -> 64     67
   * -128     2    -258 + 4 = -254    -63.5 -> -64   -61
   *    1    -2    0 + 0 = 0          0              3
   *    1     0    0 + 2 = 2          0.5 -> 1       4
   * </pre>
   *
   * Both sides broadcasting: input 1 [1, 1, 2, 1] = {5, 1} against the same input 2 gives the pairs
   * (5, 2) S 12 -> 6; (5, -2) S 8 -> 2 -> 5; (5, 0) S 10 -> 2.5 -> 3 -> 6; (1, 2) S 4 -> 1 -> 4;
   * (1, -2) S 0 -> 3; (1, 0) S 2 -> 1 -> 4.
   */
  @Test
  void broadcastAddByHand() throws Exception {
    String perChannel =
        ADD.replace(
            "\"input2\": {\"shape\": [1, 1, 2, 3], \"zero_point\": -2, \"data\": [2, -2, 127, -128,"
                + " 0, -4]}",
            "\"input2\": {\"shape\": [1, 1, 1, 3], \"zero_point\": -2, \"data\": [2, -2, 0]}");
    AddCase c = assertInstanceOf(AddCase.class, CaseReader.readOperator(FILE, perChannel));
    assertEquals(new TensorShape(1, 1, 1, 3), c.layer().input2Shape());
    assertEquals(new TensorShape(1, 1, 2, 3), c.layer().shape());
    assertArrayEquals(new int[] {6, 1, 67, -61, 3, 4}, OperatorReference.run(c));
    String bothSides =
        perChannel.replace(
            "\"input1\": {\"shape\": [1, 1, 2, 3], \"zero_point\": 1, \"data\": [5, -3, 127, -128, 1,"
                + " 1]}",
            "\"input1\": {\"shape\": [1, 1, 2, 1], \"zero_point\": 1, \"data\": [5, 1]}");
    AddCase both = assertInstanceOf(AddCase.class, CaseReader.readOperator(FILE, bothSides));
    assertArrayEquals(new int[] {6, 5, 6, 4, 3, 4}, OperatorReference.run(both));
  }

  @Test
  void softmaxByHand() throws Exception {
    SoftmaxCase c = assertInstanceOf(SoftmaxCase.class, CaseReader.readOperator(FILE, SOFTMAX));
    assertEquals(4, c.depth());
    assertEquals(1.0f, c.beta());
    // beta * scale * 2^26 = 2^22 = 0.5 * 2^23: multiplier 2^30, left shift 23;
    // diff_min = -floor(31 * 2^26 / 2^23) = -248.
    assertEquals(1 << 30, c.parameters().inputMultiplier());
    assertEquals(23, c.parameters().inputLeftShift());
    assertEquals(-248, c.parameters().diffMin());
    assertArrayEquals(
        new int[] {-64, -64, -64, -64, 127, -128, -128, -128, 59, -59, -128, -128},
        OperatorReference.run(c));
  }

  // ---- round trips -------------------------------------------------------------------------

  @Test
  void handCasesRoundTripThroughTheWriter() throws Exception {
    for (String json : new String[] {AVERAGE_POOL, MAX_POOL, ADD, SOFTMAX}) {
      OperatorCase c = CaseReader.readOperator(FILE, json);
      String written = CaseWriter.toJson(c);
      assertEquals(c, CaseReader.readOperator(FILE, written), written);
      assertEquals(written, CaseWriter.toJson(CaseReader.readOperator(FILE, written)));
    }
  }

  @Test
  void theLayerReaderNamesTheOpItCannotRead() {
    CaseFormatException e =
        assertThrows(CaseFormatException.class, () -> CaseReader.read(FILE, MAX_POOL));
    assertEquals("op", e.field());
    assertEquals(
        FILE
            + ": op: \"max_pool_2d\" is not a layer with a filter and requantization; expected one"
            + " of conv2d, depthwise_conv2d, fully_connected here",
        e.getMessage());
  }

  // ---- bad fields: one located message each -------------------------------------------------

  @Test
  void poolFieldsAreChecked() {
    rejected(AVERAGE_POOL, r -> r.remove("filter_size"), "filter_size", "missing required field");
    rejected(
        AVERAGE_POOL,
        r -> r.put("semantics", "float-requant"),
        "semantics",
        "average_pool_2d \"float-requant\" is not supported, expected tflite-int8 or tflite-uint8");
    rejected(
        AVERAGE_POOL,
        r -> r.putArray("dilation").add(1).add(1),
        "dilation",
        "average_pool_2d has no dilation");
    rejected(
        AVERAGE_POOL,
        r -> tensor(r, "output").put("zero_point", -4),
        "output.zero_point",
        "must equal input.zero_point -5, found -4");
    rejected(
        AVERAGE_POOL,
        r -> tensor(r, "output").put("scale", 0.25),
        "output.scale",
        "must equal input.scale 0.5, found 0.25");
    rejected(
        AVERAGE_POOL,
        r -> r.putArray("padding").add(0).add(0).add(0).add(0),
        "output.shape",
        "spatial size 2x2 differs from the 1x1");
    rejected(
        AVERAGE_POOL,
        r -> r.putArray("filter_size").add(5).add(5),
        "filter_size",
        "5x5 is larger than the padded 4x4 input");
    rejected(
        AVERAGE_POOL,
        r -> r.putArray("padding").add(2).add(0).add(0).add(1),
        "padding",
        "padding top 2, left 0 leaves the first window");
    rejected(
        AVERAGE_POOL,
        r ->
            ((com.fasterxml.jackson.databind.node.ArrayNode) tensor(r, "input").get("data"))
                .set(3, 128),
        "input.data[3]",
        "value 128 is outside int8 [-128, 127]");
    rejected(
        AVERAGE_POOL,
        r ->
            ((com.fasterxml.jackson.databind.node.ArrayNode) tensor(r, "output").get("data"))
                .set(3, -6),
        "output.data[3]",
        "value -6 is outside [activation_min, activation_max] = [-5, 127]");
    rejected(
        MAX_POOL,
        r -> tensor(r, "input").put("dtype", "int8"),
        "input.dtype",
        "tflite-uint8 is uint8 throughout, found int8");
  }

  @Test
  void addFieldsAreChecked() {
    rejected(ADD, r -> r.remove("input2"), "input2", "missing required field");
    rejected(
        ADD,
        r -> tensor(r, "input2").putArray("shape").add(1).add(1).add(3).add(3),
        "input2.shape",
        "input1 shape [1, 1, 2, 3] and input2 shape [1, 1, 3, 3] do not broadcast: dimension 2"
            + " (W) is 2 and 3, and neither is 1");
    rejected(
        ADD,
        r -> tensor(r, "input2").putArray("shape").add(1).add(2).add(1).add(3),
        "output.shape",
        "[1, 1, 2, 3] is not [1, 2, 2, 3], the shape input1.shape [1, 1, 2, 3] and input2.shape"
            + " [1, 2, 1, 3] broadcast to");
    rejected(
        ADD,
        r -> tensor(r, "input2").putArray("shape").add(1).add(1).add(1).add(3),
        "input2.data",
        "");
    rejected(
        ADD,
        r -> tensor(r, "requant").put("left_shift", 15),
        "requant.left_shift",
        "TFLite's 8-bit ADD shifts left by 20, found 15");
    rejected(
        ADD,
        r -> tensor(r, "requant").put("output_shift", 1),
        "requant.output_shift",
        "value 1 is outside right shift [-31, 0]");
    rejected(
        ADD,
        r -> tensor(r, "requant").put("input1_multiplier", 5),
        "requant.input1_multiplier",
        "value 5 is not 0 and outside the Q31 range");
    rejected(ADD, r -> r.remove("requant"), "requant", "missing required field");
    rejected(
        ADD,
        r -> tensor(r, "output").put("activation_max", -100),
        "output.activation_min",
        "activation_min -90 > activation_max -100");
  }

  @Test
  void softmaxFieldsAreChecked() {
    rejected(
        SOFTMAX,
        r -> tensor(r, "output").put("zero_point", 0),
        "output.zero_point",
        "TFLite's int8 softmax output has zero point -128, found 0");
    rejected(
        SOFTMAX,
        r -> tensor(r, "output").put("scale", 0.5),
        "output.scale",
        "scale 1/256 = 0.00390625, found 0.5");
    rejected(SOFTMAX, r -> tensor(r, "input").remove("scale"), "input.scale", "missing required");
    rejected(
        SOFTMAX, r -> r.put("beta", 1e-9), "beta", "beta * input scale must lie in (2^-26, 16)");
    rejected(
        SOFTMAX,
        r -> r.put("semantics", "tflite-uint8"),
        "semantics",
        "softmax \"tflite-uint8\" is not supported, expected tflite-int8");
    rejected(
        SOFTMAX,
        r -> tensor(r, "output").putArray("shape").add(4).add(3),
        "output.shape",
        "[4, 3] differs from input.shape [3, 4]");
    rejected(
        SOFTMAX,
        r -> tensor(r, "input").putArray("shape").add(1).add(1).add(1).add(3).add(4),
        "input.shape",
        "expected an array of 1 to 4 integers, found an array of 5 elements");
    rejected(SOFTMAX, r -> r.putObject("requant"), "requant", "softmax has no requantization");
  }

  private static void rejected(
      String json, Consumer<ObjectNode> change, String field, String expected) {
    String mutated;
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(json);
      change.accept(root);
      mutated = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CaseFormatException e =
        assertThrows(CaseFormatException.class, () -> CaseReader.readOperator(FILE, mutated));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(FILE + ": " + field + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static ObjectNode tensor(ObjectNode root, String name) {
    return (ObjectNode) root.get(name);
  }
}
