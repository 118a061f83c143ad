package dev.npusim.analysis.imported;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.image.ImagePreprocessor;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.VendoredFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Evaluation inputs of an imported network, in the float domain of its int8 model's input tensor.
 *
 * <ul>
 *   <li>An image (anything javax.imageio decodes: BMP, PNG, JPEG) is area-resized to the input's
 *       height and width ({@link ImagePreprocessor#resizeArea}); one channel takes the mean of R, G
 *       and B; each 0..255 level maps linearly onto the real range the int8 input represents,
 *       {@code [scale * (-128 - zp), scale * (127 - zp)]} (for vww [0, 1], for person_detect about
 *       [-1, 1]).
 *   <li>A {@code .raw} file is the int8 input tensor's bytes, dequantized.
 *   <li>Random inputs are seeded uniform int8 codes, dequantized.
 * </ul>
 */
public final class ModelInputs {
  private ModelInputs() {}

  /** True when the input looks like a picture: 1 or 3 channels, both sides at least 32. */
  public static boolean takesImages(TfliteModel int8) {
    TensorShape s = shape(int8);
    return (s.c() == 1 || s.c() == 3) && s.h() >= 32 && s.w() >= 32;
  }

  /** The default inputs: the vendored sample photos for image models, else 8 random inputs. */
  public static List<ModelInput> defaults(TfliteModel int8) throws AnalysisException {
    if (!takesImages(int8)) {
      return random(int8, 8, 1);
    }
    List<ModelInput> out = new ArrayList<>();
    for (ImageFile f : ImageFile.bundledSamples()) {
      try {
        out.add(image(int8, f.name(), f.decode()));
      } catch (InputFileException e) {
        throw new AnalysisException(e.getMessage());
      }
    }
    return out;
  }

  /** The vendored example images of TFLite Micro's person detector, also fed to any image model. */
  static final List<String> EXAMPLE_IMAGES = List.of("person.bmp", "no_person.bmp");

  /**
   * Every vendored sample input of an image model ({@code --all-samples}): the six sample photos,
   * then TFLite Micro's two person-detection example images (person_detect's own inputs).
   *
   * @throws AnalysisException if the model does not take images (no vendored input fits it)
   */
  public static List<ModelInput> allSamples(TfliteModel int8) throws AnalysisException {
    if (!takesImages(int8)) {
      throw new AnalysisException(
          int8.file()
              + ": --all-samples: the input "
              + int8.input().label()
              + " "
              + int8.input().shape()
              + " is not an image, and no vendored sample fits it; use --inputs or --random");
    }
    List<ModelInput> out = new ArrayList<>(defaults(int8));
    for (String name : EXAMPLE_IMAGES) {
      byte[] bytes = VendoredFiles.read(name).orElseThrow();
      try {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        out.add(image(int8, name, image));
      } catch (IOException e) {
        throw new AnalysisException(name + ": cannot decode the vendored image: " + e.getMessage());
      }
    }
    return out;
  }

  /** {@code count} seeded random inputs. */
  public static List<ModelInput> random(TfliteModel int8, int count, long seed) {
    QuantParams q = TfliteSource.params(int8.input());
    TensorShape s = shape(int8);
    Random r = new Random(seed);
    List<ModelInput> out = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      double[] v = new double[(int) s.elements()];
      for (int i = 0; i < v.length; i++) {
        v[i] = q.dequantize(r.nextInt(256) - 128);
      }
      out.add(new ModelInput("random " + (n + 1), FloatTensor.adopt(s, v)));
    }
    return out;
  }

  /** Inputs from files: images, or {@code .raw} int8 tensors. */
  public static List<ModelInput> files(TfliteModel int8, List<Path> paths)
      throws AnalysisException {
    List<ModelInput> out = new ArrayList<>();
    for (Path p : paths) {
      String name = p.toString();
      if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".raw")) {
        out.add(raw(int8, p));
      } else {
        try {
          out.add(image(int8, name, ImageFile.fromPaths(List.of(p)).get(0).decode()));
        } catch (InputFileException | IndexOutOfBoundsException e) {
          throw new AnalysisException(name + ": not an image or a .raw tensor");
        }
      }
    }
    return out;
  }

  private static ModelInput raw(TfliteModel int8, Path p) throws AnalysisException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(p);
    } catch (IOException e) {
      throw new AnalysisException(p + ": cannot read: " + e.getMessage());
    }
    TensorShape s = shape(int8);
    if (bytes.length != s.elements()) {
      throw new AnalysisException(
          p
              + ": "
              + bytes.length
              + " bytes, but the input "
              + int8.input().label()
              + " "
              + int8.input().shape()
              + " holds "
              + s.elements()
              + " int8 values");
    }
    QuantParams q = TfliteSource.params(int8.input());
    double[] v = new double[bytes.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = q.dequantize(bytes[i]);
    }
    return new ModelInput(p.getFileName().toString(), FloatTensor.adopt(s, v));
  }

  static ModelInput image(TfliteModel int8, String name, BufferedImage image) {
    TensorShape s = shape(int8);
    double[] rgb =
        ImagePreprocessor.resizeArea(
            ImagePreprocessor.rgb(image), image.getHeight(), image.getWidth(), 3, s.h(), s.w());
    QuantParams q = TfliteSource.params(int8.input());
    double lo = q.dequantize(-128);
    double hi = q.dequantize(127);
    double[] v = new double[(int) s.elements()];
    for (int p = 0; p < s.h() * s.w(); p++) {
      for (int c = 0; c < s.c(); c++) {
        double level =
            s.c() == 3 ? rgb[3 * p + c] : (rgb[3 * p] + rgb[3 * p + 1] + rgb[3 * p + 2]) / 3;
        v[p * s.c() + c] = lo + level / 255 * (hi - lo);
      }
    }
    String shortName = name.substring(name.lastIndexOf('/') + 1);
    return new ModelInput(shortName, FloatTensor.adopt(s, v));
  }

  private static TensorShape shape(TfliteModel int8) {
    return dev.npusim.models.tflite.TfliteFloatGraph.shapeOf(int8, null, int8.input());
  }
}
