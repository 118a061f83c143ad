package dev.npusim.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.cases.GoldenVectors;
import dev.npusim.golden.metrics.Comparison;
import dev.npusim.golden.reference.IntegerReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The vendored golden vectors: 71 cases whose expected outputs come from TFLite's and CMSIS-NN's
 * own tests, so they check the integer reference against data nobody on this project produced.
 */
class GoldenFilesTest {

  @Test
  void allSeventyOneFilesAreVendored() {
    assertEquals(71, GoldenVectors.all().size());
    assertEquals(49, count("cmsis-nn/"));
    assertEquals(16, count("tflite-uint8/"));
    assertEquals(6, count("tflite-int8/"));
  }

  /** One test per file: it reads, and the integer reference reproduces it bit for bit. */
  @TestFactory
  Stream<DynamicTest> integerReferenceReproducesEveryGoldenFile() {
    return GoldenVectors.all().stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    GoldenVectors.relativeName(file),
                    () -> {
                      GoldenCase c = CaseReader.read(file);
                      int[] actual = IntegerReference.run(c.layer(), c.input());
                      Comparison cmp =
                          Comparison.of(c.layer().output(), c.expectedOutput().toArray(), actual);
                      if (!cmp.bitExact()) {
                        fail(GoldenVectors.relativeName(file) + ": " + cmp.summary());
                      }
                    }));
  }

  /**
   * One test per file: writing the case read from it reproduces the file byte for byte. The writer
   * uses the golden files' layout, so this checks the writer and the reader together.
   */
  @TestFactory
  Stream<DynamicTest> writerReproducesEveryGoldenFileByteForByte() {
    return GoldenVectors.all().stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    GoldenVectors.relativeName(file),
                    () -> {
                      String original = Files.readString(file, StandardCharsets.UTF_8);
                      String written = CaseWriter.toJson(CaseReader.read(file));
                      assertEquals(original, written);
                    }));
  }

  private static long count(String folder) {
    List<Path> files = GoldenVectors.all();
    return files.stream().filter(f -> GoldenVectors.relativeName(f).startsWith(folder)).count();
  }
}
