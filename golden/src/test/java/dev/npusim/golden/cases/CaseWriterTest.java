package dev.npusim.golden.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Writer → reader round trips, and the atomic write. */
class CaseWriterTest {

  /** One generated case of every op and semantics round-trips through a file exactly. */
  @TestFactory
  Stream<DynamicTest> everyOpAndSemanticsRoundTrips(@TempDir Path dir) {
    return Stream.of(LayerKind.values())
        .flatMap(
            op ->
                Stream.of(Semantics.values())
                    .map(
                        semantics ->
                            DynamicTest.dynamicTest(
                                op.caseName() + " " + semantics.caseName(),
                                () -> {
                                  CaseSpec spec =
                                      CaseSpec.builder(op, semantics)
                                          .bias(CaseSpec.BiasRange.FULL_INT32)
                                          .scales(CaseSpec.ScaleRange.WIDE)
                                          .perChannelFilterZeroPoint(
                                              semantics == Semantics.FLOAT_REQUANT)
                                          .build();
                                  GoldenCase c = CaseGenerator.generate(spec, 11);
                                  Path file = CaseWriter.writeInto(c, dir);
                                  assertEquals(c, CaseReader.read(file));
                                })));
  }

  @Test
  void awkwardFloatsAndStringsRoundTripExactly() throws Exception {
    GoldenCase base =
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.FULLY_CONNECTED, Semantics.FLOAT_REQUANT)
                .outputChannels(4)
                .perChannelRequant(true)
                .bias(CaseSpec.BiasRange.NONE)
                .build(),
            3);
    QuantizedLayer l = base.layer();
    // Scales with long decimal forms, a subnormal-adjacent one and one just above 0.1.
    Requantization.FloatScale scales =
        Requantization.FloatScale.of(
            Float.MIN_NORMAL, Math.nextUp(0.1f), 1e-30f, 3.4028235e38f / 4);
    QuantizedLayer layer =
        QuantizedLayer.builder(l.kind(), l.semantics())
            .input(l.input())
            .output(l.output())
            .kernelH(l.kernelH())
            .kernelW(l.kernelW())
            .strideH(l.strideH())
            .strideW(l.strideW())
            .dilationH(l.dilationH())
            .dilationW(l.dilationW())
            .padTop(l.padTop())
            .padBottom(l.padBottom())
            .padLeft(l.padLeft())
            .padRight(l.padRight())
            .depthMultiplier(l.depthMultiplier())
            .inputType(l.inputType())
            .filterType(l.filterType())
            .outputType(l.outputType())
            .inputZeroPoint(l.inputZeroPoint())
            .filterZeroPoints(l.filterZeroPoints())
            .outputZeroPoint(l.outputZeroPoint())
            .activationMin(l.outputType().min())
            .activationMax(l.outputType().max())
            .filter(l.filter())
            .bias(l.bias())
            .requant(scales)
            .build();
    GoldenCase c =
        new GoldenCase(
            "quote \" backslash \\ newline \n tab \t unicode µ é",
            "control \u0001 and slash /",
            Optional.of("{\"not\": \"json\"}"),
            layer,
            base.input(),
            ImmutableIntArray.copyOf(
                dev.npusim.golden.reference.IntegerReference.run(layer, base.input())),
            OptionalDouble.of(0.1),
            ImmutableDoubleArray.of(1e-300),
            OptionalDouble.of(Double.MIN_VALUE));
    assertEquals(c, CaseReader.read("mem", CaseWriter.toJson(c)));
  }

  @Test
  void atomicWriteLeavesOnlyTheTarget(@TempDir Path dir) throws Exception {
    GoldenCase c = smallCase(1);
    Path file = dir.resolve("case.json");
    CaseWriter.write(c, file);
    CaseWriter.write(smallCase(2), file); // replaces
    assertEquals(List.of(file), list(dir));
    assertEquals(CaseWriter.toJson(smallCase(2)), Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void failedWriteLeavesNoTemporaryFileAndKeepsTheOldContent(@TempDir Path dir) throws Exception {
    // The target is a non-empty directory: the final rename must fail.
    Path target = dir.resolve("taken.json");
    Files.createDirectory(target);
    Files.writeString(target.resolve("keep"), "x");
    assertThrows(IOException.class, () -> CaseWriter.write(smallCase(1), target));
    assertEquals(List.of(target), list(dir));
    assertEquals("x", Files.readString(target.resolve("keep")));
  }

  @Test
  void writingBelowARegularFileFailsCleanly(@TempDir Path dir) throws Exception {
    // Missing folders are created (OutputFiles); a file where a folder should be is an error.
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThrows(IOException.class, () -> CaseWriter.write(smallCase(1), file.resolve("c.json")));
    assertEquals(List.of(file), list(dir));
  }

  @Test
  void fileNamesAreSanitized() {
    GoldenCase c = smallCase(1);
    GoldenCase named =
        new GoldenCase(
            "a/b c:d.e",
            c.source(),
            c.comment(),
            c.layer(),
            c.input(),
            c.expectedOutput(),
            c.inputScale(),
            c.filterScales(),
            c.outputScale());
    assertEquals("a_b_c_d.e.json", CaseWriter.fileName(named));
  }

  private static GoldenCase smallCase(long seed) {
    return CaseGenerator.generate(
        CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_UINT8)
            .input(1, 3, 3, 2)
            .build(),
        seed);
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
