package dev.npusim.tests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root from the module directory Maven runs tests in. */
final class RepoPaths {
  private RepoPaths() {}

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("examples"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "cannot find the repository root from " + Path.of("").toAbsolutePath());
    }
    return p;
  }
}
