package dev.npusim.models.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TfliteReaderTest {
  static byte[] resource(String name) throws IOException {
    try (InputStream in = TfliteReaderTest.class.getResourceAsStream("/models/tflite/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void readsPersonDetectAsTheDataReadmeDescribesIt() throws IOException {
    TfliteModel m = TfliteReader.read("person_detect.tflite", resource("person_detect.tflite"));
    // README: 14 CONV_2D, 14 DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, RESHAPE, SOFTMAX.
    assertEquals(31, m.operators().size());
    assertEquals(14, m.operators().stream().filter(o -> o.op() == BuiltinOperator.CONV_2D).count());
    assertEquals(
        14,
        m.operators().stream().filter(o -> o.op() == BuiltinOperator.DEPTHWISE_CONV_2D).count());
    TfliteTensor input = m.input();
    assertEquals(TensorType.INT8, input.type());
    assertEquals(Arrays.asList(1, 96, 96, 1), input.shape().asList());
    // README: scale 1/127.5, zero point -1.
    assertEquals(1 / 127.5, input.quantization().scale(), 1e-7);
    assertEquals(-1, input.quantization().zeroPoint());
    // The 14 biases with quantized_dimension 3 are accepted, each with a note.
    assertEquals(14, m.notes().size());
    assertTrue(m.notes().get(0).contains("quantized_dimension 3"), m.notes().get(0));
    assertEquals(m, m.requireInt8());
  }

  @Test
  void readsTheFloatOriginals() throws IOException {
    TfliteModel m = TfliteReader.read("vww_96_float.tflite", resource("vww_96_float.tflite"));
    assertTrue(m.isFloat());
    assertEquals(31, m.operators().size());
    TfliteTensor filter = m.tensor(m.operators().get(0).input(1));
    assertEquals(8 * 3 * 3 * 3, filter.floatData().length);
  }

  @Test
  void floatModelWhereInt8IsNeededIsNamed() throws IOException {
    TfliteModel m = TfliteReader.read("vww_96_float.tflite", resource("vww_96_float.tflite"));
    ModelFormatException e = assertThrows(ModelFormatException.class, m::requireInt8);
    assertTrue(
        e.getMessage().startsWith("vww_96_float.tflite: operator 0 (CONV_2D): output tensor "),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("FLOAT32") && e.getMessage().contains("int8 model is needed"),
        e.getMessage());
  }

  @Test
  void truncatedFileIsLocated() throws IOException {
    byte[] whole = resource("kws_ref_model.tflite");
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class,
            () -> TfliteReader.read("kws.tflite", Arrays.copyOf(whole, whole.length / 2)));
    assertTrue(e.getMessage().startsWith("kws.tflite: "), e.getMessage());
    assertTrue(e.getMessage().contains("past the end of the file"), e.getMessage());
    ModelFormatException tiny =
        assertThrows(
            ModelFormatException.class, () -> TfliteReader.read("kws.tflite", new byte[5]));
    assertEquals(
        "kws.tflite: truncated: 5 bytes, shorter than a FlatBuffer's 8-byte header",
        tiny.getMessage());
  }

  @Test
  void wrongIdentifierIsNamed() throws IOException {
    byte[] bytes = resource("kws_ref_model.tflite");
    bytes[4] = 'O';
    bytes[5] = 'N';
    bytes[6] = 'N';
    bytes[7] = 'X';
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteReader.read("m.tflite", bytes));
    assertEquals(
        "m.tflite: file identifier is 'ONNX', expected 'TFL3' (not a TFLite model)",
        e.getMessage());
  }

  @Test
  void offsetPastTheEndIsLocated() throws IOException {
    byte[] bytes = resource("kws_ref_model.tflite");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0, bytes.length + 100);
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> TfliteReader.read("m.tflite", bytes));
    assertTrue(e.getMessage().startsWith("m.tflite: model: table at byte "), e.getMessage());
    assertTrue(e.getMessage().contains("past the end"), e.getMessage());
  }

  /** A one-operator model built with flatbuffers-java from the schema's field ids. */
  static byte[] oneOperatorModel(int builtinCode, int channels, int scales) {
    FlatBufferBuilder b = new FlatBufferBuilder();
    int buffer = table(b, 0);
    int[] tensors = new int[2];
    for (int t = 0; t < 2; t++) {
      int name = b.createString("t" + t);
      int shape = ints(b, 1, channels);
      b.startVector(4, scales, 4);
      for (int i = 0; i < scales; i++) {
        b.addFloat(0.5f);
      }
      int scaleVector = b.endVector();
      b.startVector(8, scales, 8);
      for (int i = 0; i < scales; i++) {
        b.addLong(0);
      }
      int zeroVector = b.endVector();
      b.startTable(7); // QuantizationParameters
      b.addOffset(2, scaleVector, 0);
      b.addOffset(3, zeroVector, 0);
      b.addInt(6, 1, 0); // quantized_dimension: the channel axis of [1, C]
      int quant = b.endTable();
      b.startTable(5); // Tensor
      b.addOffset(0, shape, 0);
      b.addByte(1, (byte) 9, 0); // INT8
      b.addOffset(3, name, 0);
      b.addOffset(4, quant, 0);
      tensors[t] = b.endTable();
    }
    int tensorVector = b.createVectorOfTables(tensors);
    int opInputs = ints(b, 0, 0);
    int opOutputs = ints(b, 1);
    b.startTable(3); // Operator
    b.addInt(0, 0, -1);
    b.addOffset(1, opInputs, 0);
    b.addOffset(2, opOutputs, 0);
    int op = b.endTable();
    int operators = b.createVectorOfTables(new int[] {op});
    int inputs = ints(b, 0);
    int outputs = ints(b, 1);
    b.startTable(4); // SubGraph
    b.addOffset(0, tensorVector, 0);
    b.addOffset(1, inputs, 0);
    b.addOffset(2, outputs, 0);
    b.addOffset(3, operators, 0);
    int subgraph = b.endTable();
    b.startTable(4); // OperatorCode
    b.addByte(0, (byte) Math.min(builtinCode, 127), 0);
    b.addInt(3, builtinCode, 0);
    int code = b.endTable();
    int codes = b.createVectorOfTables(new int[] {code});
    int subgraphs = b.createVectorOfTables(new int[] {subgraph});
    int buffers = b.createVectorOfTables(new int[] {buffer});
    b.startTable(5); // Model
    b.addInt(0, 3, 0);
    b.addOffset(1, codes, 0);
    b.addOffset(2, subgraphs, 0);
    b.addOffset(4, buffers, 0);
    int model = b.endTable();
    b.finish(model, "TFL3");
    return b.sizedByteArray();
  }

  private static int table(FlatBufferBuilder b, int fields) {
    b.startTable(fields);
    return b.endTable();
  }

  private static int ints(FlatBufferBuilder b, int... values) {
    b.startVector(4, values.length, 4);
    for (int i = values.length - 1; i >= 0; i--) {
      b.addInt(values[i]);
    }
    return b.endVector();
  }

  @Test
  void unsupportedOperatorNamesItselfItsIndexAndTheSupportedList() {
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class,
            () -> TfliteReader.read("mul.tflite", oneOperatorModel(18, 4, 1)));
    assertEquals(
        "mul.tflite: operator 0: MUL is not supported; supported operators: ADD, AVERAGE_POOL_2D,"
            + " CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, RESHAPE, SOFTMAX, SQUEEZE",
        e.getMessage());
  }

  @Test
  void builtModelReadsAndQuantizationCountIsCheckedAgainstChannels() {
    TfliteModel ok = TfliteReader.read("add.tflite", oneOperatorModel(0, 4, 4));
    assertEquals(BuiltinOperator.ADD, ok.operators().get(0).op());
    assertEquals(1, ok.tensor(0).quantization().quantizedDimension());
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class,
            () -> TfliteReader.read("add.tflite", oneOperatorModel(0, 4, 3)));
    assertEquals(
        "add.tflite: tensor 0 't0': 3 quantization scales for 4 channels (dimension 1 of shape"
            + " [1, 4])",
        e.getMessage());
  }
}
