package dev.npusim.golden.cases;

import static dev.npusim.golden.cases.JsonFields.child;
import static dev.npusim.golden.cases.JsonFields.element;
import static dev.npusim.golden.cases.JsonFields.optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.cases.JsonFields.Range;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Padding;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The fields of the ops without weights ({@code case-format.md}): {@code average_pool_2d}, {@code
 * max_pool_2d}, {@code add} and {@code softmax}. Like {@link CaseReader}, every rejection names the
 * file and the JSON field; the layer records' own checks are reported on the field they concern.
 */
final class OperatorCaseFields {
  /** The {@code op} strings read here, in the order the format documents them. */
  static final List<String> OPS = List.of("average_pool_2d", "max_pool_2d", "add", "softmax");

  /** Fields of the layer ops that have no meaning here: present, they are a mistake. */
  private static final List<String> LAYER_ONLY =
      List.of("dilation", "depth_multiplier", "filter", "bias");

  private static final Range Q31_MULTIPLIER = new Range("0 or Q31", 0, Integer.MAX_VALUE);
  private static final Range RIGHT_SHIFT = new Range("right shift", -31, 0);

  private final JsonFields f;
  private final JsonNode root;
  private final String name;
  private final String source;
  private final Optional<String> comment;
  private final String op;
  private DataType type;

  OperatorCaseFields(
      JsonFields f,
      JsonNode root,
      String name,
      String source,
      Optional<String> comment,
      String op) {
    this.f = f;
    this.root = root;
    this.name = name;
    this.source = source;
    this.comment = comment;
    this.op = op;
  }

  OperatorCase operatorCase() throws CaseFormatException {
    for (String field : LAYER_ONLY) {
      if (root.has(field)) {
        throw f.error(field, "%s has no %s (it is a field of the layer ops)", op, field);
      }
    }
    if (!op.equals("add") && root.has("requant")) {
      throw f.error("requant", "%s has no requantization", op);
    }
    type = semantics();
    return switch (op) {
      case "average_pool_2d", "max_pool_2d" -> pool();
      case "add" -> add();
      default -> softmax();
    };
  }

  /** tflite-int8 or tflite-uint8 (pooling and ADD); softmax is tflite-int8 only. */
  private DataType semantics() throws CaseFormatException {
    String text = f.string(f.required(root, "", "semantics"), "semantics");
    Semantics s = Semantics.fromCaseName(text);
    boolean softmax = op.equals("softmax");
    if (s == Semantics.TFLITE_INT8 || (s == Semantics.TFLITE_UINT8 && !softmax)) {
      return s.dataType();
    }
    throw f.error(
        "semantics",
        "%s \"%s\" is not supported, expected %s",
        op,
        text,
        softmax ? "tflite-int8" : "tflite-int8 or tflite-uint8");
  }

  private PoolCase pool() throws CaseFormatException {
    int[] filter =
        f.integers(f.required(root, "", "filter_size"), "filter_size", 2, Range.POSITIVE);
    int[] stride = f.integers(f.required(root, "", "stride"), "stride", 2, Range.POSITIVE);
    int[] pad = f.integers(f.required(root, "", "padding"), "padding", 4, Range.NON_NEGATIVE);
    JsonNode inputNode = tensor("input");
    JsonNode outputNode = tensor("output");
    TensorShape input = shape4(inputNode, "input");
    TensorShape output = shape4(outputNode, "output");
    if (output.n() != input.n() || output.c() != input.c()) {
      throw f.error(
          "output.shape", "%s keeps batch and channels: input %s, output %s", op, input, output);
    }
    int oh = PoolCase.outputSize(input.h(), filter[0], stride[0], pad[0], pad[1]);
    int ow = PoolCase.outputSize(input.w(), filter[1], stride[1], pad[2], pad[3]);
    if (oh == 0 || ow == 0) {
      throw f.error(
          "filter_size",
          "%sx%s is larger than the padded %sx%s input",
          filter[0],
          filter[1],
          (long) input.h() + pad[0] + pad[1],
          (long) input.w() + pad[2] + pad[3]);
    }
    if (output.h() != oh || output.w() != ow) {
      throw f.error(
          "output.shape",
          "spatial size %sx%s differs from the %sx%s that input.shape, filter_size, stride and"
              + " padding give (floor((in + before + after - filter) / stride) + 1)",
          output.h(),
          output.w(),
          oh,
          ow);
    }
    int zeroPoint = zeroPoint(inputNode, "input");
    int outputZeroPoint = zeroPoint(outputNode, "output");
    if (outputZeroPoint != zeroPoint) {
      throw f.error(
          "output.zero_point",
          "%s does not rescale: must equal input.zero_point %s, found %s",
          op,
          zeroPoint,
          outputZeroPoint);
    }
    OptionalDouble scale = scale(inputNode, "input");
    OptionalDouble outputScale = scale(outputNode, "output");
    if (scale.isPresent()
        && outputScale.isPresent()
        && scale.getAsDouble() != outputScale.getAsDouble()) {
      throw f.error(
          "output.scale",
          "%s does not rescale: must equal input.scale %s, found %s",
          op,
          scale.getAsDouble(),
          outputScale.getAsDouble());
    }
    if (scale.isEmpty()) {
      scale = outputScale;
    }
    int[] clamp = activationRange(outputNode);
    ImmutableIntArray inputData = data(inputNode, "input", input.elements(), Range.of(type));
    ImmutableIntArray outputData = outputData(outputNode, output.elements(), clamp);
    PoolLayer.Kind kind = op.equals("max_pool_2d") ? PoolLayer.Kind.MAX : PoolLayer.Kind.AVERAGE;
    PoolLayer layer;
    try {
      layer =
          new PoolLayer(
              kind, type, input, output, filter[0], filter[1], stride[0], stride[1], pad[0], pad[2],
              clamp[0], clamp[1]);
    } catch (IllegalArgumentException e) {
      throw f.error(poolField(e.getMessage()), "%s", e.getMessage());
    }
    try {
      return new PoolCase(
          name,
          source,
          comment,
          layer,
          new Padding(pad[0], pad[1], pad[2], pad[3]),
          zeroPoint,
          scale,
          inputData,
          outputData);
    } catch (IllegalArgumentException e) {
      throw f.error("(root)", "%s", e.getMessage()); // backstop: every condition is checked above
    }
  }

  /** The field a {@link PoolLayer} rejection is about. */
  private static String poolField(String message) {
    String m = message == null ? "" : message;
    if (m.startsWith("padding") || m.startsWith("output")) {
      return "padding";
    }
    if (m.startsWith("activation")) {
      return "output.activation_min";
    }
    return "filter_size";
  }

  private AddCase add() throws CaseFormatException {
    JsonNode in1 = tensor("input1");
    JsonNode in2 = tensor("input2");
    JsonNode outputNode = tensor("output");
    TensorShape shape = shape4(in1, "input1");
    TensorShape shape2 = shape4(in2, "input2");
    TensorShape output = shape4(outputNode, "output");
    TensorShape broadcast;
    try {
      broadcast = AddLayer.broadcast(shape, shape2);
    } catch (IllegalArgumentException e) {
      throw f.error("input2.shape", "%s", e.getMessage());
    }
    if (!output.equals(broadcast)) {
      throw f.error(
          "output.shape",
          "%s is not %s, the shape input1.shape %s and input2.shape %s broadcast to",
          output,
          broadcast,
          shape,
          shape2);
    }
    int z1 = zeroPoint(in1, "input1");
    int z2 = zeroPoint(in2, "input2");
    int zo = zeroPoint(outputNode, "output");
    OptionalDouble s1 = scale(in1, "input1");
    OptionalDouble s2 = scale(in2, "input2");
    OptionalDouble so = scale(outputNode, "output");
    JsonNode rq = f.object(f.required(root, "", "requant"), "requant");
    int leftShift =
        f.integer(
            f.required(rq, "requant", "left_shift"), "requant.left_shift", Range.NON_NEGATIVE);
    if (leftShift != AddLayer.LEFT_SHIFT) {
      throw f.error(
          "requant.left_shift",
          "TFLite's 8-bit ADD shifts left by %s, found %s",
          AddLayer.LEFT_SHIFT,
          leftShift);
    }
    int m1 = multiplier(rq, "input1_multiplier");
    int sh1 =
        f.integer(f.required(rq, "requant", "input1_shift"), "requant.input1_shift", RIGHT_SHIFT);
    int m2 = multiplier(rq, "input2_multiplier");
    int sh2 =
        f.integer(f.required(rq, "requant", "input2_shift"), "requant.input2_shift", RIGHT_SHIFT);
    int mo = multiplier(rq, "output_multiplier");
    int sho =
        f.integer(f.required(rq, "requant", "output_shift"), "requant.output_shift", RIGHT_SHIFT);
    int[] clamp = activationRange(outputNode);
    ImmutableIntArray data1 = data(in1, "input1", shape.elements(), Range.of(type));
    ImmutableIntArray data2 = data(in2, "input2", shape2.elements(), Range.of(type));
    ImmutableIntArray outputData = outputData(outputNode, output.elements(), clamp);
    AddLayer layer;
    try {
      layer =
          new AddLayer(
              type, shape, shape2, z1, m1, sh1, z2, m2, sh2, zo, mo, sho, clamp[0], clamp[1]);
    } catch (IllegalArgumentException e) {
      throw f.error("requant", "%s", e.getMessage()); // backstop: ranges are checked above
    }
    try {
      return new AddCase(name, source, comment, layer, data1, data2, outputData, s1, s2, so);
    } catch (IllegalArgumentException e) {
      throw f.error("(root)", "%s", e.getMessage());
    }
  }

  private int multiplier(JsonNode requant, String field) throws CaseFormatException {
    String path = child("requant", field);
    int m = f.integer(f.required(requant, "requant", field), path, Q31_MULTIPLIER);
    if (m != 0 && m < (1 << 30)) {
      throw f.error(
          path,
          "value %s is not 0 and outside the Q31 range [2^30, 2^31) = [%s, %s]",
          m,
          1 << 30,
          Integer.MAX_VALUE);
    }
    return m;
  }

  private SoftmaxCase softmax() throws CaseFormatException {
    float beta = f.positiveFloat(f.required(root, "", "beta"), "beta");
    JsonNode inputNode = tensor("input");
    JsonNode outputNode = tensor("output");
    int[] shape = shapeAnyRank(inputNode, "input");
    int[] outputShape = shapeAnyRank(outputNode, "output");
    if (!Arrays.equals(shape, outputShape)) {
      throw f.error(
          "output.shape",
          "%s differs from input.shape %s",
          Arrays.toString(outputShape),
          Arrays.toString(shape));
    }
    int zeroPoint = zeroPoint(inputNode, "input");
    float inputScale = f.positiveFloat(f.required(inputNode, "input", "scale"), "input.scale");
    int outputZeroPoint = zeroPoint(outputNode, "output");
    if (outputZeroPoint != SoftmaxCase.OUTPUT_ZERO_POINT) {
      throw f.error(
          "output.zero_point",
          "TFLite's int8 softmax output has zero point %s, found %s",
          SoftmaxCase.OUTPUT_ZERO_POINT,
          outputZeroPoint);
    }
    OptionalDouble outputScale = scale(outputNode, "output");
    if (outputScale.isPresent() && outputScale.getAsDouble() != SoftmaxCase.OUTPUT_SCALE) {
      throw f.error(
          "output.scale",
          "TFLite's int8 softmax output has scale 1/256 = 0.00390625, found %s",
          outputScale.getAsDouble());
    }
    try {
      dev.npusim.golden.reference.SoftmaxReference.prepare(beta, inputScale);
    } catch (IllegalArgumentException e) {
      throw f.error("beta", "%s", e.getMessage());
    }
    long elements = 1;
    for (int d : shape) {
      elements *= d;
    }
    ImmutableIntArray inputData = data(inputNode, "input", elements, Range.of(type));
    ImmutableIntArray outputData = outputData(outputNode, elements, new int[] {-128, 127});
    try {
      return new SoftmaxCase(
          name,
          source,
          comment,
          ImmutableIntArray.copyOf(shape),
          zeroPoint,
          inputScale,
          beta,
          inputData,
          outputData);
    } catch (IllegalArgumentException e) {
      throw f.error("(root)", "%s", e.getMessage());
    }
  }

  private JsonNode tensor(String path) throws CaseFormatException {
    JsonNode node = f.object(f.required(root, "", path), path);
    JsonNode dtype = optional(node, "dtype");
    if (dtype != null) {
      String text = f.string(dtype, child(path, "dtype"));
      if (!text.equals(type.caseName())) {
        throw f.error(
            child(path, "dtype"),
            "%s is %s throughout, found %s",
            PoolCase.semanticsOf(type).caseName(),
            type.caseName(),
            text);
      }
    }
    return node;
  }

  private TensorShape shape4(JsonNode tensor, String path) throws CaseFormatException {
    String shapePath = child(path, "shape");
    int[] d = f.integers(f.required(tensor, path, "shape"), shapePath, 4, Range.POSITIVE);
    checkElements(d, shapePath);
    return new TensorShape(d[0], d[1], d[2], d[3]);
  }

  private int[] shapeAnyRank(JsonNode tensor, String path) throws CaseFormatException {
    String shapePath = child(path, "shape");
    JsonNode node = f.required(tensor, path, "shape");
    if (!node.isArray() || node.isEmpty() || node.size() > 4) {
      throw f.error(
          shapePath, "expected an array of 1 to 4 integers, found %s", JsonFields.describe(node));
    }
    int[] d = f.integers(node, shapePath, Range.POSITIVE);
    checkElements(d, shapePath);
    return d;
  }

  private void checkElements(int[] d, String shapePath) throws CaseFormatException {
    long p = 1;
    for (int v : d) {
      p *= v;
      if (p > Integer.MAX_VALUE) {
        throw f.error(shapePath, "%s holds too many elements", Arrays.toString(d));
      }
    }
  }

  private int zeroPoint(JsonNode tensor, String path) throws CaseFormatException {
    return f.integer(
        f.required(tensor, path, "zero_point"), child(path, "zero_point"), Range.of(type));
  }

  private OptionalDouble scale(JsonNode tensor, String path) throws CaseFormatException {
    JsonNode node = optional(tensor, "scale");
    return node == null
        ? OptionalDouble.empty()
        : OptionalDouble.of(f.positiveDouble(node, child(path, "scale")));
  }

  /** {@code [activation_min, activation_max]} within the type, min not above max. */
  private int[] activationRange(JsonNode output) throws CaseFormatException {
    int min =
        f.integer(
            f.required(output, "output", "activation_min"),
            "output.activation_min",
            Range.of(type));
    int max =
        f.integer(
            f.required(output, "output", "activation_max"),
            "output.activation_max",
            Range.of(type));
    if (min > max) {
      throw f.error("output.activation_min", "activation_min %s > activation_max %s", min, max);
    }
    return new int[] {min, max};
  }

  private ImmutableIntArray outputData(JsonNode output, long elements, int[] clamp)
      throws CaseFormatException {
    ImmutableIntArray data = data(output, "output", elements, Range.of(type));
    for (int i = 0; i < data.length(); i++) {
      int v = data.get(i);
      if (v < clamp[0] || v > clamp[1]) {
        throw f.error(
            element("output.data", i),
            "value %s is outside [activation_min, activation_max] = [%s, %s]",
            v,
            clamp[0],
            clamp[1]);
      }
    }
    return data;
  }

  private ImmutableIntArray data(JsonNode tensor, String path, long elements, Range range)
      throws CaseFormatException {
    String dataPath = child(path, "data");
    JsonNode node = f.required(tensor, path, "data");
    if (!node.isArray()) {
      throw f.error(dataPath, "expected an array of integers, found %s", JsonFields.describe(node));
    }
    if (node.size() != elements) {
      throw f.error(
          dataPath,
          "%s values, but %s %s holds %s",
          node.size(),
          child(path, "shape"),
          CaseReader.shapeText(tensor.get("shape")),
          elements);
    }
    return ImmutableIntArray.copyOf(f.integers(node, dataPath, range));
  }
}
