package dev.npusim.models.tflite;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the {@code .tflite} reader (issue 12), and of what a read model goes
 * on to: the int8 check and the conversion of each convolution and fully connected operator into a
 * layer. Contract: a model (and layers) or one {@link ModelFormatException} naming the file; never
 * any other exception. The seed corpus holds the two vendored keyword-spotting models (int8 and
 * float32), the smallest of the vendored files.
 */
class TfliteReaderFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void readModel(byte[] bytes) {
    TfliteModel model;
    try {
      model = TfliteReader.read("fuzz.tflite", bytes);
    } catch (ModelFormatException expected) {
      return; // the typed error
    }
    if (model.inputs().isEmpty()) {
      return;
    }
    try {
      if (model.isFloat()) {
        return;
      }
      model.requireInt8();
      for (TfliteOperator op : model.operators()) {
        if (op.op() == BuiltinOperator.CONV_2D
            || op.op() == BuiltinOperator.DEPTHWISE_CONV_2D
            || op.op() == BuiltinOperator.FULLY_CONNECTED) {
          TfliteLayers.quantizedLayer(model, op);
        }
      }
    } catch (ModelFormatException expected) {
      // the typed error
    }
  }
}
