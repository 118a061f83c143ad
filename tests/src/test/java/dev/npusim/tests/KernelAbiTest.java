package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.analysis.kernel.KernelValidator;
import dev.npusim.analysis.kernel.KernelValidator.Outcome;
import dev.npusim.analysis.kernel.KernelValidator.Status;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.layout.CaseLayout;
import dev.npusim.golden.layout.Region;
import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.CompilerTarget;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.simulator.FaultKind;
import dev.npusim.simulator.MachineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel ABI ({@code docs/kernel-abi.md}) and {@code validate --kernel}'s library: the
 * hand-written kernel in {@code examples/} passes its cases, its off-by-one copy fails with the
 * first-mismatch report, and each kind of kernel bug gets its one message.
 */
class KernelAbiTest {
  static final Path EXAMPLES = RepoPaths.root().resolve("examples");
  static final MachineConfig MACHINE = MachineConfig.defaults();

  static List<Path> fcCases() throws Exception {
    try (Stream<Path> s = Files.list(EXAMPLES.resolve("fc-cases"))) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  static Program kernel(String file) throws Exception {
    Path p = EXAMPLES.resolve(file);
    return Assembler.assemble(Files.readString(p), p.toString());
  }

  static Program program(String source) throws Exception {
    return Assembler.assemble(source, "test.s");
  }

  @Test
  void theHandWrittenKernelPassesEveryCase() throws Exception {
    Program k = kernel("fc-kernel.s");
    List<Path> cases = fcCases();
    assertEquals(3, cases.size());
    for (Path c : cases) {
      Outcome o = KernelValidator.validate(c, k, MACHINE, KernelValidator.DEFAULT_MAX_STEPS);
      assertEquals(Status.PASS, o.status(), o.text());
      assertTrue(o.comparison().orElseThrow().bitExact());
      assertTrue(o.text().startsWith("PASS  " + c + "  cycles "), o.text());
    }
  }

  @Test
  void theOffByOneKernelFailsWithTheFirstMismatch() throws Exception {
    Program k = kernel("fc-kernel-off-by-one.s");
    Path c = fcCases().get(0);
    Outcome o = KernelValidator.validate(c, k, MACHINE, KernelValidator.DEFAULT_MAX_STEPS);
    assertEquals(Status.FAIL, o.status(), o.text());
    GoldenCase gc = CaseReader.read(c);
    // Independently of the kernel: output [0, 0, 0, 0] without the last input channel's term.
    int acc = gc.layer().biasOf(0);
    for (int ic = 0; ic < 63; ic++) {
      acc += (gc.input().get(ic) + 128) * gc.layer().filterAt(0, 0, 0, ic);
    }
    int full = acc + (gc.input().get(63) + 128) * gc.layer().filterAt(0, 0, 0, 63);
    int expected = gc.expectedOutput().get(0);
    int actual = ExampleKernelsTest.requantize(acc, multiplier(gc, 0), shift(gc, 0)) - 5;
    actual = Math.max(-128, Math.min(127, actual));
    String[] lines = o.text().split("\n");
    assertEquals(4, lines.length, o.text());
    assertTrue(lines[0].startsWith("FAIL  " + c + "  cycles "), lines[0]);
    assertTrue(lines[1].matches("      \\d+ of 128 outputs match; max error \\d+ LSB"), lines[1]);
    assertEquals(
        "      first mismatch at NHWC [0, 0, 0, 0]: expected " + expected + ", actual " + actual,
        lines[2]);
    assertEquals(
        "      32-bit accumulator before requantization (integer reference): "
            + full
            + "; it requantizes to "
            + expected,
        lines[3]);
  }

  private static int multiplier(GoldenCase c, int oc) {
    return ((dev.npusim.kernels.Requantization.Q31) c.layer().requant()).multiplier(oc);
  }

  private static int shift(GoldenCase c, int oc) {
    return ((dev.npusim.kernels.Requantization.Q31) c.layer().requant()).shift(oc);
  }

  @Test
  void aStoreOutsideTheOutputRegionIsAKernelBug() throws Exception {
    // Stores 16 bytes over the input (dram[0..16)): the output region is untouched, so only
    // watching the stores can catch it.
    Program p =
        program(
            """
            li x1, 1
            li x2, 16
            dma.cfg x1, x2, x0, x0
            dma.st out, x0, x0
            halt
            """);
    Outcome o =
        KernelValidator.validate(fcCases().get(0), p, MACHINE, KernelValidator.DEFAULT_MAX_STEPS);
    assertEquals(Status.FAIL, o.status());
    assertTrue(
        o.text()
            .endsWith(
                "      kernel bug: dma.st at pc 3 (dma.st out, x0, x0) writes dram[0x0..0x10),"
                    + " outside the output region dram[0x100..0x180)\n"),
        o.text());
  }

  @Test
  void aKernelThatNeverHaltsStopsAtTheStepLimit() throws Exception {
    Program p = program("spin:\n j spin\n");
    Outcome o = KernelValidator.validate(fcCases().get(0), p, MACHINE, 1000);
    assertEquals(Status.FAIL, o.status());
    assertEquals(FaultKind.STEP_LIMIT, o.fault().orElseThrow().kind());
    assertTrue(
        o.text().contains("fault step_limit at pc 0 (j 0): step limit of 1000 instructions"),
        o.text());
  }

  @Test
  void aFaultIsReportedAsInRun() throws Exception {
    Program p = program("li x1, 99999\nvld.s8 v1, act, x1, 0\nhalt\n");
    Outcome o =
        KernelValidator.validate(fcCases().get(0), p, MACHINE, KernelValidator.DEFAULT_MAX_STEPS);
    assertEquals(FaultKind.ADDRESS_OUT_OF_RANGE, o.fault().orElseThrow().kind());
    assertTrue(o.text().contains("fault address_out_of_range at pc 1 (vld.s8 v1, act, x1, 0)"));
  }

  @Test
  void aLayoutLargerThanTheDramIsOneClearError() throws Exception {
    Path c = fcCases().get(0);
    Outcome o =
        KernelValidator.validate(
            c, kernel("fc-kernel.s"), MACHINE.withDram(2048), KernelValidator.DEFAULT_MAX_STEPS);
    assertEquals(Status.FAIL, o.status());
    // 256 + 128 + 2048 + 3 * 128 + 32 bytes, each region on a 64-byte boundary: 2,848.
    assertEquals(
        "FAIL  "
            + c
            + "\n      "
            + c
            + ": the kernel ABI layout needs 2,848 bytes of DRAM (its last region,"
            + " filter_zero_point, ends at 0xb20; the largest, filter, is 2,048 bytes), the"
            + " machine has 2,048\n",
        o.text());
  }

  @Test
  void theLayoutOfTheExampleGeometryIsTheOneTheKernelUses() throws Exception {
    CaseLayout l = CaseLayout.of(CaseReader.read(fcCases().get(0)));
    assertEquals(
        List.of(
            "input@0x0+256 int8 [4, 1, 1, 64]",
            "output@0x100+128 int8 [4, 1, 1, 32]",
            "filter@0x180+2048 int8 [32, 64]",
            "bias@0x980+128 int32 [32]",
            "multiplier@0xa00+128 int32 [32]",
            "shift@0xa80+128 int32 [32]",
            "filter_zero_point@0xb00+32 int8 [32]"),
        l.regions().stream()
            .map(
                r ->
                    String.format(
                        "%s@0x%x+%d %s %s", r.name(), r.address(), r.bytes(), r.dtype(), r.shape()))
            .toList());
  }

  /** The compiler obeys the ABI for the input and output: same addresses, every golden case. */
  @Test
  void theCompilerPlacesInputAndOutputWhereTheAbiDoes() throws Exception {
    CompilerTarget t =
        new CompilerTarget(
            MACHINE.lanes(),
            MACHINE.scratchpadBytes(Scratchpad.ACT),
            MACHINE.scratchpadBytes(Scratchpad.WGT),
            MACHINE.scratchpadBytes(Scratchpad.OUT),
            MACHINE.scratchpadBytes(Scratchpad.PAR),
            MACHINE.dramBytes());
    int checked = 0;
    for (Path f : GoldenOnSimulatorTest.files()) {
      GoldenCase c = CaseReader.read(f);
      CaseLayout l = CaseLayout.of(c);
      CompiledLayer compiled;
      try {
        compiled = KernelCompiler.compile(c.layer(), t);
      } catch (CompileException e) {
        continue;
      }
      Region in = l.input();
      Region out = l.output();
      assertEquals(in.address(), compiled.plan().inputAddr(), f.toString());
      assertEquals(out.address(), compiled.plan().outputAddr(), f.toString());
      assertEquals(out.bytes(), compiled.plan().outputBytes(), f.toString());
      checked++;
    }
    assertEquals(71, checked);
  }
}
