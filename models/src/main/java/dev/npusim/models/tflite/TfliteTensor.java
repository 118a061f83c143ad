package dev.npusim.models.tflite;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.primitives.ImmutableIntArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor of an imported model. Constant tensors (weights, bias, shapes) carry their data;
 * activations do not.
 *
 * @param index the tensor's index in the subgraph
 * @param shape the dimensions, outermost first (a scalar has none)
 * @param quantization null for an unquantized tensor
 * @param data the constant's little-endian bytes, read-only, or null for an activation
 */
public record TfliteTensor(
    int index,
    String name,
    TensorType type,
    ImmutableIntArray shape,
    Quantization quantization,
    ByteBuffer data) {
  public TfliteTensor {
    checkArgument(index >= 0, "tensor index %s < 0", index);
    checkArgument(name != null, "tensor %s has no name", index);
    for (int i = 0; i < shape.length(); i++) {
      checkArgument(shape.get(i) >= 0, "tensor %s: dimension %s is negative", index, i);
    }
    checkArgument(
        data == null || data.capacity() == product(shape) * type.bytes(),
        "tensor %s: %s bytes of data for %s elements of %s",
        index,
        data == null ? 0 : data.capacity(),
        product(shape),
        type);
    data = data == null ? null : data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Number of elements: the product of the dimensions (1 for a scalar). */
  public long elements() {
    return product(shape);
  }

  private static long product(ImmutableIntArray shape) {
    long n = 1;
    for (int i = 0; i < shape.length(); i++) {
      n *= shape.get(i);
    }
    return n;
  }

  public boolean isConstant() {
    return data != null;
  }

  public int rank() {
    return shape.length();
  }

  /** Dimension {@code i}, counted from the outermost. */
  public int dim(int i) {
    return shape.get(i);
  }

  /** {@code "tensor 12 'conv1/bias'"}, for messages. */
  public String label() {
    return "tensor " + index + " '" + name + "'";
  }

  /** The constant's values, each an int8/uint8/int16/int32 widened to int. */
  public int[] intData() {
    checkState(data != null, "%s is not a constant", label());
    int[] out = new int[(int) elements()];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          switch (type) {
            case INT8 -> data.get(i);
            case UINT8 -> Byte.toUnsignedInt(data.get(i));
            case INT16 -> data.getShort(2 * i);
            case INT32 -> data.getInt(4 * i);
            case INT64 -> Math.toIntExact(data.getLong(8 * i));
            case FLOAT32 -> throw new IllegalStateException(label() + " is float32");
          };
    }
    return out;
  }

  /** The float32 constant's values. */
  public float[] floatData() {
    checkState(data != null && type == TensorType.FLOAT32, "%s is not a float32 constant", label());
    float[] out = new float[(int) elements()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.getFloat(4 * i);
    }
    return out;
  }
}
