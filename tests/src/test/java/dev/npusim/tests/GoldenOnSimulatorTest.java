package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.simulator.MachineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every vendored golden vector (CMSIS-NN's and TensorFlow Lite's own tests), compiled and run
 * instruction by instruction, must reproduce the expected output bit for bit.
 */
class GoldenOnSimulatorTest {
  static final Path GOLDEN = RepoPaths.root().resolve("golden/src/main/resources/golden");

  static List<Path> files() throws Exception {
    try (Stream<Path> s = Files.walk(GOLDEN)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  @Test
  void allSeventyOneFilesAreThere() throws Exception {
    assertEquals(71, files().size());
  }

  @TestFactory
  Stream<DynamicTest> everyGoldenFileIsBitExactOnTheSimulator() throws Exception {
    return files().stream()
        .map(
            p ->
                DynamicTest.dynamicTest(
                    GOLDEN.relativize(p).toString(),
                    () -> {
                      GoldenCase c = CaseReader.read(p);
                      LayerRunner.Run run = CaseRunner.simulate(c, MachineConfig.defaults());
                      assertNull(CaseRunner.mismatch(c, run.output()));
                    }));
  }
}
