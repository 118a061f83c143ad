package dev.npusim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.cli.analysis.Npy;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.FloatTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze --dump DIR}: a tensor named {@code float/x.npy} lands in DIR/float as .npy. */
class NpyDumpTest {
  @TempDir Path dir;

  @Test
  void writesTheTensorUnderItsRelativeName() throws Exception {
    double[] values = {0.5, -1, 2, 3, 4, 5};
    FloatTensor t = FloatTensor.copyOf(new TensorShape(1, 1, 2, 3), values);
    new NpyDump(dir).write("float/MobilenetV1__Conv2d_0.npy", t);
    Path file = dir.resolve("float").resolve("MobilenetV1__Conv2d_0.npy");
    assertArrayEquals(Npy.float32(new int[] {1, 1, 2, 3}, values), Files.readAllBytes(file));
    try (var files = Files.list(dir.resolve("float"))) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }
}
