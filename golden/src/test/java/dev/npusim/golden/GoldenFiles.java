package dev.npusim.golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/** The vendored golden vectors under {@code src/test/resources/golden/}. */
public final class GoldenFiles {
  private GoldenFiles() {}

  /** The {@code golden/} resource directory. */
  public static Path root() {
    URL readme = GoldenFiles.class.getResource("/golden/README.md");
    if (readme == null) {
      throw new IllegalStateException("golden/README.md is not on the test class path");
    }
    try {
      return Paths.get(readme.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
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
