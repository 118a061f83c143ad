package dev.npusim.tests.tflite;

import static com.google.common.base.Preconditions.checkState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolverWithoutDefaultDelegates;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.InterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * TensorFlow Lite's own C++ runtime (the {@code org.bytedeco:tensorflow-lite} build) on a model
 * held in memory: built-in CPU kernels without the default XNNPACK delegate, every intermediate
 * tensor preserved so that each operator's output can be read after {@code Invoke}.
 */
final class TfliteRuntime implements AutoCloseable {
  private static final int TFLITE_OK = 0;

  private final BytePointer buffer; // TFLite reads the model in place: keep it alive
  private final FlatBufferModel model;
  private final BuiltinOpResolverWithoutDefaultDelegates resolver;
  private final InterpreterOptions options;
  private final Interpreter interpreter;

  TfliteRuntime(byte[] modelBytes) {
    buffer = new BytePointer(modelBytes.length);
    buffer.put(modelBytes);
    model = FlatBufferModel.BuildFromBuffer(buffer, modelBytes.length);
    checkState(model != null && !model.isNull(), "TFLite could not build the model");
    resolver = new BuiltinOpResolverWithoutDefaultDelegates();
    options = new InterpreterOptions();
    options.SetPreserveAllTensors(true);
    interpreter = new Interpreter((org.bytedeco.javacpp.Pointer) null); // the builder fills it
    try (InterpreterBuilder builder = new InterpreterBuilder(model, resolver, options)) {
      builder.SetNumThreads(1);
      int status = builder.apply(interpreter);
      checkState(status == TFLITE_OK, "TFLite InterpreterBuilder failed: %s", status);
    }
    checkState(interpreter.AllocateTensors() == TFLITE_OK, "TFLite AllocateTensors failed");
  }

  /** Sets the int8 input and runs the whole graph. */
  void invoke(int[] input) {
    int index = interpreter.inputs().get(0);
    TfLiteTensor t = interpreter.tensor(index);
    checkState(t.bytes() == input.length, "input holds %s bytes, got %s", t.bytes(), input.length);
    BytePointer data = t.data().raw().capacity(t.bytes());
    for (int i = 0; i < input.length; i++) {
      data.put(i, (byte) input[i]);
    }
    checkState(interpreter.Invoke() == TFLITE_OK, "TFLite Invoke failed");
  }

  /**
   * Sets the first {@code inputs.length} 8-bit inputs, in the model's input order (each checked
   * against its tensor's size), and runs the whole graph.
   */
  void invokeAll(int[]... inputs) {
    for (int k = 0; k < inputs.length; k++) {
      TfLiteTensor t = interpreter.tensor(interpreter.inputs().get(k));
      checkState(
          t.bytes() == inputs[k].length,
          "input %s holds %s bytes, got %s",
          k,
          t.bytes(),
          inputs[k].length);
      BytePointer data = t.data().raw().capacity(t.bytes());
      for (int i = 0; i < inputs[k].length; i++) {
        data.put(i, (byte) inputs[k][i]);
      }
    }
    checkState(interpreter.Invoke() == TFLITE_OK, "TFLite Invoke failed");
  }

  /** Sets the float32 input and runs the whole graph (a float original). */
  void invoke(float[] input) {
    int index = interpreter.inputs().get(0);
    TfLiteTensor t = interpreter.tensor(index);
    checkState(t.type() == 1, "input has TfLiteType %s, not float32", t.type());
    checkState(t.bytes() == 4L * input.length, "input holds %s bytes", t.bytes());
    ByteBuffer b = ByteBuffer.allocate(4 * input.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : input) {
      b.putFloat(f);
    }
    t.data().raw().capacity(t.bytes()).put(b.array());
    checkState(interpreter.Invoke() == TFLITE_OK, "TFLite Invoke failed");
  }

  /** The float32 values of tensor {@code index} after the last invoke. */
  float[] floatTensor(int index) {
    TfLiteTensor t = interpreter.tensor(index);
    checkState(t.type() == 1, "tensor %s has TfLiteType %s, not float32", index, t.type());
    byte[] raw = new byte[(int) t.bytes()];
    t.data().raw().capacity(t.bytes()).get(raw);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[raw.length / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getFloat(4 * i);
    }
    return out;
  }

  /** The values of tensor {@code index} after the last invoke: int8, uint8 or int32, widened. */
  int[] tensor(int index) {
    TfLiteTensor t = interpreter.tensor(index);
    int bytes = (int) t.bytes();
    byte[] raw = new byte[bytes];
    t.data().raw().capacity(bytes).get(raw);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    // TfLiteType: kTfLiteInt32 = 2, kTfLiteUInt8 = 3, kTfLiteInt8 = 9.
    return switch (t.type()) {
      case 3 -> {
        int[] out = new int[bytes];
        for (int i = 0; i < bytes; i++) {
          out[i] = raw[i] & 0xFF;
        }
        yield out;
      }
      case 9 -> {
        int[] out = new int[bytes];
        for (int i = 0; i < bytes; i++) {
          out[i] = raw[i];
        }
        yield out;
      }
      case 2 -> {
        int[] out = new int[bytes / 4];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getInt(4 * i);
        }
        yield out;
      }
      default -> throw new IllegalStateException("tensor " + index + " has TfLiteType " + t.type());
    };
  }

  @Override
  public void close() {
    interpreter.close();
    options.close();
    resolver.close();
    model.close();
    buffer.close();
  }
}
