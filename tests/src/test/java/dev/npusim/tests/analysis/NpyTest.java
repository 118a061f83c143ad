package dev.npusim.tests.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy files of {@code analyze --dump} follow NumPy's format 1.0, checked field by field from
 * the format's definition (magic, version, header length, dict, 64-byte alignment, float32 data).
 */
class NpyTest {
  @TempDir Path dir;

  @Test
  void analyzeDumpWritesNumpyFiles() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new String[] {
              "analyze",
              "--images",
              Path.of("..", "golden", "src", "main", "resources", "images", "sample1.jpg")
                  .toString(),
              "--variants",
              "tf8",
              "--dump",
              dir.toString()
            },
            new PrintWriter(out),
            new PrintWriter(err));
    assertEquals(0, code, err.toString());
    Path input = dir.resolve("input.npy");
    byte[] b = Files.readAllBytes(input);
    assertEquals((byte) 0x93, b[0]);
    assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
    assertEquals(1, b[6]);
    assertEquals(0, b[7]);
    int headerLength = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
    assertEquals(0, (10 + headerLength) % 64, "data starts on a 64-byte boundary");
    String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
    assertEquals(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 512, 512, 3), }", header.strip());
    assertEquals(10 + headerLength + 4 * 512 * 512 * 3, b.length);
    // Pixel (0, 0) of sample1 is image content; the bottom rows are canvas padding: exactly -1.
    ByteBuffer data =
        ByteBuffer.wrap(b, 10 + headerLength, 4 * 512 * 512 * 3).order(ByteOrder.LITTLE_ENDIAN);
    float last = data.getFloat(10 + headerLength + 4 * (512 * 512 * 3 - 1));
    assertEquals(-1.0f, last);
    for (String name :
        new String[] {
          "float/MobilenetV1__Conv2d_1_depthwise.npy",
          "tf8/MobilenetV1__Conv2d_1_depthwise.npy",
          "tf8/Prediction__BoxPredictor_5__ClassPredictor.npy"
        }) {
      assertEquals(true, Files.exists(dir.resolve(name)), name);
    }
  }
}
