package dev.npusim.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Disassembler;
import dev.npusim.isa.Program;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.simulator.MachineConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Approval tests of the pooling and ADD kernels, as {@code CompiledListingApprovalTest} does for
 * the convolutions: each listing, compiled for {@code npu8-default}, must equal its reviewed copy
 * in {@code src/test/resources/approved} and assemble back to the same program. When a change is
 * intended, copy the {@code .received.s} file over the approved one.
 */
class OperatorListingApprovalTest {
  static final Path APPROVED = Path.of("src/test/resources/approved");

  static Map<String, Program> programs() throws Exception {
    MachineConfig m = MachineConfig.defaults();
    Map<String, Program> p = new TreeMap<>();
    p.put(
        "average-pool3x3-same",
        KernelCompiler.compile(
                PoolLayer.tflite(
                    PoolLayer.Kind.AVERAGE,
                    DataType.INT8,
                    new TensorShape(1, 6, 6, 40),
                    3,
                    3,
                    1,
                    1,
                    true,
                    -128,
                    127),
                OperatorRunner.target(m))
            .program());
    p.put(
        "max-pool2x2-stride2-relu",
        KernelCompiler.compile(
                PoolLayer.tflite(
                    PoolLayer.Kind.MAX,
                    DataType.INT8,
                    new TensorShape(1, 8, 8, 16),
                    2,
                    2,
                    2,
                    2,
                    false,
                    -5,
                    127),
                OperatorRunner.target(m))
            .program());
    p.put(
        "add-int8",
        KernelCompiler.compile(
                AddLayer.fromScales(
                    DataType.INT8,
                    new TensorShape(1, 4, 4, 20),
                    0.05,
                    -3,
                    0.11,
                    7,
                    0.13,
                    -128,
                    -128,
                    127),
                OperatorRunner.target(m))
            .program());
    return p;
  }

  @TestFactory
  Stream<DynamicTest> compiledListingsMatchTheirApprovedCopies() throws Exception {
    return programs().entrySet().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> {
                      Program p = e.getValue();
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
