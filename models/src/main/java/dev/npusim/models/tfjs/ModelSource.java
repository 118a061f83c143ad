package dev.npusim.models.tfjs;

import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Where the files of a model (weights manifest and binary) come from: the copy vendored into this
 * module's resources ({@link #bundled()}, what the CLI jar uses) or a directory the user names
 * ({@link #directory}, for {@code --model DIR}).
 */
public interface ModelSource {

  /** Classpath folder of the vendored face-api SSD-MobileNetV1 (MIT, see LICENSE there). */
  String BUNDLED_SSD_MOBILENETV1 = "/models/face-api-ssd-mobilenetv1/";

  /** Opens one file of the model by its name (as the manifest writes it). */
  InputStream open(String fileName) throws InputFileException;

  /** How to name the file in messages: a path or a classpath location. */
  String describe(String fileName);

  /** The vendored SSD-MobileNetV1 face detector on the classpath. */
  static ModelSource bundled() {
    return classpath(BUNDLED_SSD_MOBILENETV1);
  }

  /** Files under a classpath folder ({@code folder} starts and ends with '/'). */
  static ModelSource classpath(String folder) {
    return new ModelSource() {
      @Override
      public InputStream open(String fileName) throws InputFileException {
        InputStream in = ModelSource.class.getResourceAsStream(folder + fileName);
        if (in == null) {
          throw new InputFileException(describe(fileName) + ": not found on the classpath");
        }
        return in;
      }

      @Override
      public String describe(String fileName) {
        return "classpath:" + folder + fileName;
      }
    };
  }

  /** Files in a directory of the file system. */
  static ModelSource directory(Path dir) {
    return new ModelSource() {
      @Override
      public InputStream open(String fileName) throws InputFileException {
        Path file = dir.resolve(fileName);
        try {
          // Bounded, regular files only (issue 12): see InputFiles.
          return new ByteArrayInputStream(InputFiles.readAllBytes(file));
        } catch (dev.npusim.isa.io.InputFileException e) {
          throw new InputFileException(e.getMessage(), e);
        }
      }

      @Override
      public String describe(String fileName) {
        return dir.resolve(fileName).toString();
      }
    };
  }
}
