package dev.npusim.models.tflite;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The TFLite models and test images vendored under {@code models/src/main/resources/models/tflite}
 * (their sources and licences are in the README there), found by bare file name so that a fresh
 * clone runs them without a path: {@code run-model person_detect.tflite --input person.bmp}.
 */
public final class VendoredFiles {
  private VendoredFiles() {}

  /** Classpath folder of the vendored files. */
  public static final String FOLDER = "/models/tflite/";

  /** The vendored models and images, by file name. */
  public static final ImmutableList<String> NAMES =
      ImmutableList.of(
          "person_detect.tflite",
          "vww_96_int8.tflite",
          "vww_96_float.tflite",
          "kws_ref_model.tflite",
          "kws_ref_model_float32.tflite",
          "pretrainedResnet_quant.tflite",
          "pretrainedResnet.tflite",
          "person.bmp",
          "no_person.bmp");

  /** The bytes of a vendored file, if {@code name} is one of {@link #NAMES}. */
  public static Optional<byte[]> read(String name) {
    if (!NAMES.contains(name)) {
      return Optional.empty();
    }
    try (InputStream in = VendoredFiles.class.getResourceAsStream(FOLDER + name)) {
      if (in == null) {
        throw new IllegalStateException("vendored file " + FOLDER + name + " is missing");
      }
      return Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
