package dev.npusim.kernels.codegen;

import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The per-channel parameter block the kernels load into the {@code par} scratchpad for a group of
 * up to L output channels: {@code bias[n]}, {@code multiplier[n]} (or float32 scale bits), {@code
 * shift[n]} as little-endian int32, then {@code zw[n]} bytes, padded to 4 bytes.
 */
final class LayerParameters {
  private LayerParameters() {}

  /** Bytes of one block for n lanes. */
  static int blockBytes(int n) {
    return 12 * n + ((n + 3) & ~3);
  }

  static int biasOffset() {
    return 0;
  }

  static int multiplierOffset(int n) {
    return 4 * n;
  }

  static int shiftOffset(int n) {
    return 8 * n;
  }

  static int zeroPointOffset(int n) {
    return 12 * n;
  }

  /** The block for the given output channels (one per lane). */
  static byte[] block(QuantizedLayer layer, int[] outputChannels) {
    int n = outputChannels.length;
    ByteBuffer b = ByteBuffer.allocate(blockBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
    for (int oc : outputChannels) {
      b.putInt(layer.biasOf(oc));
    }
    Requantization rq = layer.requant();
    for (int oc : outputChannels) {
      b.putInt(
          rq instanceof Requantization.Q31 q
              ? q.multiplier(oc)
              : Float.floatToRawIntBits(((Requantization.FloatScale) rq).scale(oc)));
    }
    for (int oc : outputChannels) {
      // Float32 scales need no shift; the slot must still hold a legal one.
      b.putInt(rq instanceof Requantization.Q31 q ? q.shift(oc) : 0);
    }
    for (int oc : outputChannels) {
      b.put((byte) layer.filterZeroPoint(oc));
    }
    return b.array();
  }
}
