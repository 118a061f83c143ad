package dev.npusim.golden.cases;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The vendored golden vectors under {@code src/main/resources/golden/}, main resources so that
 * {@code validate} and the tests read the same files.
 */
public final class GoldenVectors {
  private GoldenVectors() {}

  /**
   * The {@code golden/} resource directory: a plain directory when run from this module, a
   * directory inside the test-jar when another module uses it.
   */
  public static synchronized Path root() {
    URL readme = GoldenVectors.class.getResource("/golden/README.md");
    if (readme == null) {
      throw new IllegalStateException("golden/README.md is not on the class path");
    }
    try {
      URI uri = readme.toURI();
      if ("jar".equals(uri.getScheme())) {
        try {
          FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException notYetOpen) {
          FileSystems.newFileSystem(uri, Map.of());
        }
      }
      return Paths.get(uri).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every {@code *.json} below {@link #root()}, sorted by relative path. */
  public static List<Path> all() {
    Path root = root();
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code cmsis-nn/basic.json} style name of a golden file. */
  public static String relativeName(Path file) {
    return root().relativize(file).toString().replace('\\', '/');
  }
}
