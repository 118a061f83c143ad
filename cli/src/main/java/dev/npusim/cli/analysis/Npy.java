package dev.npusim.cli.analysis;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * NumPy {@code .npy} version 1.0 encoding of a float32, int8 or int32 array: the magic string, a
 * little-endian header length, a Python dict literal header padded with spaces to a multiple of 64
 * bytes and ending in a newline, then the data in C order.
 */
public final class Npy {
  private Npy() {}

  public static byte[] float32(int[] shape, double[] values) {
    ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      data.putFloat((float) v);
    }
    return file("<f4", shape, data.array());
  }

  /** An int8 array ({@code |i1}); each value must be in [-128, 127]. */
  public static byte[] int8(int[] shape, int[] values) {
    byte[] data = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] < -128 || values[i] > 127) {
        throw new IllegalArgumentException("value " + i + " = " + values[i] + " is not int8");
      }
      data[i] = (byte) values[i];
    }
    return file("|i1", shape, data);
  }

  /** A little-endian int32 array ({@code <i4}). */
  public static byte[] int32(int[] shape, int[] values) {
    ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      data.putInt(v);
    }
    return file("<i4", shape, data.array());
  }

  private static byte[] file(String descr, int[] shape, byte[] data) {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
    }
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int unpadded = 10 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream(10 + header.length() + data.length);
    out.write(0x93);
    out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
    out.write(1);
    out.write(0);
    out.write(header.length() & 0xFF);
    out.write((header.length() >> 8) & 0xFF);
    out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(data);
    return out.toByteArray();
  }
}
