package dev.npusim.golden.cases;

import static dev.npusim.golden.cases.JsonFields.child;
import static dev.npusim.golden.cases.JsonFields.element;
import static dev.npusim.golden.cases.JsonFields.optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.cases.JsonFields.Range;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The fields of the layer ops ({@code case-format.md}): {@code conv2d}, {@code depthwise_conv2d}
 * and {@code fully_connected}, read into a {@link GoldenCase}. Like {@link CaseReader}, every
 * rejection names the file and the JSON field; {@link QuantizedLayer}'s own checks are reported on
 * the field they concern ({@link #fieldOfLayerError}).
 */
final class LayerCaseFields {
  private static final Range Q31_MULTIPLIER = new Range("0 or Q31", 0, Integer.MAX_VALUE);
  private static final Range SHIFT = new Range("shift", -31, 31);

  private final JsonFields f;
  private final JsonNode root;
  private final String name;
  private final String source;
  private final Optional<String> comment;
  private final LayerKind kind;
  private Semantics semantics;
  private int outputChannels;

  LayerCaseFields(
      JsonFields f,
      JsonNode root,
      String name,
      String source,
      Optional<String> comment,
      LayerKind kind) {
    this.f = f;
    this.root = root;
    this.name = name;
    this.source = source;
    this.comment = comment;
    this.kind = kind;
  }

  /** Reads the layer's fields after the common ones {@link CaseReader} has read. */
  GoldenCase goldenCase() throws CaseFormatException {
    semantics = semantics();
    // Fields are read, and so errors reported, in the order of case-format.md.
    QuantizedLayer.Builder window = window();

    JsonNode inputNode = f.object(f.required(root, "", "input"), "input");
    JsonNode filterNode = f.object(f.required(root, "", "filter"), "filter");
    JsonNode outputNode = f.object(f.required(root, "", "output"), "output");
    DataType inputType = dtype(inputNode, "input");
    DataType filterType = dtype(filterNode, "filter");
    DataType outputType = dtype(outputNode, "output");

    // Shapes first: everything else is sized by them.
    TensorShape input = activationShape(inputNode, "input");
    TensorShape output = activationShape(outputNode, "output");
    outputChannels = output.c();
    int[] filterShape = filterShape(filterNode, input, output);
    if (output.n() != input.n()) {
      throw f.error(
          "output.shape[0]",
          "batch %s differs from the input batch %s (input.shape[0])",
          output.n(),
          input.n());
    }

    int inputZeroPoint = scalar(inputNode, "input", "zero_point", inputType);
    ImmutableIntArray inputData = data(inputNode, "input", input.elements(), range(inputType));

    int[] filterZeroPoints = filterZeroPoints(filterNode, filterType);
    ImmutableIntArray filterData =
        data(filterNode, "filter", product(filterShape), range(filterType));

    ImmutableIntArray bias = bias();
    Requantization requant = requantization();

    int outputZeroPoint = scalar(outputNode, "output", "zero_point", outputType);
    int activationMin = scalar(outputNode, "output", "activation_min", outputType);
    int activationMax = scalar(outputNode, "output", "activation_max", outputType);
    ImmutableIntArray outputData = data(outputNode, "output", output.elements(), range(outputType));

    OptionalDouble inputScale = optionalScale(inputNode, "input");
    OptionalDouble outputScale = optionalScale(outputNode, "output");
    ImmutableDoubleArray filterScales = filterScales(filterNode);

    boolean fc = kind == LayerKind.FULLY_CONNECTED;
    QuantizedLayer layer;
    try {
      layer =
          window
              .input(input)
              .output(output)
              .kernelH(fc ? 1 : filterShape[1])
              .kernelW(fc ? 1 : filterShape[2])
              .inputType(inputType)
              .filterType(filterType)
              .outputType(outputType)
              .inputZeroPoint(inputZeroPoint)
              .filterZeroPoints(ImmutableIntArray.copyOf(filterZeroPoints))
              .outputZeroPoint(outputZeroPoint)
              .activationMin(activationMin)
              .activationMax(activationMax)
              .filter(filterData)
              .bias(bias)
              .requant(requant)
              .build();
    } catch (IllegalArgumentException e) {
      throw f.error(fieldOfLayerError(e.getMessage()), "%s", e.getMessage());
    }
    requireWithinActivationRange(outputData, activationMin, activationMax);
    try {
      return new GoldenCase(
          name,
          source,
          comment,
          layer,
          inputData,
          outputData,
          inputScale,
          filterScales,
          outputScale);
    } catch (IllegalArgumentException e) {
      // Every GoldenCase condition is checked above with its field; this is a backstop.
      throw f.error("(root)", "%s", e.getMessage());
    }
  }

  private Semantics semantics() throws CaseFormatException {
    String semanticsName = f.string(f.required(root, "", "semantics"), "semantics");
    Semantics read = Semantics.fromCaseName(semanticsName);
    if (read == null) {
      throw f.error(
          "semantics",
          "unknown semantics \"%s\", expected one of %s",
          semanticsName,
          caseNames(Semantics.values()));
    }
    return read;
  }

  /** A layer builder holding the window fields: stride, dilation, padding and depth multiplier. */
  private QuantizedLayer.Builder window() throws CaseFormatException {
    // A fully connected layer has no stride, dilation, padding or depth multiplier: the fields
    // are optional for it and, when present, must be the trivial values (case-format.md).
    boolean fc = kind == LayerKind.FULLY_CONNECTED;
    int[] stride = geometry("stride", 2, Range.POSITIVE, fc ? new int[] {1, 1} : null);
    int[] dilation = geometry("dilation", 2, Range.POSITIVE, fc ? new int[] {1, 1} : null);
    int[] padding = geometry("padding", 4, Range.NON_NEGATIVE, fc ? new int[] {0, 0, 0, 0} : null);
    int depthMultiplier =
        geometry("depth_multiplier", 1, Range.POSITIVE, fc ? new int[] {1} : null)[0];
    if (fc) {
      requireTrivial("stride", stride, 1);
      requireTrivial("dilation", dilation, 1);
      requireTrivial("padding", padding, 0);
      requireTrivial("depth_multiplier", new int[] {depthMultiplier}, 1);
    }
    return QuantizedLayer.builder(kind, semantics)
        .strideH(stride[0])
        .strideW(stride[1])
        .dilationH(dilation[0])
        .dilationW(dilation[1])
        .padTop(padding[0])
        .padBottom(padding[1])
        .padLeft(padding[2])
        .padRight(padding[3])
        .depthMultiplier(depthMultiplier);
  }

  /** A required integer field {@code parent.key} in the range of {@code type}. */
  private int scalar(JsonNode node, String parent, String key, DataType type)
      throws CaseFormatException {
    return f.integer(f.required(node, parent, key), parent + "." + key, range(type));
  }

  private void requireWithinActivationRange(
      ImmutableIntArray outputData, int activationMin, int activationMax)
      throws CaseFormatException {
    for (int i = 0; i < outputData.length(); i++) {
      int v = outputData.get(i);
      if (v < activationMin || v > activationMax) {
        throw f.error(
            element("output.data", i),
            "value %s is outside [activation_min, activation_max] = [%s, %s]",
            v,
            activationMin,
            activationMax);
      }
    }
  }

  /**
   * A geometry field of {@code count} integers ({@code 1}: a scalar); required unless {@code
   * absent} (its value when missing) is given.
   */
  private int[] geometry(String key, int count, Range range, int[] absent)
      throws CaseFormatException {
    JsonNode node = absent == null ? f.required(root, "", key) : optional(root, key);
    if (node == null) {
      return absent;
    }
    return count == 1
        ? new int[] {f.integer(node, key, range)}
        : f.integers(node, key, count, range);
  }

  private void requireTrivial(String path, int[] values, int expected) throws CaseFormatException {
    for (int v : values) {
      if (v != expected) {
        int[] trivial = new int[values.length];
        Arrays.fill(trivial, expected);
        throw f.error(
            path,
            "fully_connected takes no %s: omit it or write %s, found %s",
            path,
            values.length == 1 ? expected : Arrays.toString(trivial),
            values.length == 1 ? values[0] : Arrays.toString(values));
      }
    }
  }

  /**
   * {@code dtype}: optional for the TFLite semantics (and then must be their type), required for
   * {@code float-requant}.
   */
  private DataType dtype(JsonNode tensor, String path) throws CaseFormatException {
    String dtypePath = child(path, "dtype");
    JsonNode node = optional(tensor, "dtype");
    DataType implied = semantics.dataType();
    if (node == null) {
      if (implied == null) {
        throw f.error(dtypePath, "missing required field (float-requant needs explicit dtypes)");
      }
      return implied;
    }
    String name = f.string(node, dtypePath);
    DataType type = DataType.fromCaseName(name);
    if (type == null) {
      throw f.error(
          dtypePath,
          "unknown dtype \"%s\", expected one of %s",
          name,
          caseNames(DataType.values()));
    }
    if (implied != null && type != implied) {
      throw f.error(
          dtypePath,
          "%s is %s throughout, found %s",
          semantics.caseName(),
          implied.caseName(),
          name);
    }
    return type;
  }

  /** {@code [N, H, W, C]}, or {@code [N, C]} for fully_connected (read as {@code [N, 1, 1, C]}). */
  private TensorShape activationShape(JsonNode tensor, String path) throws CaseFormatException {
    String shapePath = child(path, "shape");
    boolean fc = kind == LayerKind.FULLY_CONNECTED;
    int[] d = f.integers(f.required(tensor, path, "shape"), shapePath, fc ? 2 : 4, Range.POSITIVE);
    if (product(d) > Integer.MAX_VALUE) {
      throw f.error(shapePath, "%s holds too many elements", Arrays.toString(d));
    }
    return fc ? new TensorShape(d[0], 1, 1, d[1]) : new TensorShape(d[0], d[1], d[2], d[3]);
  }

  /**
   * The filter shape, checked against the activations: conv2d {@code [OC, KH, KW, IC]}, depthwise
   * {@code [1, KH, KW, IC * M]}, fully_connected {@code [OC, IC]}.
   */
  private int[] filterShape(JsonNode filter, TensorShape input, TensorShape output)
      throws CaseFormatException {
    boolean fc = kind == LayerKind.FULLY_CONNECTED;
    int[] d =
        f.integers(
            f.required(filter, "filter", "shape"), "filter.shape", fc ? 2 : 4, Range.POSITIVE);
    if (product(d) > Integer.MAX_VALUE) {
      throw f.error("filter.shape", "%s holds too many elements", Arrays.toString(d));
    }
    int filterIn;
    int filterOut;
    switch (kind) {
      case CONV2D -> {
        filterOut = d[0];
        filterIn = d[3];
      }
      case DEPTHWISE_CONV2D -> {
        if (d[0] != 1) {
          throw f.error(
              "filter.shape[0]", "depthwise filters are [1, KH, KW, IC * M], found %s", d[0]);
        }
        filterOut = d[3];
        filterIn = -1;
      }
      case FULLY_CONNECTED -> {
        filterOut = d[0];
        filterIn = d[1];
      }
      default -> throw new AssertionError(kind);
    }
    if (filterIn >= 0 && filterIn != input.c()) {
      throw f.error(
          "filter.shape",
          "filter input channels %s differ from the input's %s (input.shape)",
          filterIn,
          input.c());
    }
    if (filterOut != output.c()) {
      throw f.error(
          "output.shape",
          "output channels %s differ from the filter's %s (filter.shape)",
          output.c(),
          filterOut);
    }
    return d;
  }

  /** {@code data} of a tensor: exactly {@code elements} values, each within {@code range}. */
  private ImmutableIntArray data(JsonNode tensor, String path, long elements, Range range)
      throws CaseFormatException {
    String dataPath = child(path, "data");
    String shapePath = child(path, "shape");
    JsonNode node = f.required(tensor, path, "data");
    if (!node.isArray()) {
      throw f.error(dataPath, "expected an array of integers, found %s", JsonFields.describe(node));
    }
    if (node.size() != elements) {
      throw f.error(
          dataPath,
          "%s values, but %s %s holds %s",
          node.size(),
          shapePath,
          CaseReader.shapeText(tensor.get("shape")),
          elements);
    }
    return ImmutableIntArray.copyOf(f.integers(node, dataPath, range));
  }

  private int[] filterZeroPoints(JsonNode filter, DataType filterType) throws CaseFormatException {
    String path = "filter.zero_point";
    JsonNode node = f.required(filter, "filter", "zero_point");
    int[] zp = f.integerOrIntegers(node, path, range(filterType));
    checkPerChannelCount(path, zp.length);
    for (int i = 0; i < zp.length; i++) {
      if (semantics == Semantics.TFLITE_INT8 && zp[i] != 0) {
        throw f.error(
            node.isArray() ? element(path, i) : path,
            "tflite-int8 weights are symmetric: zero point must be 0, found %s",
            zp[i]);
      }
    }
    if (semantics == Semantics.TFLITE_UINT8 && zp.length != 1) {
      throw f.error(path, "tflite-uint8 has one filter zero point per tensor, found %s", zp.length);
    }
    return zp;
  }

  /** {@code bias}: JSON null (no bias) or {@code {"data": [OC int32 values]}}. */
  private ImmutableIntArray bias() throws CaseFormatException {
    JsonNode node = root.get("bias");
    if (node == null) {
      throw f.error("bias", "missing required field (use null for no bias)");
    }
    if (node.isNull()) {
      return null;
    }
    f.object(node, "bias");
    JsonNode data = f.required(node, "bias", "data");
    int[] values = f.integers(data, "bias.data", Range.INT32);
    if (values.length != outputChannels) {
      throw f.error(
          "bias.data",
          "%s values, expected %s (one per output channel)",
          values.length,
          outputChannels);
    }
    return ImmutableIntArray.copyOf(values);
  }

  /** Q31 {@code multiplier}/{@code shift} for TFLite, float32 {@code scale} for float-requant. */
  private Requantization requantization() throws CaseFormatException {
    JsonNode node = f.object(f.required(root, "", "requant"), "requant");
    if (semantics == Semantics.FLOAT_REQUANT) {
      JsonNode scaleNode = f.required(node, "requant", "scale");
      float[] scales = positiveFloats(scaleNode, "requant.scale");
      checkPerChannelCount("requant.scale", scales.length);
      return Requantization.FloatScale.of(scales);
    }
    int[] multipliers =
        f.integerOrIntegers(
            f.required(node, "requant", "multiplier"), "requant.multiplier", Q31_MULTIPLIER);
    for (int i = 0; i < multipliers.length; i++) {
      int m = multipliers[i];
      if (m != 0 && m < (1 << 30)) {
        throw f.error(
            element("requant.multiplier", i),
            "value %s is not 0 and outside the Q31 range [2^30, 2^31) = [%s, %s]",
            m,
            1 << 30,
            Integer.MAX_VALUE);
      }
    }
    int[] shifts =
        f.integerOrIntegers(f.required(node, "requant", "shift"), "requant.shift", SHIFT);
    checkPerChannelCount("requant.multiplier", multipliers.length);
    if (shifts.length != multipliers.length) {
      throw f.error(
          "requant.shift",
          "%s entries, but requant.multiplier has %s",
          shifts.length,
          multipliers.length);
    }
    if (semantics == Semantics.TFLITE_UINT8 && multipliers.length != 1) {
      throw f.error(
          "requant.multiplier",
          "tflite-uint8 has one multiplier/shift per tensor, found %s",
          multipliers.length);
    }
    return new Requantization.Q31(
        ImmutableIntArray.copyOf(multipliers), ImmutableIntArray.copyOf(shifts));
  }

  private float[] positiveFloats(JsonNode node, String path) throws CaseFormatException {
    if (!node.isArray()) {
      return new float[] {f.positiveFloat(node, path)};
    }
    if (node.isEmpty()) {
      throw f.error(path, "expected one value or a non-empty array, found an empty array");
    }
    float[] values = new float[node.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = f.positiveFloat(node.get(i), element(path, i));
    }
    return values;
  }

  private OptionalDouble optionalScale(JsonNode tensor, String path) throws CaseFormatException {
    JsonNode node = optional(tensor, "scale");
    return node == null
        ? OptionalDouble.empty()
        : OptionalDouble.of(f.positiveDouble(node, child(path, "scale")));
  }

  private ImmutableDoubleArray filterScales(JsonNode filter) throws CaseFormatException {
    String path = "filter.scale";
    JsonNode node = optional(filter, "scale");
    if (node == null) {
      return ImmutableDoubleArray.of();
    }
    if (!node.isArray()) {
      return ImmutableDoubleArray.of(f.positiveDouble(node, path));
    }
    checkPerChannelCount(path, node.size());
    ImmutableDoubleArray.Builder b = ImmutableDoubleArray.builder(node.size());
    for (int i = 0; i < node.size(); i++) {
      b.add(f.positiveDouble(node.get(i), element(path, i)));
    }
    return b.build();
  }

  /** Per-tensor (1) or per-output-channel ({@code OC}) entries. */
  private void checkPerChannelCount(String path, int count) throws CaseFormatException {
    if (count != 1 && count != outputChannels) {
      throw f.error(
          path,
          "%s entries, expected 1 (per tensor) or %s (per output channel)",
          count,
          outputChannels);
    }
  }

  /**
   * The JSON field a {@link QuantizedLayer} validation message is about, so that its rejections
   * read like the reader's own. Matched on the message's opening words; ordered so that a more
   * specific opening wins.
   */
  private static final List<Map.Entry<String, String>> LAYER_ERROR_FIELDS =
      List.of(
          Map.entry("kernel must be positive", "filter.shape"),
          Map.entry("stride must be", "stride"),
          Map.entry("dilation must be", "dilation"),
          Map.entry("padding must be", "padding"),
          Map.entry("depth multiplier must be", "depth_multiplier"),
          Map.entry("batch", "output.shape"),
          Map.entry("output spatial size", "output.shape"),
          Map.entry("depthwise output channels", "output.shape"),
          Map.entry("fully_connected has no depth multiplier", "depth_multiplier"),
          Map.entry("conv2d has no depth multiplier", "depth_multiplier"),
          Map.entry("fully_connected takes", "input.shape"),
          Map.entry("filter has", "filter.data"),
          Map.entry("filter value", "filter.data"),
          Map.entry("filter zero point", "filter.zero_point"),
          Map.entry("input zero point", "input.zero_point"),
          Map.entry("output zero point", "output.zero_point"),
          Map.entry("activation_min", "output.activation_min"),
          Map.entry("activation_max", "output.activation_max"),
          Map.entry("bias", "bias.data"),
          Map.entry("requantization", "requant"),
          Map.entry("tflite-int8 uses", "requant"),
          Map.entry("tflite-uint8 uses", "requant"),
          Map.entry("float-requant uses", "requant"),
          Map.entry("tflite-int8", "semantics"),
          Map.entry("tflite-uint8", "semantics"),
          Map.entry("shape", "output.shape"));

  static String fieldOfLayerError(String message) {
    String text = message == null ? "" : message;
    for (Map.Entry<String, String> e : LAYER_ERROR_FIELDS) {
      if (text.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return "op";
  }

  private static Range range(DataType type) {
    return Range.of(type);
  }

  /** Product of positive dimensions, saturating above the int range (never overflows). */
  private static long product(int[] dims) {
    long p = 1;
    for (int d : dims) {
      p *= d;
      if (p > Integer.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
    }
    return p;
  }

  private static String caseNames(Semantics[] values) {
    return String.join(", ", Arrays.stream(values).map(Semantics::caseName).toList());
  }

  private static String caseNames(DataType[] values) {
    return String.join(", ", Arrays.stream(values).map(DataType::caseName).toList());
  }
}
