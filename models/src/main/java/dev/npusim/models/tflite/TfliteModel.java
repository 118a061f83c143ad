package dev.npusim.models.tflite;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;

/**
 * An imported {@code .tflite} model: its one subgraph's tensors and operators, checked by {@link
 * TfliteReader}. Operators are in the file's order, which TFLite executes as is.
 *
 * @param file the file name, for messages
 * @param notes what the reader accepted but a user should know (person_detect's bias quirk)
 */
public record TfliteModel(
    String file,
    String description,
    ImmutableList<TfliteTensor> tensors,
    ImmutableList<TfliteOperator> operators,
    ImmutableIntArray inputs,
    ImmutableIntArray outputs,
    ImmutableList<String> notes) {
  public TfliteModel {
    checkArgument(file != null, "file name");
    for (int i = 0; i < tensors.size(); i++) {
      checkArgument(tensors.get(i).index() == i, "tensor %s has index %s", i, tensors.get(i));
    }
  }

  public TfliteTensor tensor(int index) {
    return tensors.get(index);
  }

  /** The model's first input tensor. */
  public TfliteTensor input() {
    return tensors.get(inputs.get(0));
  }

  /**
   * True when the graph computes in float32 (its first input is float32): one of the float
   * originals.
   */
  public boolean isFloat() {
    return input().type() == TensorType.FLOAT32;
  }

  /**
   * @throws ModelFormatException naming the first tensor that keeps this from being an int8 model:
   *     every activation int8 (or int32), quantized
   */
  public TfliteModel requireInt8() {
    for (TfliteOperator op : operators) {
      for (int i = 0; i < op.outputs().length(); i++) {
        checkInt8Activation(op, tensor(op.outputs().get(i)));
      }
    }
    for (int i = 0; i < inputs.length(); i++) {
      TfliteTensor t = tensor(inputs.get(i));
      if (t.type() != TensorType.INT8 || t.quantization() == null) {
        throw new ModelFormatException(
            file,
            t.label()
                + " (model input): "
                + t.type()
                + (t.quantization() == null ? ", not quantized" : "")
                + "; an int8 model is needed here, this looks like a float model");
      }
    }
    return this;
  }

  private void checkInt8Activation(TfliteOperator op, TfliteTensor t) {
    if (t.type() != TensorType.INT8 || t.quantization() == null) {
      throw new ModelFormatException(
          file,
          op.label()
              + ": output "
              + t.label()
              + " is "
              + t.type()
              + (t.quantization() == null ? " without quantization" : "")
              + "; an int8 model is needed here");
    }
  }
}
