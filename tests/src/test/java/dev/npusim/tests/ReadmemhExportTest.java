package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.export.ReadmemhExport;
import dev.npusim.golden.layout.CaseLayout;
import dev.npusim.isa.Program;
import dev.npusim.isa.io.OutputFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The readmemh export loads in a real Verilog simulator: Icarus reads {@code program.hex}, {@code
 * dram.hex} and {@code expected.hex} with {@code $readmemh} into memories of the exported word
 * width and prints them back; the words must be the program's encoding, the DRAM image and the
 * expected output, byte for byte. Skipped without Icarus, like {@link RequantRtlTest}.
 */
class ReadmemhExportTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 4, 8})
  void icarusLoadsEveryFileAsExported(int wordBytes, @TempDir Path dir) throws Exception {
    RequantRtlTest.findIcarus();
    RequantRtlTest.assumeIcarus();
    Path caseFile = KernelAbiTest.fcCases().get(0);
    GoldenCase c = CaseReader.read(caseFile);
    Program kernel = KernelAbiTest.kernel("fc-kernel.s");
    ReadmemhExport export = ReadmemhExport.forCase(c, kernel, wordBytes);
    export.writeTo(dir);
    CaseLayout layout = CaseLayout.of(c);
    byte[] image = layout.image();
    int words = (image.length + wordBytes - 1) / wordBytes;
    int outLo = layout.output().address() / wordBytes;
    int outHi = (int) ((layout.output().end() + wordBytes - 1) / wordBytes);
    int bits = 8 * wordBytes;
    String tb =
        String.join(
            "\n",
            "module load_tb;",
            "  reg [63:0] prog [0:" + (kernel.size() - 1) + "];",
            "  reg [" + (bits - 1) + ":0] mem [0:" + (words - 1) + "];",
            "  reg [" + (bits - 1) + ":0] exp [0:" + (words - 1) + "];",
            "  integer i;",
            "  initial begin",
            "    for (i = 0; i < " + words + "; i = i + 1) begin mem[i] = 0; exp[i] = 0; end",
            "    $readmemh(\"program.hex\", prog);",
            "    $readmemh(\"dram.hex\", mem);",
            "    $readmemh(\"expected.hex\", exp);",
            "    for (i = 0; i < " + kernel.size() + "; i = i + 1) $display(\"P %h\", prog[i]);",
            "    for (i = 0; i < " + words + "; i = i + 1) $display(\"D %h\", mem[i]);",
            "    for (i = " + outLo + "; i < " + outHi + "; i = i + 1) $display(\"E %h\", exp[i]);",
            "    $finish;",
            "  end",
            "endmodule",
            "");
    OutputFiles.write(dir.resolve("load_tb.v"), tb);
    RequantRtlTest.run(
        dir, RequantRtlTest.iverilog.toString(), "-g2005", "-o", "load_tb.vvp", "load_tb.v");
    String out = RequantRtlTest.run(dir, RequantRtlTest.vvp.toString(), "-n", "load_tb.vvp");
    List<Long> program = new ArrayList<>();
    List<Long> dram = new ArrayList<>();
    List<Long> expected = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.length() < 3) {
        continue;
      }
      long v = Long.parseUnsignedLong(line.substring(2).strip(), 16);
      switch (line.charAt(0)) {
        case 'P' -> program.add(v);
        case 'D' -> dram.add(v);
        case 'E' -> expected.add(v);
        default -> {}
      }
    }
    assertArrayEquals(kernel.encode(), program.stream().mapToLong(Long::longValue).toArray());
    assertArrayEquals(image, bytes(dram, wordBytes, image.length));
    byte[] exp = bytes(expected, wordBytes, expected.size() * wordBytes);
    byte[] want = layout.expectedOutput();
    int skip = layout.output().address() - outLo * wordBytes;
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], exp[skip + i], "expected output byte " + i);
    }
  }

  private static byte[] bytes(List<Long> words, int wordBytes, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (words.get(i / wordBytes) >>> (8 * (i % wordBytes)));
    }
    return b;
  }

  @Test
  void theManifestNamesEveryFile(@TempDir Path dir) throws Exception {
    GoldenCase c = CaseReader.read(KernelAbiTest.fcCases().get(0));
    ReadmemhExport e = ReadmemhExport.forCase(c, KernelAbiTest.kernel("fc-kernel.s"), 4);
    List<Path> written = e.writeTo(dir);
    assertEquals(
        List.of("program.hex", "dram.hex", "expected.hex", "manifest.json"),
        written.stream().map(p -> p.getFileName().toString()).toList());
    String manifest = Files.readString(dir.resolve("manifest.json"));
    com.fasterxml.jackson.databind.JsonNode m =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest);
    assertEquals(64, m.path("files").path("program.hex").path("word_bits").asInt());
    assertEquals(32, m.path("files").path("dram.hex").path("word_bits").asInt());
    assertEquals(0x100, m.path("files").path("expected.hex").path("byte_address").asInt());
    assertEquals(0x40, m.path("files").path("expected.hex").path("word_address").asInt());
    assertEquals(128, m.path("files").path("expected.hex").path("bytes").asInt());
  }

  /** Reads {@code $readmemh} text back into bytes (an independent reading of the format). */
  static byte[] parseImage(String hex, int wordBytes, int length) {
    byte[] b = new byte[length];
    long word = 0;
    for (String token : hex.split("\\s+")) {
      if (token.isEmpty()) {
        continue;
      }
      if (token.startsWith("@")) {
        word = Long.parseLong(token.substring(1), 16);
        continue;
      }
      long v = Long.parseUnsignedLong(token, 16);
      for (int i = 0; i < wordBytes; i++) {
        long at = word * wordBytes + i;
        if (at < length) {
          b[(int) at] = (byte) (v >>> (8 * i));
        }
      }
      word++;
    }
    return b;
  }

  /**
   * A compiled case exported with the compiler's own image: loading {@code dram.hex} and running
   * {@code program.hex} leaves {@code expected.hex} in DRAM.
   */
  @Test
  void aCompiledCaseRunsFromItsExportedFiles(@TempDir Path dir) throws Exception {
    dev.npusim.simulator.MachineConfig m = dev.npusim.simulator.MachineConfig.defaults();
    Path f = GoldenOnSimulatorTest.files().get(0);
    GoldenCase c = CaseReader.read(f);
    dev.npusim.kernels.codegen.CompiledLayer compiled =
        dev.npusim.kernels.codegen.KernelCompiler.compile(
            c.layer(),
            new dev.npusim.kernels.codegen.CompilerTarget(
                m.lanes(),
                m.scratchpadBytes(dev.npusim.isa.Scratchpad.ACT),
                m.scratchpadBytes(dev.npusim.isa.Scratchpad.WGT),
                m.scratchpadBytes(dev.npusim.isa.Scratchpad.OUT),
                m.scratchpadBytes(dev.npusim.isa.Scratchpad.PAR),
                m.dramBytes()));
    ReadmemhExport.forCompiled(compiled, c, 4).writeTo(dir);
    List<String> words = Files.readAllLines(dir.resolve("program.hex"));
    long[] encoded = words.stream().mapToLong(w -> Long.parseUnsignedLong(w, 16)).toArray();
    List<dev.npusim.isa.Instruction> insns = new ArrayList<>();
    for (long w : encoded) {
      insns.add(dev.npusim.isa.Encoding.decode(w));
    }
    Program p = Program.of(insns);
    int size = (int) compiled.plan().dramBytes();
    byte[] image = parseImage(Files.readString(dir.resolve("dram.hex")), 4, size);
    dev.npusim.simulator.Machine machine =
        new dev.npusim.simulator.Machine(m.withDram(Math.max(1 << 20, size)));
    machine.writeDram(0, image);
    machine.run(p, dev.npusim.simulator.Machine.DEFAULT_MAX_STEPS);
    int out = compiled.plan().outputAddr();
    int bytes = compiled.plan().outputBytes();
    byte[] expected = parseImage(Files.readString(dir.resolve("expected.hex")), 4, out + bytes);
    assertArrayEquals(
        java.util.Arrays.copyOfRange(expected, out, out + bytes), machine.readDram(out, bytes));
    for (int i = 0; i < bytes; i++) {
      assertEquals((byte) c.expectedOutput().get(i), expected[out + i]);
    }
  }
}
