package dev.npusim.models.tensor;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.models.image.ImagePreprocessor;
import dev.npusim.models.tflite.TensorType;
import dev.npusim.models.tflite.TfliteTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the value of a model's int8 input tensor from a file, chosen by its extension:
 *
 * <ul>
 *   <li>{@code .raw}: the tensor's bytes in NHWC order, exactly as many as it has elements, each a
 *       two's-complement int8.
 *   <li>{@code .npy}: an int8 array taken as it is, or a float32 array quantized with the input's
 *       scale and zero point as TFLite's {@code QUANTIZE} does: {@code q = round(x / scale) + zp}
 *       in float32, rounding half away from zero, clamped to [-128, 127]. Its shape must be the
 *       input's, leading dimensions of size 1 optional on either side.
 *   <li>{@code .bmp}, {@code .png}, {@code .jpg}, {@code .jpeg}: an image for an input of shape
 *       {@code [1, H, W, C]} with C = 1 or 3, converted by the rules of {@link PixelMapping} and
 *       below.
 * </ul>
 *
 * <p>Image rules. <b>Size</b>: the image must be exactly W x H pixels; it is never resized (a
 * resize filter changes the values, so the choice is left to the user). <b>Channels</b>: for C = 3
 * the R, G, B values are used; a grey image gives R = G = B. For C = 1 a grey image's level is
 * used; a colour image becomes {@code (299 R + 587 G + 114 B + 500) / 1000} (ITU-R BT.601 luma,
 * rounded half up), or its common level if R = G = B. Alpha is ignored. <b>Values</b>: see {@link
 * PixelMapping}. Rows go top to bottom, whatever order the file stores them in.
 */
public final class InputTensorReader {
  private InputTensorReader() {}

  /** How an image's 8-bit pixel value p (0..255) becomes an int8 input value. */
  public enum PixelMapping {
    /**
     * p mapped linearly onto the real interval the input's quantization represents, {@code [scale
     * (-128 - zp), scale (127 - zp)]}, then quantized with that scale and zero point: both ends
     * have 256 levels, so q = p - 128. That interval is the range the converter calibrated the
     * model's input on ([0, 1] for vww_96_int8, [0, 255] for the ResNet-8, [-1, 1] for
     * person_detect).
     */
    FULL_RANGE("full-range"),
    /** p / 255 as the real value, quantized with the input's scale and zero point (clamped). */
    UNIT("unit"),
    /**
     * The pixel byte reinterpreted as int8 (200 becomes -56): TFLite Micro's person detection
     * example feeds its test images this way.
     */
    BYTES("bytes");

    private final String cliName;

    PixelMapping(String cliName) {
      this.cliName = cliName;
    }

    /** The name on the command line. */
    public String cliName() {
      return cliName;
    }

    @Override
    public String toString() {
      return cliName;
    }
  }

  /** The file extensions read, for messages. */
  public static final String FORMATS = ".raw, .npy, .bmp, .png, .jpg, .jpeg";

  // Bounds checked before a file is read, tighter than InputFiles' global limit.
  private static final long MAX_IMAGE_BYTES = 64L << 20;
  private static final long MAX_NPY_HEADER_BYTES = 1L << 20;

  /**
   * Reads {@code file} as the value of {@code input}.
   *
   * @throws InputFileException naming the file and what does not fit the input
   */
  public static int[] read(Path file, TfliteTensor input, PixelMapping pixels)
      throws InputFileException {
    String name = file.toString();
    Format format = format(name);
    // Regular files only, under the global input limit; the format's own bound follows.
    long size = InputFiles.check(file);
    long limit =
        switch (format) {
          case RAW -> input.elements();
          case NPY -> MAX_NPY_HEADER_BYTES + 4 * input.elements();
          case IMAGE -> MAX_IMAGE_BYTES;
        };
    if (format == Format.RAW && size != limit) {
      throw rawSize(name, size, input);
    }
    if (size > limit) {
      throw new InputFileException(
          name + ": " + size + " bytes is more than an input of " + describe(input) + " can need");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InputFileException(name + ": cannot read: " + e.getMessage(), e);
    }
    return read(name, bytes, input, pixels);
  }

  /**
   * Reads a file's bytes as the value of {@code input}; {@code name}'s extension gives the format.
   *
   * @throws InputFileException naming the file and what does not fit the input
   */
  public static int[] read(String name, byte[] bytes, TfliteTensor input, PixelMapping pixels)
      throws InputFileException {
    if (input.type() != TensorType.INT8 || input.quantization() == null) {
      throw new InputFileException(
          name + ": the model input " + input.label() + " is " + input.type() + ", not int8");
    }
    return switch (format(name)) {
      case RAW -> raw(name, bytes, input);
      case NPY -> npy(name, NpyArray.parse(name, bytes), input);
      case IMAGE -> image(name, bytes, input, pixels);
    };
  }

  private enum Format {
    RAW,
    NPY,
    IMAGE
  }

  private static Format format(String name) throws InputFileException {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".raw")) {
      return Format.RAW;
    } else if (n.endsWith(".npy")) {
      return Format.NPY;
    } else if (n.endsWith(".bmp")
        || n.endsWith(".png")
        || n.endsWith(".jpg")
        || n.endsWith(".jpeg")) {
      return Format.IMAGE;
    }
    throw new InputFileException(
        name + ": unknown input format; the extension must be one of " + FORMATS);
  }

  private static int[] raw(String name, byte[] bytes, TfliteTensor input)
      throws InputFileException {
    if (bytes.length != input.elements()) {
      throw rawSize(name, bytes.length, input);
    }
    int[] out = new int[bytes.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes[i];
    }
    return out;
  }

  private static InputFileException rawSize(String name, long size, TfliteTensor input) {
    return new InputFileException(
        name
            + ": "
            + size
            + " bytes, the int8 input "
            + describe(input)
            + " needs "
            + input.elements());
  }

  private static int[] npy(String name, NpyArray array, TfliteTensor input)
      throws InputFileException {
    if (!sameShape(array.shape(), input.shape())) {
      throw new InputFileException(
          name
              + ": shape "
              + NpyArray.shapeText(array.shape())
              + " does not match the model input "
              + describe(input));
    }
    if (array.type() == NpyArray.Type.INT8) {
      return array.ints().toArray();
    }
    float scale = input.quantization().scale();
    int zp = input.quantization().zeroPoint();
    int[] out = new int[array.floats().length()];
    for (int i = 0; i < out.length; i++) {
      float x = (float) array.floats().get(i);
      if (!Float.isFinite(x)) {
        throw new InputFileException(name + ": element " + i + " is " + x + ", not a number");
      }
      out[i] = quantize(x, scale, zp);
    }
    return out;
  }

  /** TFLite's float-to-int8 QUANTIZE: {@code round(x / scale) + zp}, half away, clamped. */
  static int quantize(float x, float scale, int zp) {
    float q = x / scale;
    double rounded = Math.signum(q) * Math.floor(Math.abs((double) q) + 0.5);
    return (int) Math.max(-128, Math.min(127, rounded + zp));
  }

  /** Equal shapes once leading dimensions of size 1 are dropped from both. */
  private static boolean sameShape(ImmutableIntArray a, ImmutableIntArray b) {
    int i = 0;
    while (i < a.length() - 1 && a.get(i) == 1) {
      i++;
    }
    int j = 0;
    while (j < b.length() - 1 && b.get(j) == 1) {
      j++;
    }
    return a.subArray(i, a.length()).equals(b.subArray(j, b.length()));
  }

  private static int[] image(String name, byte[] bytes, TfliteTensor input, PixelMapping pixels)
      throws InputFileException {
    if (input.rank() != 4 || input.dim(0) != 1 || (input.dim(3) != 1 && input.dim(3) != 3)) {
      throw new InputFileException(
          name
              + ": an image fills an input of shape [1, H, W, 1] or [1, H, W, 3], not "
              + describe(input));
    }
    int h = input.dim(1);
    int w = input.dim(2);
    int channels = input.dim(3);
    BufferedImage image = ImagePreprocessor.decode(new ByteArrayInputStream(bytes), name);
    if (image.getWidth() != w || image.getHeight() != h) {
      throw new InputFileException(
          name
              + ": image is "
              + image.getWidth()
              + "x"
              + image.getHeight()
              + ", the model input "
              + describe(input)
              + " needs "
              + w
              + "x"
              + h
              + " (npusim does not resize images)");
    }
    int[] rgb = ImagePreprocessor.rgb(image);
    int[] out = new int[h * w * channels];
    float scale = input.quantization().scale();
    int zp = input.quantization().zeroPoint();
    for (int p = 0; p < h * w; p++) {
      int r = rgb[3 * p];
      int g = rgb[3 * p + 1];
      int b = rgb[3 * p + 2];
      if (channels == 3) {
        out[3 * p] = map(r, pixels, scale, zp);
        out[3 * p + 1] = map(g, pixels, scale, zp);
        out[3 * p + 2] = map(b, pixels, scale, zp);
      } else {
        int grey = r == g && g == b ? r : (299 * r + 587 * g + 114 * b + 500) / 1000;
        out[p] = map(grey, pixels, scale, zp);
      }
    }
    return out;
  }

  private static int map(int pixel, PixelMapping pixels, float scale, int zp) {
    return switch (pixels) {
      case FULL_RANGE -> pixel - 128;
      case UNIT -> quantize(pixel / 255f, scale, zp);
      case BYTES -> (byte) pixel;
    };
  }

  private static String describe(TfliteTensor input) {
    return input.label() + " " + input.shape();
  }
}
