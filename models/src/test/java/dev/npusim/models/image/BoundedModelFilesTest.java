package dev.npusim.models.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.npusim.isa.io.InputFileException;
import dev.npusim.models.tfjs.ModelSource;
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

  /** A PNG header that claims 65535 x 65535 pixels is refused before the pixels are allocated. */
  @Test
  void aHugeImageHeaderIsRefused() throws Exception {
    byte[] png =
        Files.readAllBytes(
            Path.of(
                getClass()
                    .getResource("ImageDecodeFuzzTestInputs/decodeImage/huge_header_png")
                    .toURI()));
    InputFileException e =
        assertThrows(
            InputFileException.class,
            () -> ImagePreprocessor.decode(new java.io.ByteArrayInputStream(png), "big.png"));
    assertEquals(
        "big.png: image of 65535 x 65535 pixels is larger than 67108864 pixels", e.getMessage());
  }
}
