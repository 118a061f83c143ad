package dev.npusim.cli.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Npy} against NumPy's format 1.0, field by field from the format's definition: the magic
 * {@code \x93NUMPY}, version 1.0, a little-endian uint16 header length, a dict literal padded with
 * spaces and ended by a newline so that the data starts on a 64-byte boundary, then little-endian
 * float32 data in C order.
 */
class NpyTest {
  @Test
  void fourDimensionalTensor() {
    double[] values = new double[12];
    values[0] = 1.5; // 0x3FC00000
    values[11] = -2.0; // 0xC0000000
    byte[] b = Npy.float32(new int[] {1, 2, 2, 3}, values);
    // The dict is 65 characters; 10 + 65 + 1 = 76, padded with 52 spaces to 128.
    assertEquals(128 + 4 * 12, b.length);
    assertArrayEquals(
        new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(b, 10));
    String header = new String(b, 10, 118, StandardCharsets.US_ASCII);
    assertEquals(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 3), }" + " ".repeat(52) + "\n",
        header);
    assertArrayEquals(new byte[] {0, 0, (byte) 0xC0, 0x3F}, Arrays.copyOfRange(b, 128, 132));
    assertArrayEquals(new byte[4], Arrays.copyOfRange(b, 132, 136));
    assertArrayEquals(new byte[] {0, 0, 0, (byte) 0xC0}, Arrays.copyOfRange(b, 128 + 44, 128 + 48));
  }

  @Test
  void oneDimensionalShapeIsAOneTuple() {
    byte[] b = Npy.float32(new int[] {5}, new double[5]);
    // Python writes a one-element tuple as (5,); 10 + 57 + 1 = 68, padded with 60 spaces to 128.
    String header = new String(b, 10, 118, StandardCharsets.US_ASCII);
    assertEquals(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }" + " ".repeat(60) + "\n",
        header);
    assertEquals(128 + 20, b.length);
  }
}
