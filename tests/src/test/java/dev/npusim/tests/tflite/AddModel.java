package dev.npusim.tests.tflite;

import com.google.flatbuffers.FlatBufferBuilder;

/**
 * A one-operator {@code .tflite} with a single ADD, written with flatbuffers-java from the public
 * schema's field ids ({@code tensorflow/lite/schema/schema.fbs}), so that TFLite's own runtime and
 * npusim's importer read the same bytes. Input 2 is either a second model input or, when {@code
 * constant} is given, a constant tensor with its own buffer (the per-channel offset or scalar a
 * converter leaves in a real network).
 *
 * <p>{@link #float32} writes the float original of such a model: float32 tensors without
 * quantization and a float32 constant.
 *
 * @param type TFLite's {@code TensorType}: 9 for int8, 3 for uint8
 * @param activation {@code ActivationFunctionType}: 0 NONE, 1 RELU, 3 RELU6
 */
record AddModel(
    int type,
    int[] shape1,
    float scale1,
    int zero1,
    int[] shape2,
    float scale2,
    int zero2,
    int[] constant,
    int[] outShape,
    float outScale,
    int outZero,
    int activation) {

  static final int INT8 = 9;
  static final int UINT8 = 3;
  static final int FLOAT32 = 0;

  /** Tensor indices: input 1, input 2, output. */
  static final int INPUT1 = 0;

  static final int INPUT2 = 1;
  static final int OUTPUT = 2;

  byte[] bytes() {
    byte[] data = null;
    if (constant != null) {
      data = new byte[constant.length];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) constant[i];
      }
    }
    return build(data);
  }

  /**
   * A float32 ADD of {@code shape1} and {@code shape2} (a constant when {@code constant} is given,
   * stored little-endian as TFLite's buffers are) to {@code outShape}, with a fused activation.
   */
  static byte[] float32(
      int[] shape1, int[] shape2, float[] constant, int[] outShape, int activation) {
    byte[] data = null;
    if (constant != null) {
      java.nio.ByteBuffer buffer =
          java.nio.ByteBuffer.allocate(4 * constant.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (float f : constant) {
        buffer.putFloat(f);
      }
      data = buffer.array();
    }
    AddModel m =
        new AddModel(FLOAT32, shape1, 0, 0, shape2, 0, 0, null, outShape, 0, 0, activation);
    return m.build(data);
  }

  private byte[] build(byte[] constantData) {
    FlatBufferBuilder b = new FlatBufferBuilder();
    // Buffer 0 is the empty sentinel every activation points at; buffer 1 holds the constant.
    int empty = table(b);
    int constantBuffer = 0;
    if (constantData != null) {
      b.startVector(1, constantData.length, 1);
      for (int i = constantData.length - 1; i >= 0; i--) {
        b.addByte(constantData[i]);
      }
      int data = b.endVector();
      b.startTable(3); // Buffer
      b.addOffset(0, data, 0);
      constantBuffer = b.endTable();
    }
    int[] tensors = {
      tensor(b, "input1", shape1, scale1, zero1, 0),
      tensor(b, "input2", shape2, scale2, zero2, constantData == null ? 0 : 1),
      tensor(b, "output", outShape, outScale, outZero, 0)
    };
    int tensorVector = b.createVectorOfTables(tensors);
    b.startTable(2); // AddOptions
    b.addByte(0, (byte) activation, 0);
    int options = b.endTable();
    int opInputs = ints(b, INPUT1, INPUT2);
    int opOutputs = ints(b, OUTPUT);
    b.startTable(5); // Operator
    b.addInt(0, 0, 0); // opcode_index
    b.addOffset(1, opInputs, 0);
    b.addOffset(2, opOutputs, 0);
    b.addByte(3, (byte) 11, 0); // builtin_options_type: AddOptions
    b.addOffset(4, options, 0);
    int op = b.endTable();
    int operators = b.createVectorOfTables(new int[] {op});
    int inputs = constantData == null ? ints(b, INPUT1, INPUT2) : ints(b, INPUT1);
    int outputs = ints(b, OUTPUT);
    b.startTable(4); // SubGraph
    b.addOffset(0, tensorVector, 0);
    b.addOffset(1, inputs, 0);
    b.addOffset(2, outputs, 0);
    b.addOffset(3, operators, 0);
    int subgraph = b.endTable();
    b.startTable(4); // OperatorCode: ADD (builtin code 0), version 2 (8-bit ADD) or 1 (float)
    b.addByte(0, (byte) 0, 0);
    b.addInt(2, type == FLOAT32 ? 1 : 2, 1);
    b.addInt(3, 0, 0);
    int code = b.endTable();
    int codes = b.createVectorOfTables(new int[] {code});
    int subgraphs = b.createVectorOfTables(new int[] {subgraph});
    int buffers =
        b.createVectorOfTables(
            constantData == null ? new int[] {empty} : new int[] {empty, constantBuffer});
    b.startTable(5); // Model
    b.addInt(0, 3, 0);
    b.addOffset(1, codes, 0);
    b.addOffset(2, subgraphs, 0);
    b.addOffset(4, buffers, 0);
    int model = b.endTable();
    b.finish(model, "TFL3");
    return b.sizedByteArray();
  }

  private int tensor(
      FlatBufferBuilder b, String name, int[] shape, float scale, int zero, int buffer) {
    int nameOffset = b.createString(name);
    int shapeOffset = ints(b, shape);
    if (type == FLOAT32) {
      b.startTable(5); // Tensor without quantization
      b.addOffset(0, shapeOffset, 0);
      b.addByte(1, (byte) type, 0);
      b.addInt(2, buffer, 0);
      b.addOffset(3, nameOffset, 0);
      return b.endTable();
    }
    b.startVector(4, 1, 4);
    b.addFloat(scale);
    int scales = b.endVector();
    b.startVector(8, 1, 8);
    b.addLong(zero);
    int zeros = b.endVector();
    b.startTable(7); // QuantizationParameters
    b.addOffset(2, scales, 0);
    b.addOffset(3, zeros, 0);
    int quant = b.endTable();
    b.startTable(5); // Tensor
    b.addOffset(0, shapeOffset, 0);
    b.addByte(1, (byte) type, 0);
    b.addInt(2, buffer, 0);
    b.addOffset(3, nameOffset, 0);
    b.addOffset(4, quant, 0);
    return b.endTable();
  }

  private static int table(FlatBufferBuilder b) {
    b.startTable(1);
    return b.endTable();
  }

  private static int ints(FlatBufferBuilder b, int... values) {
    b.startVector(4, values.length, 4);
    for (int i = values.length - 1; i >= 0; i--) {
      b.addInt(values[i]);
    }
    return b.endVector();
  }
}
