package dev.npusim.models.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.npusim.isa.io.InputFileException;
import java.io.ByteArrayInputStream;

/**
 * Coverage-guided fuzzing of the image reader (issue 12). Contract: any bytes decode to an image or
 * fail with one {@link InputFileException}; a header that claims a huge image is refused before the
 * pixels are allocated.
 */
class ImageDecodeFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void decodeImage(byte[] bytes) {
    try {
      ImagePreprocessor.decode(new ByteArrayInputStream(bytes), "fuzz.img");
    } catch (InputFileException expected) {
      // the typed error
    }
  }
}
