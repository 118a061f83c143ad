package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.isa.Assembler;
import dev.npusim.isa.Disassembler;
import dev.npusim.isa.Program;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Approval tests of the compiler's output: the listing of each representative layer, compiled for
 * {@code npu8-default}, must equal its reviewed copy in {@code src/test/resources/approved}. A
 * change to code generation shows up here as a diff to review; when it is intended, copy the {@code
 * .received.s} file written beside the approved one over it. Each listing must also assemble back
 * to the same program.
 */
class CompiledListingApprovalTest {
  static final Path APPROVED = Path.of("src/test/resources/approved");

  static Map<String, QuantizedLayer> layers() {
    return Map.of(
        "depthwise3x3-tf8",
        CaseGenerator.generate(
                CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_UINT8)
                    .input(1, 8, 8, 32)
                    .kernel(3, 3)
                    .padding(Padding.same())
                    .build(),
                1)
            .layer(),
        "pointwise-int8",
        CaseGenerator.generate(
                CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
                    .input(1, 4, 4, 64)
                    .outputChannels(32)
                    .kernel(1, 1)
                    .padding(Padding.valid())
                    .build(),
                2)
            .layer(),
        "conv3x3-stride2-float-requant",
        CaseGenerator.generate(
                CaseSpec.builder(LayerKind.CONV2D, Semantics.FLOAT_REQUANT)
                    .input(1, 6, 6, 3)
                    .outputChannels(8)
                    .kernel(3, 3)
                    .stride(2, 2)
                    .padding(Padding.same())
                    .types(DataType.UINT8, DataType.INT8, DataType.UINT8)
                    .perChannelRequant(true)
                    .build(),
                3)
            .layer(),
        "fully-connected",
        CaseGenerator.generate(
                CaseSpec.builder(LayerKind.FULLY_CONNECTED, Semantics.TFLITE_INT8)
                    .input(2, 1, 1, 20)
                    .outputChannels(10)
                    .build(),
                4)
            .layer());
  }

  @TestFactory
  Stream<DynamicTest> compiledListingsMatchTheirApprovedCopies() {
    return layers().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> {
                      Program p =
                          LayerRunner.compile(e.getValue(), MachineConfig.defaults()).program();
                      String listing = Disassembler.disassemble(p);
                      assertEquals(p, Assembler.assemble(listing, e.getKey() + ".s"), "round trip");
                      Path approved = APPROVED.resolve(e.getKey() + ".approved.s");
                      Path received = APPROVED.resolve(e.getKey() + ".received.s");
                      String expected =
                          Files.exists(approved)
                              ? Files.readString(approved, StandardCharsets.UTF_8)
                              : null;
                      if (!listing.equals(expected)) {
                        Files.writeString(received, listing, StandardCharsets.UTF_8);
                        fail(
                            e.getKey()
                                + ": the compiled listing differs from "
                                + approved
                                + "; review "
                                + received
                                + " and copy it over the approved file if the change is intended");
                      }
                      Files.deleteIfExists(received);
                    }));
  }
}
