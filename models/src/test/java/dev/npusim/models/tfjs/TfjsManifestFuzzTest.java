package dev.npusim.models.tfjs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.npusim.isa.io.InputFileException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the TensorFlow.js manifest and weights reader (issue 12). The input is
 * a manifest, a NUL byte, then the bytes every weights file the manifest names holds. Contract:
 * weights or one {@link InputFileException}; nothing else escapes.
 */
class TfjsManifestFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void readManifest(byte[] bytes) {
    int nul = 0;
    while (nul < bytes.length && bytes[nul] != 0) {
      nul++;
    }
    String manifest = new String(bytes, 0, nul, StandardCharsets.UTF_8);
    byte[] weights = Arrays.copyOfRange(bytes, Math.min(nul + 1, bytes.length), bytes.length);
    ModelSource source =
        new ModelSource() {
          @Override
          public InputStream open(String fileName) {
            return new ByteArrayInputStream(
                fileName.equals("manifest.json")
                    ? manifest.getBytes(StandardCharsets.UTF_8)
                    : weights);
          }

          @Override
          public String describe(String fileName) {
            return "fuzz/" + fileName;
          }
        };
    try {
      TfjsWeights.read(source, "manifest.json");
    } catch (InputFileException expected) {
      // the typed error
    }
  }
}
