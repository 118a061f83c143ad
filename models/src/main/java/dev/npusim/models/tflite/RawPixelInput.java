package dev.npusim.models.tflite;

import dev.npusim.isa.io.InputFileException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The input TFLite Micro's person-detection example feeds its int8 model: an 8-bit grayscale
 * image's pixel bytes, rows top to bottom, each byte reinterpreted as int8 (200 becomes -56),
 * unchanged by the input's quantization (models/tflite/README.md). A model with three input
 * channels (vww) gets the gray value in all three, as the oracle test does.
 */
public final class RawPixelInput {
  private RawPixelInput() {}

  /**
   * @throws InputFileException naming the file when it is not an 8-bit single-band image of the
   *     input's height and width
   */
  public static int[] of(Path image, TfliteTensor input) throws InputFileException {
    BufferedImage img;
    try {
      img = ImageIO.read(image.toFile());
    } catch (IOException e) {
      throw new InputFileException(image + ": cannot read: " + e.getMessage());
    }
    if (img == null) {
      throw new InputFileException(image + ": not an image Java can decode (BMP, PNG, JPEG)");
    }
    Raster r = img.getRaster();
    if (r.getNumBands() != 1 || r.getSampleModel().getSampleSize(0) != 8) {
      throw new InputFileException(
          image
              + ": expected an 8-bit grayscale image (one 8-bit band), got "
              + r.getNumBands()
              + " band(s)");
    }
    if (input.rank() != 4) {
      throw new InputFileException(
          image + ": the model's input " + input.label() + " is not an NHWC image");
    }
    int h = input.dim(1);
    int w = input.dim(2);
    int c = input.dim(3);
    if (img.getHeight() != h || img.getWidth() != w) {
      throw new InputFileException(
          String.format(
              "%s: image is %dx%d, the model's input %s is %dx%d",
              image, img.getWidth(), img.getHeight(), input.label(), w, h));
    }
    int[] x = new int[h * w * c];
    for (int y = 0; y < h; y++) {
      for (int col = 0; col < w; col++) {
        int v = (byte) r.getSample(col, y, 0);
        for (int ch = 0; ch < c; ch++) {
          x[(y * w + col) * c + ch] = v;
        }
      }
    }
    return x;
  }
}
