package dev.npusim.cli;

import dev.npusim.analysis.cost.NetworkLayers;
import dev.npusim.analysis.cost.ZeroWeightNetwork;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.models.tfjs.ModelSource;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the SSD-MobileNetV1 for {@code --model}: the vendored copy, or a folder. */
final class Models {
  private Models() {}

  /** The model in {@code dir}, or the vendored one when {@code dir} is null. */
  static SsdMobilenetV1 ssd(Path dir) throws UserError {
    try {
      if (dir == null) {
        return SsdMobilenetV1.loadBundled();
      }
      if (!Files.isDirectory(dir)) {
        throw new UserError("--model " + dir + ": no such directory");
      }
      return SsdMobilenetV1.load(ModelSource.directory(dir));
    } catch (InputFileException e) {
      throw new UserError(e.getMessage());
    }
  }

  /**
   * The model's layer geometry with zero weights, for cost estimates: the vendored model ({@code
   * dir} empty) or the one in a directory.
   */
  static NetworkLayers zeroWeightSsd(String dir) throws UserError {
    SsdMobilenetV1 m = ssd(dir.isEmpty() ? null : Path.of(dir));
    return ZeroWeightNetwork.of(
        "SSD-MobileNetV1 face detector (face-api.js"
            + (dir.isEmpty() ? ", vendored" : ", " + dir)
            + ")",
        m.graph());
  }

  /** True when {@code --model} names a TFLite file rather than a TF.js folder. */
  static boolean isTflite(String path) {
    return path != null && path.toLowerCase(java.util.Locale.ROOT).endsWith(".tflite");
  }

  /** A {@code .tflite} file, read and checked; one located message when it is not. */
  static TfliteModel tflite(Path file) throws UserError {
    try {
      return TfliteReader.read(file);
    } catch (ModelFormatException e) {
      throw new UserError(e.getMessage());
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + e.getMessage());
    }
  }
}
