package dev.npusim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's bad-input behaviour and exit codes (issue 12), each through {@link
 * Main#execute}: 0 success, 1 bad input or a fault (one line on stderr, no stack trace), 2 usage
 * (whether picocli's parser or a command's own check found it). Every case here reproduced the
 * issue's report before its fix.
 */
class ExitCodeTest {
  @TempDir Path dir;

  record Cli(int code, String out, String err) {}

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(args, o, e);
    }
    return new Cli(code, out.toString(), err.toString());
  }

  /** Exit 1 with one line on stderr, no stack trace; returns the line. */
  static String badInput(String... args) {
    Cli r = run(args);
    assertEquals(1, r.code(), "exit code; stderr: " + r.err());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line expected, got:\n" + err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
    assertTrue(err.startsWith("npusim: "), err);
    return err;
  }

  /** Exit 2: the message, then where to find the usage; returns the message line. */
  static String usage(String... args) {
    Cli r = run(args);
    assertEquals(2, r.code(), "exit code; stderr: " + r.err());
    List<String> lines = r.err().strip().lines().toList();
    assertEquals(2, lines.size(), r.err());
    assertTrue(lines.get(1).startsWith("Try 'npusim"), r.err());
    assertTrue(lines.get(0).startsWith("npusim: "), r.err());
    return lines.get(0);
  }

  private Path program() throws IOException {
    Path p = dir.resolve("p.s");
    Files.writeString(p, "li x1, 5\nhalt\n");
    return p;
  }

  private Path caseFile(Path folder, int seed) throws IOException {
    Files.createDirectories(folder);
    Path f = folder.resolve("case-" + seed + ".json");
    CaseWriter.write(
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
                .input(1, 4, 4, 8)
                .outputChannels(8)
                .kernel(3, 3)
                .padding(Padding.same())
                .build(),
            seed),
        f);
    return f;
  }

  private static Path fifo(Path at) throws Exception {
    Process p = new ProcessBuilder("mkfifo", at.toString()).start();
    assertEquals(0, p.waitFor(), "mkfifo");
    return at;
  }

  @Test
  void successIsZero() throws Exception {
    Cli r = run("run", program().toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
  }

  @Test
  void usageIsTwoFromTheParserAndFromTheCommandsOwnChecks() throws Exception {
    usage("run"); // the parser: a missing parameter
    usage("run", program().toString(), "--no-such-option");
    String p = program().toString();
    assertEquals("npusim: --max-steps 0: must be at least 1", usage("run", p, "--max-steps", "0"));
    assertEquals(
        "npusim: --max-steps -1: must be at least 1", usage("run", p, "--max-steps", "-1"));
    assertTrue(usage("asm", p, "-o", "").contains("an empty name is not a file name"));
    assertTrue(usage("run", p, "--dump", "0:4:").contains("an empty name is not a file name"));
  }

  @Test
  void debugWorksBeforeTheCommandName() throws Exception {
    Path missing = dir.resolve("missing.s");
    // Before the fix, `--debug run X` ran the analysis with `run X` as stray arguments (exit 2).
    Cli r = run("--debug", "run", missing.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("npusim: " + missing + ": no such file\n"), r.err());
    assertTrue(r.err().contains("UserError"), "--debug prints the exception: " + r.err());
    Cli after = run("run", missing.toString(), "--debug");
    assertEquals(1, after.code());
    assertEquals(r.err(), after.err());
  }

  @Test
  void devicesAndFifosAreRefusedAtOnce() throws Exception {
    assertEquals(
        "npusim: /dev/zero: is a character device, not a regular file",
        badInput("disasm", "/dev/zero"));
    String p = program().toString();
    assertEquals(
        "npusim: /dev/zero: is a character device, not a regular file",
        badInput("run", p, "--dram", "/dev/zero"));
    // trace-diff streams its files line by line: /dev/zero would be one endless line.
    assertEquals(
        "npusim: /dev/zero: is a character device, not a regular file",
        badInput("trace-diff", "/dev/zero", p));
    Path fifo = fifo(dir.resolve("pipe.bin"));
    // Not "no such file", and no blocking on the open.
    assertEquals(
        "npusim: " + fifo + ": is a FIFO (named pipe), not a regular file",
        badInput("disasm", fifo.toString()));
  }

  @Test
  void maxInputBytesIsAGlobalOptionNamedInTheMessage() throws Exception {
    Path p = program(); // "li x1, 5\n" and "halt\n": 9 + 5 = 14 bytes
    String expected =
        "npusim: "
            + p
            + ": 14 bytes is over the input size limit of 10 bytes; raise it with"
            + " --max-input-bytes BYTES (or -Dnpusim.max-input-bytes=BYTES)";
    assertEquals(expected, badInput("--max-input-bytes", "10", "run", p.toString()));
    assertEquals(expected, badInput("run", p.toString(), "--max-input-bytes", "10"));
    assertEquals(expected, badInput("run", p.toString(), "--max-input-bytes=10"));
    assertNull(System.getProperty(InputFiles.MAX_BYTES_PROPERTY), "the limit is restored");
    assertEquals(0, run("run", p.toString()).code());
    usage("run", p.toString(), "--max-input-bytes", "0");
  }

  @Test
  void dramAddressesBeyond32BitsAreErrorsNotWrapped() throws Exception {
    Path data = dir.resolve("d.bin");
    Files.write(data, new byte[16]);
    String err = badInput("run", program().toString(), "--dram", data + "@0x100001000");
    assertTrue(err.contains("16 bytes at 4294971392 do not fit"), err);
  }

  @Test
  void validateReportsUnreadableCasesOnStderrAndRunsTheRest() throws Exception {
    Path folder = dir.resolve("cases");
    caseFile(folder, 1);
    caseFile(folder, 2);
    Files.writeString(folder.resolve("broken.json"), "{\"format\": ");
    try (RandomAccessFile huge = new RandomAccessFile(folder.resolve("huge.json").toFile(), "rw")) {
      huge.setLength(3L << 30); // sparse: 3 GB on paper, nothing on disk
    }
    Cli r = run("validate", "--engine", "reference", folder.toString());
    assertEquals(1, r.code(), r.err());
    List<String> err = r.err().strip().lines().toList();
    assertEquals(2, err.size(), r.err());
    assertTrue(err.get(0).startsWith("npusim: " + folder.resolve("broken.json") + ":"), r.err());
    assertTrue(
        err.get(1)
            .startsWith(
                "npusim: "
                    + folder.resolve("huge.json")
                    + ": 3221225472 bytes is over the input size limit"),
        r.err());
    assertFalse(r.out().contains("broken") || r.out().contains("huge"), r.out());
    assertEquals(2, r.out().lines().filter(l -> l.startsWith("PASS")).count(), r.out());
    assertTrue(r.out().endsWith("2 passed, 0 failed, 2 not read (see stderr)\n"), r.out());
  }

  @Test
  void validateFollowsASymlinkedFolderAndRefusesAnEmptyOne() throws Exception {
    Path real = dir.resolve("real");
    caseFile(real, 1);
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Cli r = run("validate", "--engine", "reference", link.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().endsWith("1 passed, 0 failed\n"), r.out());
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertEquals(
        "npusim: " + empty + ": no case files (*.json) in this folder",
        badInput("validate", empty.toString()));
  }

  @Test
  void goldenGenSeedsDoNotWrapAndKernelNamesItsSyntax() throws Exception {
    String out = dir.resolve("g").toString();
    String err =
        usage(
            "golden",
            "gen",
            "--op",
            "conv2d",
            "--semantics",
            "tflite-int8",
            "--seed",
            "9223372036854775807",
            "--count",
            "2",
            "-o",
            out);
    assertTrue(err.contains("the first may be at most 9223372036854775806"), err);
    usage(
        "golden", "gen", "--op", "conv2d", "--semantics", "tflite-int8", "--seed", "-1", "-o", out);
    assertEquals(
        "npusim: --kernel 3: expected KHxKW, e.g. 3x3",
        usage(
            "golden",
            "gen",
            "--op",
            "conv2d",
            "--semantics",
            "tflite-int8",
            "--kernel",
            "3",
            "-o",
            out));
    assertFalse(Files.exists(Path.of(out)), "nothing written");
  }

  @Test
  void outputsGetTheUmasksModeAndNameTheReasonTheyFailed() throws Exception {
    Path bin = dir.resolve("p.bin");
    assertEquals(0, run("asm", program().toString(), "-o", bin.toString()).code());
    Path plain = Files.createFile(dir.resolve("plain")); // the mode the umask gives a new file
    assertEquals(
        Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(bin), "not 0600");
    Path folder = Files.createDirectories(dir.resolve("a-folder"));
    assertEquals(
        "npusim: " + folder + ": cannot write: is a directory",
        badInput("asm", program().toString(), "-o", folder.toString()));
    // The reasons themselves are tested beside OutputFiles, in isa.
  }

  @Test
  void aFailureOnTheSecondOutputLeavesTheFirstUnwritten() throws Exception {
    Path first = dir.resolve("first.bin");
    Path second = Files.createDirectories(dir.resolve("second"));
    String err =
        badInput("run", program().toString(), "--dump", "0:4:" + first, "--dump", "0:4:" + second);
    assertEquals("npusim: " + second + ": cannot write: is a directory", err);
    assertFalse(Files.exists(first), "the first output is not written either");
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(
          List.of(),
          left.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
          "no temporary file is left");
    }
  }

  @Test
  void goldenGenWritesAllCasesOrNone() throws Exception {
    Path out = dir.resolve("gen");
    Cli ok =
        run(
            "golden",
            "gen",
            "--op",
            "fully_connected",
            "--semantics",
            "tflite-int8",
            "--count",
            "2",
            "-o",
            out.toString());
    assertEquals(0, ok.code(), ok.err());
    List<Path> written = ok.out().lines().map(Path::of).toList();
    assertEquals(2, written.size());
    for (Path p : written) {
      Files.delete(p);
    }
    Files.createDirectories(written.get(1)); // the second case's name is taken by a folder
    badInput(
        "golden",
        "gen",
        "--op",
        "fully_connected",
        "--semantics",
        "tflite-int8",
        "--count",
        "2",
        "-o",
        out.toString());
    try (Stream<Path> left = Files.list(out)) {
      assertEquals(List.of(written.get(1)), left.toList(), "no case and no .tmp file written");
    }
  }

  @Test
  void sweepWithEveryPointFailedIsAnError() throws Exception {
    Path c = caseFile(dir, 1);
    Path csv = dir.resolve("s.csv");
    String err = usage("sweep", c.toString(), "--act-kib", "2097150", "--csv", csv.toString());
    assertEquals(
        "npusim: --act-kib 2097150: scratchpads.act.bytes: 2097150 KiB is more than the"
            + " simulator can hold: at most 1048576 KiB (1 GiB)",
        err);
    // 3x3 taps of 8 channels need 72 bytes of act per tile, more than 64 bytes of 32 lanes.
    Path tiny = dir.resolve("tiny.json");
    Files.writeString(tiny, "{\"scratchpads\": {\"act\": {\"bytes\": 64, \"banks\": 1}}}");
    Cli r =
        run(
            "sweep",
            c.toString(),
            "--machine",
            tiny.toString(),
            "--dma-bw",
            "8,16",
            "--csv",
            csv.toString(),
            "--threads",
            "1");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("npusim: sweep: all 2 points failed; the first: "), r.err());
  }

  @Test
  void anInfiniteEnergyIsOneLine() throws Exception {
    Path m = dir.resolve("m.json");
    Files.writeString(m, "{\"energy_pj\": {\"dram_per_64b\": 1e308}}");
    String err = badInput("run", program().toString(), "--machine", m.toString());
    assertTrue(err.startsWith("npusim: " + m + ": "), err);
    assertTrue(err.contains("dram_per_64b"), err);
  }

  @Test
  void dumpBytesAreTheDram() throws Exception {
    Path data = dir.resolve("d.bin");
    Files.write(data, new byte[] {1, 2, 3, 4});
    Path dump = dir.resolve("dump.bin");
    Cli r = run("run", program().toString(), "--dram", data + "@0x10", "--dump", "0x10:4:" + dump);
    assertEquals(0, r.code(), r.err());
    assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(dump));
  }

  @Test
  void theIssuesOtherReproductionsAreOneLineThroughTheCli() throws Exception {
    Path deep = dir.resolve("deep.s");
    Files.writeString(deep, "li x1, " + "(".repeat(5000) + "1" + ")".repeat(5000) + "\nhalt\n");
    String err = badInput("asm", deep.toString(), "-o", dir.resolve("deep.bin").toString());
    assertTrue(err.startsWith("npusim: " + deep + ":1:"), err);
    Path open = dir.resolve("open.s");
    Files.writeString(open, "li x1, (1\nhalt\n");
    err = badInput("asm", open.toString(), "-o", dir.resolve("open.bin").toString());
    assertFalse(err.contains("operand(s)"), "says what is wrong: " + err);
    Path m = dir.resolve("big.json");
    Files.writeString(m, "{\"dram_bytes\": 2147483647}");
    err = badInput("run", program().toString(), "--machine", m.toString());
    assertTrue(err.contains("dram_bytes") && err.contains("1 GiB"), err);
    // Options that describe an impossible layer are usage errors, naming the geometry.
    String out = dir.resolve("g").toString();
    err =
        usage(
            "golden",
            "gen",
            "--op",
            "conv2d",
            "--semantics",
            "tflite-int8",
            "--padding",
            "2147483647,2147483647,0,0",
            "-o",
            out);
    assertTrue(err.contains("output size 4294967300 does not fit in 32 bits"), err);
    usage(
        "golden",
        "gen",
        "--op",
        "depthwise_conv2d",
        "--semantics",
        "tflite-int8",
        "--depth-multiplier",
        "1000000000",
        "-o",
        out);
  }

  @Test
  void onlyABugIsExitThree() {
    // Every reader's and checker's own error is the user's (exit 1, its message as the line) ...
    dev.npusim.isa.AsmException asm =
        new dev.npusim.isa.AsmException("x.s", 1, 1, "expected register, got 'x9'");
    assertEquals(asm.getMessage(), Main.userErrorMessage(asm));
    assertEquals(
        "/tmp/x: no space left on device",
        Main.userErrorMessage(
            new java.nio.file.FileSystemException("/tmp/x", null, "No space left on device")));
    assertTrue(Main.userErrorMessage(new OutOfMemoryError()).contains("-Xmx"));
    // ... anything else is a bug (exit 3, with a request to report it).
    assertNull(Main.userErrorMessage(new IllegalStateException("bug")));
    assertNull(Main.userErrorMessage(new ArrayIndexOutOfBoundsException(3)));
  }

  @Test
  void validateWithAKernelAlsoReportsUnreadableCasesOnStderr() throws Exception {
    Path folder = dir.resolve("kcases");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("broken.json"), "{\"format\": ");
    Cli r = run("validate", "--kernel", program().toString(), folder.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("npusim: " + folder.resolve("broken.json") + ":"), r.err());
    assertEquals("0 passed, 0 failed, 1 not read (see stderr)\n", r.out());
  }
}
