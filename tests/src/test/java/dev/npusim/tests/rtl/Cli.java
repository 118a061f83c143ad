package dev.npusim.tests.rtl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.npusim.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the npusim command line in-process and captures what it prints. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(args, o, e);
    }
    return new Cli(code, out.toString(), err.toString());
  }

  /** Bad input: exit code 1 and exactly this one line on stderr, no stack trace. */
  void assertOneLineError(String line) {
    assertEquals(1, exitCode, this::toString);
    assertEquals("npusim: " + line + System.lineSeparator(), err, this::toString);
    assertFalse(err.contains("\tat "), err);
  }

  /** The repository root, found from the module directory Maven runs tests in. */
  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("examples"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  static String path(String relative) {
    return root().resolve(relative).toString();
  }
}
