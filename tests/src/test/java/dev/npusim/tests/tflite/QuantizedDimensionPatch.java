package dev.npusim.tests.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A copy of a {@code .tflite} file in which every 1-D tensor's {@code quantized_dimension} is 0.
 * person_detect's old converter wrote 3 on its biases; the full TFLite runtime refuses that
 * ("quantized_dimension must be in range"), TFLite Micro and npusim's reader take the only
 * dimension there is. Only the copy handed to TFLite is patched. The file is trusted here (the
 * vendored model, already read by the checked reader), so the navigation is unchecked.
 */
final class QuantizedDimensionPatch {
  private QuantizedDimensionPatch() {}

  static byte[] patch(byte[] model) {
    byte[] copy = model.clone();
    ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    int root = b.getInt(0);
    int subgraphs = vector(b, root, 2); // Model.subgraphs
    int subgraph = element(b, subgraphs, 0);
    int tensors = vector(b, subgraph, 0); // SubGraph.tensors
    int count = b.getInt(tensors - 4);
    for (int i = 0; i < count; i++) {
      int tensor = element(b, tensors, i);
      int shape = vector(b, tensor, 0); // Tensor.shape
      int quant = field(b, tensor, 4); // Tensor.quantization
      if (shape < 0 || quant < 0 || b.getInt(shape - 4) != 1) {
        continue;
      }
      int q = quant + b.getInt(quant);
      int dimension = field(b, q, 6); // QuantizationParameters.quantized_dimension
      if (dimension >= 0) {
        b.putInt(dimension, 0);
      }
    }
    return copy;
  }

  /** Position of field {@code id}'s value in the table at {@code table}, or -1. */
  private static int field(ByteBuffer b, int table, int id) {
    int vtable = table - b.getInt(table);
    int slot = 4 + 2 * id;
    if (slot >= b.getShort(vtable)) {
      return -1;
    }
    int offset = b.getShort(vtable + slot);
    return offset == 0 ? -1 : table + offset;
  }

  /** Start of the elements of the vector in field {@code id}, or -1. */
  private static int vector(ByteBuffer b, int table, int id) {
    int f = field(b, table, id);
    return f < 0 ? -1 : f + b.getInt(f) + 4;
  }

  private static int element(ByteBuffer b, int vectorStart, int i) {
    int p = vectorStart + 4 * i;
    return p + b.getInt(p);
  }
}
