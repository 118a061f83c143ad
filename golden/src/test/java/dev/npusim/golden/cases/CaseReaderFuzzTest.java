package dev.npusim.golden.cases;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the case reader (issue 12). Contract: any text is a case or one {@link
 * CaseFormatException}; nothing else escapes (no RuntimeException from a shape, a count or a
 * number), and no allocation beyond the reader's own tensor limits.
 */
class CaseReaderFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void readCase(byte[] bytes) {
    try {
      CaseReader.read("fuzz.json", new String(bytes, StandardCharsets.UTF_8));
    } catch (CaseFormatException expected) {
      // the typed error
    }
  }
}
