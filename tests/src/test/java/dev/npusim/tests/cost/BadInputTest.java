package dev.npusim.tests.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad machines and inputs: one line on stderr that names the file and the field, exit code 1, no
 * stack trace, nothing on stdout, and no output file left behind.
 */
class BadInputTest {
  @TempDir Path dir;

  private Path caseFile() throws Exception {
    return caseFile(32);
  }

  private Path caseFile(int inputChannels) throws Exception {
    Path f = dir.resolve("case-" + inputChannels + ".json");
    CaseWriter.write(
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
                .input(1, 16, 16, inputChannels)
                .outputChannels(16)
                .kernel(3, 3)
                .padding(Padding.same())
                .build(),
            3),
        f);
    return f;
  }

  private Path machine(String json) throws Exception {
    Path m = dir.resolve("m.json");
    Files.writeString(m, json);
    return m;
  }

  /** Runs and checks the error shape; returns the one line. */
  private String oneLineError(String... args) {
    Cli r = Cli.run(args);
    assertEquals(1, r.exitCode(), "exit code; stderr: " + r.err());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line expected, got:\n" + err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
    assertTrue(err.startsWith("npusim: "), err);
    assertEquals("", r.out(), "nothing on stdout");
    return err;
  }

  @Test
  void aMalformedMachineFile() throws Exception {
    Path m = machine("{\"lanes\": 16,, \"clock_mhz\": 500}");
    String err = oneLineError("estimate", caseFile().toString(), "--machine", m.toString());
    assertTrue(err.contains(m.toString()) && err.contains("line 1, column"), err);
    assertTrue(err.contains("malformed JSON"), err);
  }

  @Test
  void aNegativeScratchpadSize() throws Exception {
    Path m = machine("{\"scratchpads\": {\"act\": {\"bytes\": -65536}}}");
    String err = oneLineError("estimate", caseFile().toString(), "--machine", m.toString());
    assertEquals("npusim: " + m + ": scratchpads.act: bytes must be positive, got -65536", err);
  }

  @Test
  void aNegativeDmaBandwidth() throws Exception {
    Path m = machine("{\"dma\": {\"bytes_per_cycle\": -8}}");
    String err = oneLineError("estimate", caseFile().toString(), "--machine", m.toString());
    assertEquals("npusim: " + m + ": dma.bytes_per_cycle must be positive, got -8", err);
  }

  @Test
  void aScratchpadTooSmallForTheSmallestTile() throws Exception {
    // 3x3 taps of 32 input channels need at least 3 x 3 x 32 = 288 bytes of act per tile.
    Path m = machine("{\"scratchpads\": {\"act\": {\"bytes\": 256, \"banks\": 1}}}");
    Path json = dir.resolve("out.json");
    String err =
        oneLineError(
            "estimate",
            caseFile().toString(),
            "--machine",
            m.toString(),
            "--json",
            json.toString());
    assertTrue(err.contains("does not compile for m: scratchpads.act: 256 bytes"), err);
    assertFalse(Files.exists(json), "no report is written for a failed estimate");
  }

  @Test
  void aSweepPointThatDoesNotCompileIsReportedNotFatal() throws Exception {
    // 1 KiB of act cannot hold 3x3 taps of 128 channels (1152 bytes).
    Path csv = dir.resolve("s.csv");
    Cli r =
        Cli.run(
            "sweep",
            caseFile(128).toString(),
            "--act-kib",
            "64,1",
            "--csv",
            csv.toString(),
            "--threads",
            "1");
    assertEquals(0, r.exitCode(), r.err());
    String rows = Files.readString(csv);
    assertTrue(rows.contains("error: "), rows);
    assertTrue(rows.contains("scratchpads.act"), rows);
  }

  @Test
  void badSweepValuesAndMissingInputs() throws Exception {
    // A bad option value is a usage error (exit 2, README "Exit codes"), also when the command's
    // own check finds it rather than picocli's parser.
    Cli usage = Cli.run("sweep", caseFile().toString(), "--lanes", "0,8", "--csv", "x.csv");
    assertEquals(2, usage.exitCode(), usage.err());
    assertTrue(
        usage.err().startsWith("npusim: --lanes: 0 must be a positive integer\n"), usage.err());
    String err = oneLineError("estimate", "--machine", "npu8-default");
    assertEquals("npusim: estimate: give either a case file or program, or --model", err);
    err = oneLineError("estimate", caseFile().toString(), "--machine", "tpu-v9");
    assertTrue(err.contains("tpu-v9") && err.contains("not a preset"), err);
  }
}
