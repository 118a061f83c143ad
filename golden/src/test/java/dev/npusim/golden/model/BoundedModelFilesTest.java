package dev.npusim.golden.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: model and image files go through the bounded input layer (InputFiles). */
class BoundedModelFilesTest {
  @TempDir Path dir;

  @Test
  void aFolderNamedAsAModelFileIsRefusedByName() throws Exception {
    Files.createDirectory(dir.resolve("weights_manifest.json"));
    InputFileException e =
        assertThrows(
            InputFileException.class,
            () -> ModelSource.directory(dir).open("weights_manifest.json"));
    assertEquals(
        dir.resolve("weights_manifest.json") + ": is a directory, not a regular file",
        e.getMessage());
  }

  @Test
  void aMissingModelFileIsNamed() {
    InputFileException e =
        assertThrows(InputFileException.class, () -> ModelSource.directory(dir).open("x.bin"));
    assertEquals(dir.resolve("x.bin") + ": no such file", e.getMessage());
  }

  @Test
  void aDeviceIsNotAnImage() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "a Unix /dev/zero");
    InputFileException e =
        assertThrows(InputFileException.class, () -> ImageFile.fromPaths(List.of(zero)));
    assertEquals("/dev/zero: is a character device, not a regular file", e.getMessage());
    Path missing = dir.resolve("none.jpg");
    assertEquals(
        missing + ": no such file",
        assertThrows(InputFileException.class, () -> ImageFile.fromPaths(List.of(missing)))
            .getMessage());
  }
}
