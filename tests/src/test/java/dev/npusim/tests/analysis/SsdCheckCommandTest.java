package dev.npusim.tests.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.cli.Main;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --check} on the face detector catches an injected difference: on a machine that
 * truncates in requantization (TFLite rounds half away from zero), the first layer cannot equal the
 * integer reference. The run ends with one located message and exit code 1, no stack trace.
 */
class SsdCheckCommandTest {
  @TempDir Path dir;

  @Test
  void checkNamesTheFirstLayerThatDiffers() throws IOException {
    Path image = dir.resolve("sample1.jpg");
    try (InputStream in = getClass().getResourceAsStream("/images/sample1.jpg")) {
      Files.write(image, in.readAllBytes());
    }
    Path truncating = dir.resolve("truncating.json");
    Files.writeString(truncating, "{\"name\": \"truncating\", \"rounding\": \"truncate\"}");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code =
          Main.execute(
              new String[] {
                "analyze",
                "--images",
                image.toString(),
                "--variants",
                "tf8",
                "--check",
                "--machine",
                truncating.toString()
              },
              o,
              e);
    }
    assertEquals(1, code, out.toString());
    assertTrue(
        err.toString()
            .contains("--check: scheme tf8: layer MobilenetV1/Conv2d_0_pointwise: element "),
        err.toString());
    assertTrue(err.toString().contains("in the integer reference"), err.toString());
    assertFalse(err.toString().contains("Exception"), err.toString());
  }
}
