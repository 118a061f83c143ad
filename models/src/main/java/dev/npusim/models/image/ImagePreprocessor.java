package dev.npusim.models.image;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.ssd.SsdMobilenetV1;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns a photo into the network input exactly as MODEL.md says: RGB; resized so that the longer
 * side is 512 with the aspect ratio kept; placed at the top-left of a 512x512 canvas whose other
 * pixels are 0; every value p (0..255) mapped to {@code p * 0.007843137718737125 - 1}, so padding
 * reads -1.
 *
 * <h2>Resize filter</h2>
 *
 * MODEL.md does not name one, so this uses <b>exact area averaging</b>: each output pixel is the
 * mean of the source image over the output pixel's footprint, with source pixels that straddle the
 * footprint's edge weighted by the fraction they cover (the image taken as piecewise constant). It
 * is the natural anti-aliased filter for the large down-scaling here (1920 to 512) and works for
 * up-scaling too. It is computed in integers: footprints are measured in units of {@code 1/dst}
 * source pixels, so every overlap is an integer and the weighted sum is exact; the only rounding is
 * one final division per value, so the result is the exact area average correctly rounded to
 * double, the same on every JVM. It does not use AWT scaling. The resized values are not rounded
 * back to integers (as a float resize in TensorFlow.js would not).
 *
 * <p>The shorter side becomes {@code round(short * 512 / long)} pixels (half up, at least 1). EXIF
 * orientation is ignored: MODEL.md does not ask for it.
 */
public final class ImagePreprocessor {
  private ImagePreprocessor() {}

  /** Pixel value scale, float32(2/255) as the model stores it (MODEL.md). */
  public static final double PIXEL_SCALE = 0.007843137718737125;

  /** Value subtracted after scaling. */
  public static final double PIXEL_OFFSET = 1.0;

  /**
   * Largest image {@link #decode} accepts, in pixels (64 Mpixel, 256 MiB as ARGB): a header may
   * claim 65535 x 65535 in a few bytes, and the decoder would allocate it (issue 12).
   */
  public static final long MAX_PIXELS = 1L << 26;

  /** Decodes an image (JPEG, or anything else javax.imageio reads). */
  public static BufferedImage decode(InputStream in, String name) throws InputFileException {
    BufferedImage image;
    try (ImageInputStream stream = ImageIO.createImageInputStream(in)) {
      Iterator<ImageReader> readers = stream == null ? null : ImageIO.getImageReaders(stream);
      if (readers == null || !readers.hasNext()) {
        throw new InputFileException(name + ": not an image format javax.imageio can decode");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(stream, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > MAX_PIXELS) {
          throw new InputFileException(
              String.format(
                  "%s: image of %d x %d pixels is larger than %d pixels",
                  name, reader.getWidth(0), reader.getHeight(0), MAX_PIXELS));
        }
        image = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (InputFileException e) {
      throw e; // already says what is wrong (an IOException since isa.io's became the one type)
    } catch (IOException e) {
      throw new InputFileException(name + ": cannot decode image: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // The JDK's decoders throw unchecked exceptions on some corrupt data (index out of bounds,
      // illegal argument, negative array size); to the user that is a corrupt file.
      throw new InputFileException(name + ": cannot decode image: corrupt data (" + e + ")", e);
    }
    if (image == null) {
      throw new InputFileException(name + ": not an image format javax.imageio can decode");
    }
    return image;
  }

  /** The full pre-processing of a decoded image. */
  public static PreprocessedImage preprocess(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    int[] size = resizedSize(h, w, SsdMobilenetV1.INPUT_SIZE);
    double[] resized = resizeArea(rgb(image), h, w, 3, size[0], size[1]);
    return new PreprocessedImage(
        toCanvas(resized, size[0], size[1], SsdMobilenetV1.INPUT_SIZE), h, w, size[0], size[1]);
  }

  /**
   * The image's RGB values, {@code [H, W, 3]} in 0..255. Grey images give R = G = B = the grey
   * level as stored; other images go through {@link BufferedImage#getRGB}, which for the 8-bit sRGB
   * layouts javax.imageio produces for JPEG returns the stored bytes unchanged.
   */
  public static int[] rgb(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    int[] out = new int[h * w * 3];
    Raster raster = image.getRaster();
    boolean grey =
        image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
            && raster.getSampleModel().getSampleSize(0) == 8;
    if (grey) {
      // getRGB would map grey through a colour conversion; the stored level is what a decoder
      // hands TensorFlow.js.
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int base = (y * w + x) * 3;
          out[base] = out[base + 1] = out[base + 2] = row[x];
        }
      }
      return out;
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) {
      out[3 * i] = (argb[i] >> 16) & 0xff;
      out[3 * i + 1] = (argb[i] >> 8) & 0xff;
      out[3 * i + 2] = argb[i] & 0xff;
    }
    return out;
  }

  /** {@code {height, width}} after scaling the longer side to {@code target}. */
  public static int[] resizedSize(int h, int w, int target) {
    checkArgument(h > 0 && w > 0, "image size %sx%s", w, h);
    if (h >= w) {
      return new int[] {target, Math.max(1, (int) ((2L * w * target + h) / (2L * h)))};
    }
    return new int[] {Math.max(1, (int) ((2L * h * target + w) / (2L * w))), target};
  }

  /**
   * Exact area-average resize of an integer image {@code [h, w, channels]} to {@code [th, tw,
   * channels]} (see the class comment).
   */
  public static double[] resizeArea(int[] src, int h, int w, int channels, int th, int tw) {
    checkArgument(
        src.length == h * w * channels,
        "image has %s values, not %s",
        src.length,
        h * w * channels);
    checkArgument(th > 0 && tw > 0, "target size %sx%s", tw, th);
    Footprints fx = new Footprints(w, tw);
    Footprints fy = new Footprints(h, th);
    // Horizontal pass: for every source row, sum over each output column's footprint.
    long[] rows = new long[h * tw * channels];
    for (int y = 0; y < h; y++) {
      for (int ox = 0; ox < tw; ox++) {
        for (int k = fx.first[ox]; k < fx.first[ox + 1]; k++) {
          int sBase = (y * w + fx.source[k]) * channels;
          int dBase = (y * tw + ox) * channels;
          for (int c = 0; c < channels; c++) {
            rows[dBase + c] += (long) fx.overlap[k] * src[sBase + c];
          }
        }
      }
    }
    // Vertical pass, then the one rounding: divide by the footprint's area, h * w units.
    double area = (double) h * w;
    double[] out = new double[th * tw * channels];
    long[] acc = new long[tw * channels];
    for (int oy = 0; oy < th; oy++) {
      Arrays.fill(acc, 0);
      for (int k = fy.first[oy]; k < fy.first[oy + 1]; k++) {
        long weight = fy.overlap[k];
        int rBase = fy.source[k] * tw * channels;
        for (int i = 0; i < acc.length; i++) {
          acc[i] += weight * rows[rBase + i];
        }
      }
      for (int i = 0; i < acc.length; i++) {
        out[oy * tw * channels + i] = acc[i] / area;
      }
    }
    return out;
  }

  /**
   * For each output index of a 1-D resize from {@code src} to {@code dst} samples, the source
   * samples its footprint touches and by how much, in units of {@code 1/dst} source pixels (so
   * every footprint is {@code src} units long and the overlaps are integers).
   */
  private static final class Footprints {
    final int[] first;
    final int[] source;
    final int[] overlap;

    Footprints(int src, int dst) {
      first = new int[dst + 1];
      int max = dst * (src / dst + 2);
      int[] s = new int[max];
      int[] o = new int[max];
      int n = 0;
      for (int d = 0; d < dst; d++) {
        first[d] = n;
        long lo = (long) d * src; // footprint [lo, hi) in 1/dst units
        long hi = lo + src;
        for (long p = lo / dst; p * dst < hi; p++) {
          long cover = Math.min(hi, (p + 1) * dst) - Math.max(lo, p * dst);
          if (cover > 0) {
            s[n] = (int) p;
            o[n] = (int) cover;
            n++;
          }
        }
      }
      first[dst] = n;
      source = s;
      overlap = o;
    }
  }

  /**
   * Places a resized image {@code [th, tw, 3]} of 0..255 values at the top-left of a {@code size x
   * size} canvas of zeros and maps every value p to {@code p * PIXEL_SCALE - PIXEL_OFFSET}.
   */
  public static FloatTensor toCanvas(double[] resized, int th, int tw, int size) {
    checkArgument(th <= size && tw <= size, "image %sx%s does not fit %s", tw, th, size);
    checkArgument(resized.length == th * tw * 3, "resized image has %s values", resized.length);
    double[] canvas = new double[size * size * 3];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int c = 0; c < 3; c++) {
          double p = y < th && x < tw ? resized[(y * tw + x) * 3 + c] : 0.0;
          canvas[(y * size + x) * 3 + c] = p * PIXEL_SCALE - PIXEL_OFFSET;
        }
      }
    }
    return FloatTensor.adopt(new TensorShape(1, size, size, 3), canvas);
  }
}
