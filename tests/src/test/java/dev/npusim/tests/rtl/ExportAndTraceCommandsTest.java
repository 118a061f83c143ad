package dev.npusim.tests.rtl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export}, {@code run --commit-log} and {@code trace-diff} through the command line. */
class ExportAndTraceCommandsTest {
  @TempDir Path tmp;

  /**
   * Reads {@code $readmemh} text back into bytes, as IEEE 1364 defines it: {@code @hex} sets the
   * word address, each hex word fills the next word; words are little-endian in memory.
   */
  static byte[] readmemh(String text, int wordBytes, int bytes) {
    byte[] mem = new byte[bytes];
    long word = 0;
    for (String token : text.split("\\s+")) {
      if (token.isEmpty()) {
        continue;
      }
      if (token.startsWith("@")) {
        word = Long.parseLong(token.substring(1), 16);
        continue;
      }
      long v = Long.parseUnsignedLong(token, 16);
      for (int b = 0; b < wordBytes; b++) {
        long at = word * wordBytes + b;
        if (at < bytes) {
          mem[(int) at] = (byte) (v >>> (8 * b));
        }
      }
      word++;
    }
    return mem;
  }

  @Test
  void aCompiledCaseExportsItsExpectedOutputAtTheOutputAddress() throws Exception {
    String caseFile = Cli.path("examples/fc-cases/fc-4x64x32-seed2.json");
    Path dir = tmp.resolve("case");
    Cli r =
        Cli.run(
            "export", caseFile, "-o", dir.toString(), "--format", "readmemh", "--word-bits", "64");
    assertEquals(0, r.exitCode(), r.toString());
    for (String f : List.of("program.hex", "dram.hex", "expected.hex", "manifest.json")) {
      assertTrue(r.out().contains("wrote " + dir.resolve(f)), r.out());
    }
    GoldenCase c = CaseReader.read(Path.of(caseFile));
    int[] expected = c.expectedOutput().toArray();
    // The output sits right after the 256-byte input (the ABI's rule the compiler follows).
    byte[] mem = readmemh(Files.readString(dir.resolve("expected.hex")), 8, 256 + expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals((byte) expected[i], mem[256 + i], "output byte " + i);
    }
    for (String line : Files.readAllLines(dir.resolve("program.hex"))) {
      assertTrue(line.matches("[0-9a-f]{16}"), line);
    }
  }

  @Test
  void aProgramExportsItsWordsAndItsDramImage() throws Exception {
    Path dir = tmp.resolve("pw");
    byte[] image = Files.readAllBytes(Path.of(Cli.path("examples/pointwise-dram.bin")));
    Cli r =
        Cli.run(
            "export",
            Cli.path("examples/pointwise.s"),
            "--dram",
            Cli.path("examples/pointwise-dram.bin"),
            "-o",
            dir.toString());
    assertEquals(0, r.exitCode(), r.toString());
    List<String> words = Files.readAllLines(dir.resolve("program.hex"));
    // README's disasm of pointwise.bin: 64 instructions, the first csrwi zx, -128.
    assertEquals(64, words.size());
    assertEquals("3a000000ffffff80", words.get(0));
    assertArrayEquals(image, readmemh(Files.readString(dir.resolve("dram.hex")), 4, image.length));
  }

  @Test
  void badExportOptionsAreOneLine() {
    Cli.run("export", Cli.path("examples/pointwise.s"), "-o", tmp.toString(), "--word-bits", "12")
        .assertOneLineError("--word-bits 12: expected 8, 16, 32 or 64");
    Cli.run(
            "export",
            Cli.path("examples/pointwise.s"),
            "-o",
            tmp.toString(),
            "--kernel",
            Cli.path("examples/fc-kernel.s"))
        .assertOneLineError("--kernel is for a case (.json), not a program");
  }

  private static final String LOOP =
      "li x1, 3\nli x2, 0\nloop x1, end\naddi x2, x2, 10\nend: li x3, 7\nhalt\n";

  @Test
  void commitLogsOfOneRunAgreeAndAChangedValueDiverges() throws Exception {
    Path program = tmp.resolve("loop.s");
    Files.writeString(program, LOOP);
    Path a = tmp.resolve("a.jsonl");
    Cli run = Cli.run("run", program.toString(), "--commit-log", a.toString());
    assertEquals(0, run.exitCode(), run.toString());
    List<String> lines = Files.readAllLines(a);
    // li, li, loop, three addi, li, halt.
    assertEquals(8, lines.size());
    assertTrue(lines.get(5).contains("\"writes\":[{\"kind\":\"x\",\"reg\":2,\"value\":30}]"));
    Cli same = Cli.run("trace-diff", a.toString(), a.toString());
    assertEquals(0, same.exitCode(), same.toString());
    assertEquals(a + " and " + a + " agree: 8 records\n", same.out());

    Path b = tmp.resolve("b.jsonl");
    Files.writeString(b, Files.readString(a).replace("\"value\":30}", "\"value\":31}"));
    Cli diff = Cli.run("trace-diff", a.toString(), b.toString());
    assertEquals(1, diff.exitCode(), diff.toString());
    assertTrue(
        diff.out()
            .startsWith(
                "first divergence at record 6 (line 6 of both): write 1 differs:"
                    + " {\"kind\":\"x\",\"reg\":2,\"value\":30} vs"
                    + " {\"kind\":\"x\",\"reg\":2,\"value\":31}\n"),
        diff.out());
  }

  @Test
  void aFaultingRunKeepsItsLogEndingInTheFault() throws Exception {
    Path log = tmp.resolve("hazard.jsonl");
    Cli r = Cli.run("run", Cli.path("examples/hazard.s"), "--commit-log", log.toString());
    assertEquals(1, r.exitCode());
    assertTrue(
        r.err()
            .startsWith("npusim: " + Cli.path("examples/hazard.s") + ": fault dma_hazard at pc 5"),
        r.err());
    List<String> lines = Files.readAllLines(log);
    assertTrue(lines.get(lines.size() - 1).startsWith("{\"fault\":\"dma_hazard\",\"pc\":5,"));
  }

  @Test
  void truncatedAndMalformedLogsNameTheLine() throws Exception {
    Path program = tmp.resolve("loop.s");
    Files.writeString(program, LOOP);
    Path a = tmp.resolve("a.jsonl");
    Cli.run("run", program.toString(), "--commit-log", a.toString());
    List<String> lines = Files.readAllLines(a);
    Path truncated = tmp.resolve("t.jsonl");
    Files.writeString(
        truncated, lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(2).substring(0, 30));
    Cli.run("trace-diff", a.toString(), truncated.toString())
        .assertOneLineError(
            truncated + ":3: truncated record (the line ends inside the JSON object)");
    Path malformed = tmp.resolve("m.jsonl");
    Files.writeString(malformed, lines.get(0) + "\n[1, 2]\n");
    Cli r = Cli.run("trace-diff", a.toString(), malformed.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("npusim: " + malformed + ":2: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    Cli.run("trace-diff", a.toString(), tmp.resolve("none.jsonl").toString())
        .assertOneLineError(tmp.resolve("none.jsonl") + ": no such file");
  }
}
