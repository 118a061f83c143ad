package dev.npusim.models.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.models.tensor.InputTensorReader.PixelMapping;
import dev.npusim.models.tflite.Quantization;
import dev.npusim.models.tflite.TensorType;
import dev.npusim.models.tflite.TfliteTensor;
import dev.npusim.models.tflite.VendoredFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input readers against hand-made files: {@code .npy} headers and data written out byte by byte
 * here, images drawn pixel by pixel, expected values worked by hand from the documented rules.
 */
class InputTensorReaderTest {
  @TempDir Path dir;

  static TfliteTensor input(float scale, int zeroPoint, int... shape) {
    return new TfliteTensor(
        0,
        "input",
        TensorType.INT8,
        ImmutableIntArray.copyOf(shape),
        new Quantization(ImmutableDoubleArray.of(scale), ImmutableLongArray.of(zeroPoint), 0),
        null);
  }

  /** A version 1.0 .npy file: magic, version, header length, header padded to 64, data. */
  static byte[] npy(String descr, String shape, byte[] data) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = 64 - (10 + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x93);
    out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
    out.write(1);
    out.write(0);
    out.write(header.length());
    out.write(header.length() >> 8);
    out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(data);
    return out.toByteArray();
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  @Test
  void rawBytesAreInt8InOrder() throws Exception {
    TfliteTensor in = input(0.5f, 0, 1, 2, 2, 1);
    int[] v =
        InputTensorReader.read("x.raw", new byte[] {0, 127, (byte) 128, (byte) 255}, in, null);
    assertArrayEquals(new int[] {0, 127, -128, -1}, v);
  }

  @Test
  void rawOfTheWrongSizeNamesBothSizes() throws Exception {
    TfliteTensor in = input(0.5f, 0, 1, 2, 2, 1);
    Path f = dir.resolve("x.raw");
    Files.write(f, new byte[5]);
    InputFileException e =
        assertThrows(InputFileException.class, () -> InputTensorReader.read(f, in, null));
    assertEquals(
        f + ": 5 bytes, the int8 input tensor 0 'input' [1, 2, 2, 1] needs 4", e.getMessage());
  }

  @Test
  void int8NpyIsTakenAsItIsAndLeadingOnesAreOptional() throws Exception {
    TfliteTensor in = input(0.5f, 3, 1, 1, 3);
    byte[] file = npy("|i1", "(3,)", new byte[] {-128, 0, 127});
    assertArrayEquals(new int[] {-128, 0, 127}, InputTensorReader.read("a.npy", file, in, null));
  }

  /**
   * scale 0.5, zero point 3: x / 0.5 rounded half away from zero, plus 3, clamped. 1.25 -> 2.5 -> 3
   * -> 6; -1.25 -> -2.5 -> -3 -> 0; 0.2 -> 0.4 -> 0 -> 3; 100 -> 200 + 3 -> 127; -100 -> -128.
   */
  @Test
  void float32NpyIsQuantizedWithTheInputsScaleAndZeroPoint() throws Exception {
    TfliteTensor in = input(0.5f, 3, 1, 5);
    byte[] file = npy("<f4", "(1, 5)", floats(1.25f, -1.25f, 0.2f, 100f, -100f));
    assertArrayEquals(
        new int[] {6, 0, 3, 127, -128}, InputTensorReader.read("a.npy", file, in, null));
  }

  @Test
  void npyErrorsNameTheFileAndWhatIsWrong() {
    TfliteTensor in = input(0.5f, 0, 1, 2, 2, 1);
    assertMessage(
        "a.npy: shape (2, 3) does not match the model input tensor 0 'input' [1, 2, 2, 1]",
        npy("|i1", "(2, 3)", new byte[6]),
        in);
    assertMessage(
        "a.npy: dtype '<i4' is not int8 ('|i1') or little-endian float32 ('<f4')",
        npy("<i4", "(4,)", new byte[16]),
        in);
    assertMessage(
        "a.npy: 3 bytes of data, shape (1, 2, 2, 1) of int8 needs 4",
        npy("|i1", "(1, 2, 2, 1)", new byte[3]),
        in);
    assertMessage(
        "a.npy: element 1 is NaN, not a number",
        npy("<f4", "(2, 2, 1)", floats(0f, Float.NaN, 0f, 0f)),
        in);
    assertMessage("a.npy: not a .npy file (no \\x93NUMPY magic)", new byte[20], in);
  }

  private static void assertMessage(String expected, byte[] file, TfliteTensor in) {
    InputFileException e =
        assertThrows(
            InputFileException.class, () -> InputTensorReader.read("a.npy", file, in, null));
    assertEquals(expected, e.getMessage());
  }

  static byte[] png(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "png", out));
    return out.toByteArray();
  }

  /**
   * A 2x1 RGB image (10, 20, 30) and (200, 100, 0) into [1, 1, 2, 3] and [1, 1, 2, 1]: full-range
   * subtracts 128; grey is BT.601 (299*10 + 587*20 + 114*30 + 500) / 1000 = 18 and (299*200 +
   * 587*100 + 0 + 500) / 1000 = 119; unit with scale 1/255, zero point -128 is p - 128 again, and
   * with scale 0.5, zero point 0 it is round(p/255 / 0.5) = 0 or 1; bytes wraps 200 to -56.
   */
  @Test
  void imagesFollowTheDocumentedRules() throws Exception {
    BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, (10 << 16) | (20 << 8) | 30);
    image.setRGB(1, 0, (200 << 16) | (100 << 8));
    byte[] file = png(image);
    assertArrayEquals(
        new int[] {-118, -108, -98, 72, -28, -128},
        InputTensorReader.read(
            "a.png", file, input(1f / 255, -128, 1, 1, 2, 3), PixelMapping.FULL_RANGE));
    assertArrayEquals(
        new int[] {18 - 128, 119 - 128},
        InputTensorReader.read(
            "a.png", file, input(1f / 255, -128, 1, 1, 2, 1), PixelMapping.FULL_RANGE));
    assertArrayEquals(
        new int[] {-118, -108, -98, 72, -28, -128},
        InputTensorReader.read(
            "a.png", file, input(1f / 255, -128, 1, 1, 2, 3), PixelMapping.UNIT));
    assertArrayEquals(
        new int[] {0, 0, 0, 2, 1, 0},
        InputTensorReader.read("a.png", file, input(0.5f, 0, 1, 1, 2, 3), PixelMapping.UNIT));
    assertArrayEquals(
        new int[] {10, 20, 30, -56, 100, 0},
        InputTensorReader.read("a.png", file, input(0.5f, 0, 1, 1, 2, 3), PixelMapping.BYTES));
  }

  @Test
  void anImageOfAnotherSizeIsRefusedNotResized() throws Exception {
    byte[] file = png(new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY));
    InputFileException e =
        assertThrows(
            InputFileException.class,
            () ->
                InputTensorReader.read(
                    "b.png", file, input(0.5f, 0, 1, 96, 96, 1), PixelMapping.BYTES));
    assertEquals(
        "b.png: image is 3x2, the model input tensor 0 'input' [1, 96, 96, 1] needs 96x96"
            + " (npusim does not resize images)",
        e.getMessage());
  }

  /**
   * The person example's BMP (8-bit, stored bottom-up): the first value is the top-left pixel's
   * byte, read here straight from the file's pixel array at row 95 (bottom-up), as int8.
   */
  @Test
  void theVendoredBmpReadsTopDownAsBytes() throws Exception {
    byte[] bmp = VendoredFiles.read("person.bmp").orElseThrow();
    ByteBuffer b = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
    int offset = b.getInt(10);
    int[] v =
        InputTensorReader.read(
            "person.bmp", bmp, input(1 / 127.5f, -1, 1, 96, 96, 1), PixelMapping.BYTES);
    assertEquals(96 * 96, v.length);
    assertEquals(bmp[offset + 95 * 96], v[0]);
    assertEquals(bmp[offset + 95 * 96 + 5], v[5]);
    assertEquals(bmp[offset + 7], v[95 * 96 + 7]);
  }

  @Test
  void unknownExtensionsAreNamed() {
    InputFileException e =
        assertThrows(
            InputFileException.class,
            () -> InputTensorReader.read("x.txt", new byte[4], input(1f, 0, 4), null));
    assertEquals(
        "x.txt: unknown input format; the extension must be one of .raw, .npy, .bmp, .png, .jpg,"
            + " .jpeg",
        e.getMessage());
  }
}
