package dev.npusim.models.tflite;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.models.tflite.CheckedFlatBuffer.Table;
import dev.npusim.models.tflite.CheckedFlatBuffer.Vector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code .tflite} file (the FlatBuffer of TensorFlow Lite's public {@code schema.fbs},
 * identifier {@code TFL3}) into a checked {@link TfliteModel}.
 *
 * <p>The accessors below are written from the schema's field ids (a FlatBuffer stores ids, not
 * names). Every offset is checked before it is followed (see {@link CheckedFlatBuffer}); then every
 * tensor's type, its data size against its shape, its quantization parameter count against its
 * channels, and every operator's code, tensor indices and options. Each violation is one {@link
 * ModelFormatException} naming the file and the tensor or operator index.
 */
public final class TfliteReader {
  private static final String IDENTIFIER = "TFL3";

  // Field ids of schema.fbs (a union takes two ids: its type tag, then its value).
  private static final int MODEL_OPERATOR_CODES = 1;
  private static final int MODEL_SUBGRAPHS = 2;
  private static final int MODEL_DESCRIPTION = 3;
  private static final int MODEL_BUFFERS = 4;
  private static final int CODE_DEPRECATED_BUILTIN = 0;
  private static final int CODE_CUSTOM = 1;
  private static final int CODE_BUILTIN = 3;
  private static final int SUBGRAPH_TENSORS = 0;
  private static final int SUBGRAPH_INPUTS = 1;
  private static final int SUBGRAPH_OUTPUTS = 2;
  private static final int SUBGRAPH_OPERATORS = 3;
  private static final int TENSOR_SHAPE = 0;
  private static final int TENSOR_TYPE = 1;
  private static final int TENSOR_BUFFER = 2;
  private static final int TENSOR_NAME = 3;
  private static final int TENSOR_QUANTIZATION = 4;
  private static final int TENSOR_SPARSITY = 6;
  private static final int QUANT_SCALE = 2;
  private static final int QUANT_ZERO_POINT = 3;
  private static final int QUANT_DIMENSION = 6;
  private static final int BUFFER_DATA = 0;
  private static final int BUFFER_OFFSET = 1;
  private static final int BUFFER_SIZE = 2;
  private static final int OP_OPCODE_INDEX = 0;
  private static final int OP_INPUTS = 1;
  private static final int OP_OUTPUTS = 2;
  private static final int OP_OPTIONS_TYPE = 3;
  private static final int OP_OPTIONS = 4;
  private static final int CUSTOM_CODE = 32;

  private final CheckedFlatBuffer fb;
  private final String file;
  private final List<String> notes = new ArrayList<>();

  private TfliteReader(String file, byte[] data) {
    this.file = file;
    this.fb = new CheckedFlatBuffer(file, data);
  }

  /** Reads and checks a model file; the file name in messages is the path's file name. */
  public static TfliteModel read(Path path) throws IOException {
    // Bounded, regular files only (issue 12): see InputFiles.
    return read(path.getFileName().toString(), InputFiles.readAllBytes(path));
  }

  /**
   * Reads and checks a model held in memory.
   *
   * @param file the name to use in messages
   * @throws ModelFormatException at the first violation
   */
  public static TfliteModel read(String file, byte[] data) {
    return new TfliteReader(file, data).model();
  }

  private TfliteModel model() {
    if (fb.size() < 8) {
      throw fb.error(
          "", "truncated: " + fb.size() + " bytes, shorter than a FlatBuffer's 8-byte header");
    }
    if (!fb.hasIdentifier(IDENTIFIER)) {
      throw fb.error(
          "",
          "file identifier is '"
              + fb.identifierText()
              + "', expected '"
              + IDENTIFIER
              + "' (not a TFLite model)");
    }
    Table model = fb.root("model");
    String description = fb.stringField(model, MODEL_DESCRIPTION, "description");
    List<Integer> codes = operatorCodes(model);
    Vector buffers = fb.vectorField(model, MODEL_BUFFERS, "buffers", 4);
    Vector subgraphs = fb.vectorField(model, MODEL_SUBGRAPHS, "subgraphs", 4);
    if (subgraphs == null || subgraphs.length() != 1) {
      throw fb.error(
          "model",
          (subgraphs == null ? 0 : subgraphs.length())
              + " subgraphs; npusim reads models with exactly one");
    }
    Table subgraph = fb.tableAt(subgraphs, 0, "subgraph 0");
    Vector tensorVector = fb.vectorField(subgraph, SUBGRAPH_TENSORS, "tensors", 4);
    int tensorCount = tensorVector == null ? 0 : tensorVector.length();
    ImmutableList.Builder<TfliteTensor> tensors = ImmutableList.builder();
    for (int i = 0; i < tensorCount; i++) {
      tensors.add(tensor(fb.tableAt(tensorVector, i, "tensor " + i), i, buffers));
    }
    ImmutableIntArray inputs = tensorList(subgraph, SUBGRAPH_INPUTS, "inputs", tensorCount);
    ImmutableIntArray outputs = tensorList(subgraph, SUBGRAPH_OUTPUTS, "outputs", tensorCount);
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw fb.error("subgraph 0", "the model has no inputs or no outputs");
    }
    Vector opVector = fb.vectorField(subgraph, SUBGRAPH_OPERATORS, "operators", 4);
    ImmutableList.Builder<TfliteOperator> operators = ImmutableList.builder();
    for (int i = 0; opVector != null && i < opVector.length(); i++) {
      operators.add(operator(fb.tableAt(opVector, i, "operator " + i), i, codes, tensorCount));
    }
    return new TfliteModel(
        file,
        description == null ? "" : description,
        tensors.build(),
        operators.build(),
        inputs,
        outputs,
        ImmutableList.copyOf(notes));
  }

  private List<Integer> operatorCodes(Table model) {
    Vector v = fb.vectorField(model, MODEL_OPERATOR_CODES, "operator_codes", 4);
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; v != null && i < v.length(); i++) {
      Table code = fb.tableAt(v, i, "operator code " + i);
      // Files from before builtin_code existed only fill the deprecated byte; newer ones fill both
      // (the byte saturated at 127); the larger is the operator.
      int deprecated =
          fb.byteField(code, CODE_DEPRECATED_BUILTIN, "deprecated_builtin_code", (byte) 0);
      int builtin = fb.intField(code, CODE_BUILTIN, "builtin_code", 0);
      int effective = Math.max(deprecated, builtin);
      if (effective == CUSTOM_CODE) {
        String custom = fb.stringField(code, CODE_CUSTOM, "custom_code");
        codes.add(-1 - i); // remembered as custom; named when an operator uses it
        customNames.add(custom == null ? "" : custom);
      } else {
        codes.add(effective);
        customNames.add(null);
      }
    }
    return codes;
  }

  private final List<String> customNames = new ArrayList<>();

  private TfliteTensor tensor(Table t, int index, Vector buffers) {
    String where = "tensor " + index;
    String name = fb.stringField(t, TENSOR_NAME, "name");
    if (name == null) {
      name = "";
    }
    String label = where + " '" + name + "'";
    Vector shapeVector = fb.vectorField(t, TENSOR_SHAPE, "shape", 4);
    int[] shape = shapeVector == null ? new int[0] : fb.ints(shapeVector);
    long elements = 1;
    for (int d : shape) {
      if (d < 0) {
        throw fb.error(label, "shape " + shapeText(shape) + " has a negative (dynamic) dimension");
      }
      elements *= d;
      if (elements > Integer.MAX_VALUE) {
        throw fb.error(label, "shape " + shapeText(shape) + " has more than 2^31 elements");
      }
    }
    int typeCode = fb.byteField(t, TENSOR_TYPE, "type", (byte) 0);
    TensorType type = TensorType.ofCode(typeCode);
    if (type == null) {
      throw fb.error(
          label,
          "tensor type "
              + typeCode
              + " is not supported (npusim reads FLOAT32, INT32, UINT8, INT64, INT16, INT8)");
    }
    if (fb.tableField(t, TENSOR_SPARSITY, "sparsity", label) != null) {
      throw fb.error(label, "sparse tensors are not supported");
    }
    ByteBuffer data = bufferData(t, label, buffers, elements, type, shape);
    Quantization q = quantization(t, label, shape);
    return new TfliteTensor(index, name, type, ImmutableIntArray.copyOf(shape), q, data);
  }

  private ByteBuffer bufferData(
      Table t, String label, Vector buffers, long elements, TensorType type, int[] shape) {
    long bufferIndex = Integer.toUnsignedLong(fb.intField(t, TENSOR_BUFFER, "buffer", 0));
    int bufferCount = buffers == null ? 0 : buffers.length();
    if (bufferIndex >= bufferCount) {
      if (bufferIndex == 0) {
        return null; // no buffers at all: every tensor is an activation
      }
      throw fb.error(
          label, "buffer " + bufferIndex + " does not exist (" + bufferCount + " buffers)");
    }
    String where = label + ", buffer " + bufferIndex;
    Table buffer = fb.tableAt(buffers, (int) bufferIndex, where);
    byte[] bytes;
    long offset = fb.longField(buffer, BUFFER_OFFSET, "offset", 0);
    if (offset > 1) {
      // Large models keep constants after the FlatBuffer, at an offset from the file's start.
      long size = fb.longField(buffer, BUFFER_SIZE, "size", 0);
      bytes = fb.slice(offset, size, where, "data");
    } else {
      Vector v = fb.vectorField(buffer, BUFFER_DATA, "data", 1);
      bytes = v == null ? new byte[0] : fb.slice(v.start(), v.length(), where, "data");
    }
    if (bytes.length == 0) {
      return null;
    }
    long expected = elements * type.bytes();
    if (bytes.length != expected) {
      throw fb.error(
          where,
          "holds "
              + bytes.length
              + " bytes, but shape "
              + shapeText(shape)
              + " of "
              + type
              + " needs "
              + expected);
    }
    return ByteBuffer.wrap(bytes);
  }

  private Quantization quantization(Table t, String label, int[] shape) {
    Table q = fb.tableField(t, TENSOR_QUANTIZATION, "quantization", label);
    if (q == null) {
      return null;
    }
    Vector scaleVector = fb.vectorField(q, QUANT_SCALE, "scale", 4);
    if (scaleVector == null || scaleVector.length() == 0) {
      return null; // only min/max, or nothing: not an affine-quantized tensor
    }
    float[] scales = fb.floats(scaleVector);
    Vector zeroVector = fb.vectorField(q, QUANT_ZERO_POINT, "zero_point", 8);
    long[] zeroPoints = zeroVector == null ? new long[0] : fb.longs(zeroVector);
    if (zeroPoints.length != scales.length) {
      throw fb.error(
          label, scales.length + " quantization scales but " + zeroPoints.length + " zero points");
    }
    for (int i = 0; i < scales.length; i++) {
      if (!(Float.isFinite(scales[i]) && scales[i] >= 0)) {
        throw fb.error(
            label,
            "quantization scale["
                + i
                + "] = "
                + scales[i]
                + " is not a finite, non-negative number");
      }
    }
    int dimension = fb.intField(q, QUANT_DIMENSION, "quantized_dimension", 0);
    if (scales.length > 1) {
      if (shape.length == 1 && dimension >= 1 && scales.length == shape[0]) {
        // person_detect's old converter wrote quantized_dimension = 3 on its 1-D int32 biases. For
        // a
        // bias the per-channel axis can only be its one dimension; TFLite Micro reads it so.
        notes.add(
            label
                + ": quantized_dimension "
                + dimension
                + " on a 1-D tensor of "
                + scales.length
                + " per-channel scales, read as dimension 0 (an old converter's output;"
                + " TFLite Micro reads it the same way)");
        dimension = 0;
      } else if (dimension < 0 || dimension >= shape.length) {
        throw fb.error(
            label, "quantized_dimension " + dimension + " is outside shape " + shapeText(shape));
      } else if (scales.length != shape[dimension]) {
        throw fb.error(
            label,
            scales.length
                + " quantization scales for "
                + shape[dimension]
                + " channels (dimension "
                + dimension
                + " of shape "
                + shapeText(shape)
                + ")");
      }
    } else {
      dimension = 0;
    }
    double[] wide = new double[scales.length];
    for (int i = 0; i < scales.length; i++) {
      wide[i] = scales[i];
    }
    return new Quantization(
        ImmutableDoubleArray.copyOf(wide), ImmutableLongArray.copyOf(zeroPoints), dimension);
  }

  private ImmutableIntArray tensorList(Table subgraph, int id, String name, int tensorCount) {
    // The subgraph's inputs and outputs are checked as an operator's operands are, none omitted.
    return ImmutableIntArray.copyOf(operands(subgraph, id, name, "subgraph 0", tensorCount, false));
  }

  private TfliteOperator operator(Table t, int index, List<Integer> codes, int tensorCount) {
    String where = "operator " + index;
    long codeIndex = Integer.toUnsignedLong(fb.intField(t, OP_OPCODE_INDEX, "opcode_index", 0));
    if (codeIndex >= codes.size()) {
      throw fb.error(
          where, "opcode_index " + codeIndex + " is past the " + codes.size() + " operator codes");
    }
    int code = codes.get((int) codeIndex);
    BuiltinOperator op = code < 0 ? null : BuiltinOperator.ofCode(code);
    if (op == null) {
      String name =
          code < 0
              ? "custom operator '" + customNames.get((int) codeIndex) + "'"
              : BuiltinOperator.schemaName(code);
      throw fb.error(
          where,
          name + " is not supported; supported operators: " + BuiltinOperator.supportedList());
    }
    where = where + " (" + op + ")";
    int[] inputs = operands(t, OP_INPUTS, "inputs", where, tensorCount, true);
    int[] outputs = operands(t, OP_OUTPUTS, "outputs", where, tensorCount, false);
    checkArity(op, inputs.length, outputs.length, where);
    int optionsType =
        Byte.toUnsignedInt(fb.byteField(t, OP_OPTIONS_TYPE, "builtin_options_type", (byte) 0));
    Table options = fb.tableField(t, OP_OPTIONS, "builtin_options", where);
    if (options != null && optionsType != op.optionsType()) {
      throw fb.error(
          where, "builtin options of union type " + optionsType + ", expected " + op.optionsType());
    }
    OperatorOptions parsed = OptionsTables.parse(fb, op, options, where);
    return new TfliteOperator(
        index, op, ImmutableIntArray.copyOf(inputs), ImmutableIntArray.copyOf(outputs), parsed);
  }

  private int[] operands(
      Table t, int id, String name, String where, int tensorCount, boolean optionalAllowed) {
    Vector v = fb.vectorField(t, id, name, 4);
    int[] indices = v == null ? new int[0] : fb.ints(v);
    for (int i = 0; i < indices.length; i++) {
      boolean omitted = optionalAllowed && indices[i] == -1;
      if (!omitted && (indices[i] < 0 || indices[i] >= tensorCount)) {
        throw fb.error(
            where,
            name
                + "["
                + i
                + "] = tensor "
                + indices[i]
                + ", but there are "
                + tensorCount
                + " tensors");
      }
    }
    return indices;
  }

  private void checkArity(BuiltinOperator op, int inputs, int outputs, String where) {
    int min;
    int max;
    switch (op) {
      case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED -> {
        min = 2;
        max = 3;
      }
      case ADD -> {
        min = 2;
        max = 2;
      }
      case RESHAPE -> {
        min = 1;
        max = 2;
      }
      default -> {
        min = 1;
        max = 1;
      }
    }
    if (inputs < min || inputs > max) {
      throw fb.error(
          where,
          inputs + " inputs, expected " + (min == max ? String.valueOf(min) : min + " or " + max));
    }
    if (outputs != 1) {
      throw fb.error(where, outputs + " outputs, expected 1");
    }
  }

  static String shapeText(int[] shape) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      s.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return s.append(']').toString();
  }
}
