package dev.npusim.models.image;

import com.google.common.collect.ImmutableList;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A photo to run the detector on: one of the vendored samples ({@link #bundledSamples}, what the
 * CLI jar uses) or files and folders a user names ({@link #fromPaths}, for {@code --images
 * FILES|DIR}).
 *
 * @param name how messages and reports name it (a path or a classpath location)
 */
public record ImageFile(String name, ImageFile.Opener opener) {

  /** Opens the image's bytes. */
  @FunctionalInterface
  public interface Opener {
    InputStream open() throws IOException;
  }

  /** Classpath folder of the vendored sample photos (MIT, see LICENSE there). */
  public static final String BUNDLED_FOLDER = "/images/";

  /** The vendored sample photos, in order. */
  public static final ImmutableList<String> BUNDLED_SAMPLES =
      ImmutableList.of(
          "sample1.jpg", "sample2.jpg", "sample3.jpg", "sample4.jpg", "sample5.jpg", "sample6.jpg");

  private static final ImmutableList<String> IMAGE_EXTENSIONS =
      ImmutableList.of(".jpg", ".jpeg", ".png");

  /** Decodes the image. */
  public BufferedImage decode() throws InputFileException {
    try (InputStream in = opener.open()) {
      if (in == null) {
        throw new InputFileException(name + ": not found");
      }
      return ImagePreprocessor.decode(in, name);
    } catch (dev.npusim.isa.io.InputFileException e) {
      throw new InputFileException(e.getMessage(), e);
    } catch (IOException e) {
      throw new InputFileException(name + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Decodes and pre-processes the image into the network input. */
  public PreprocessedImage preprocess() throws InputFileException {
    return ImagePreprocessor.preprocess(decode());
  }

  /** One vendored sample by file name, e.g. {@code sample1.jpg}. */
  public static ImageFile bundled(String fileName) {
    String resource = BUNDLED_FOLDER + fileName;
    return new ImageFile(
        "classpath:" + resource, () -> ImageFile.class.getResourceAsStream(resource));
  }

  /** All vendored samples. */
  public static ImmutableList<ImageFile> bundledSamples() {
    return BUNDLED_SAMPLES.stream()
        .map(ImageFile::bundled)
        .collect(ImmutableList.toImmutableList());
  }

  /**
   * Image files from paths: a file is taken as it is; a folder gives its {@code .jpg}, {@code
   * .jpeg} and {@code .png} files (not recursively), sorted by name.
   */
  public static ImmutableList<ImageFile> fromPaths(List<Path> paths) throws InputFileException {
    List<ImageFile> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        List<Path> found;
        try (Stream<Path> listing = Files.list(p)) {
          found = listing.filter(ImageFile::looksLikeImage).sorted().toList();
        } catch (IOException e) {
          throw new InputFileException(p + ": cannot list folder: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
          throw new InputFileException(p + ": folder holds no .jpg, .jpeg or .png file");
        }
        found.forEach(f -> out.add(ofPath(f)));
      } else if (Files.isRegularFile(p)) {
        out.add(ofPath(p));
      } else {
        try {
          InputFiles.check(p); // says what p is: missing, a FIFO, a device...
        } catch (dev.npusim.isa.io.InputFileException e) {
          throw new InputFileException(e.getMessage(), e);
        }
        throw new InputFileException(p + ": no such file or folder");
      }
    }
    return ImmutableList.copyOf(out);
  }

  private static ImageFile ofPath(Path p) {
    // Bounded, regular files only (issue 12): see InputFiles.
    return new ImageFile(
        p.toString(), () -> new java.io.ByteArrayInputStream(InputFiles.readAllBytes(p)));
  }

  private static boolean looksLikeImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && IMAGE_EXTENSIONS.stream().anyMatch(n::endsWith);
  }
}
