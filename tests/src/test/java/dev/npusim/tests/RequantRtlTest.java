package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.export.RequantVector;
import dev.npusim.isa.io.OutputFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Verilog requantization unit of {@code examples/rtl/} under Icarus Verilog, on vectors
 * exported by npusim: every output of every golden case with Q31 requantization (the accumulator
 * from the integer reference, the expected byte from the golden file itself, which CMSIS-NN or
 * TFLite produced), every shift with extreme accumulators and multipliers, rounding ties of both
 * rounding steps, and random values (expected bytes from the integer reference's arithmetic). It
 * proves that the exported vectors and the arithmetic contract are enough to verify real RTL.
 *
 * <p>Skipped, with the reason, when {@code iverilog} is not installed ({@code .ci/run} installs
 * it).
 */
class RequantRtlTest {
  static final Path RTL = RepoPaths.root().resolve("examples/rtl");
  static final int RANDOM_VECTORS = 20_000;

  /** (zo, amin, amax) settings: int8 full range, uint8 full range, ReLU6-like, narrow. */
  static final int[][] OUTPUTS = {
    {-128, -128, 127},
    {0, -128, 127},
    {127, -128, 127},
    {-5, -128, 127},
    {0, 0, 255},
    {128, 0, 255},
    {255, 0, 255},
    {3, 0, 100},
    {-128, -128, -100},
    {0, 17, 17}
  };

  static Path iverilog;
  static Path vvp;

  @BeforeAll
  static void findIcarus() {
    iverilog = onPath("iverilog");
    vvp = onPath("vvp");
  }

  static Path onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  static void assumeIcarus() {
    assumeTrue(
        iverilog != null && vvp != null,
        "Icarus Verilog is not installed (iverilog and vvp not on PATH; Debian package"
            + " 'iverilog', which .ci/run installs)");
  }

  /** Every output of every golden case with Q31 requantization; expected bytes from the file. */
  static List<RequantVector> goldenVectors() throws Exception {
    List<RequantVector> out = new ArrayList<>();
    for (Path f : GoldenOnSimulatorTest.files()) {
      out.addAll(RequantVector.fromCase(CaseReader.read(f)));
    }
    return out;
  }

  /** Extreme accumulators and multipliers at every shift, and ties of both rounding steps. */
  static List<RequantVector> edgeVectors() {
    int[] accs = {
      Integer.MIN_VALUE,
      Integer.MIN_VALUE + 1,
      -(1 << 30),
      -65536,
      -3,
      -2,
      -1,
      0,
      1,
      2,
      3,
      65535,
      1 << 30,
      Integer.MAX_VALUE - 1,
      Integer.MAX_VALUE
    };
    int[] multipliers = {
      Integer.MIN_VALUE,
      Integer.MIN_VALUE + 1,
      -(1 << 30),
      -1,
      0,
      1,
      1 << 30,
      (1 << 30) + 1,
      1518500250,
      Integer.MAX_VALUE
    };
    List<RequantVector> out = new ArrayList<>();
    int k = 0;
    for (int acc : accs) {
      for (int m : multipliers) {
        for (int s = -31; s <= 31; s++) {
          int[] o = OUTPUTS[k++ % OUTPUTS.length];
          out.add(RequantVector.fromReference(acc, m, s, o[0], o[1], o[2]));
        }
      }
    }
    // SRDHM ties: acc * 2^30 / 2^31 = acc / 2 is a tie for every odd acc.
    for (int acc = -41; acc <= 41; acc += 2) {
      int[] o = OUTPUTS[k++ % OUTPUTS.length];
      out.add(RequantVector.fromReference(acc, 1 << 30, 0, o[0], o[1], o[2]));
    }
    // RoundingDivideByPOT ties: with multiplier 2^30 an even acc = 2t gives exactly t, and
    // t = (2j + 1) * 2^(e-1) is a tie of the divide by 2^e.
    for (int e = 1; e <= 31; e++) {
      for (int j = 0; j < 4; j++) {
        long t = (2L * j + 1) << (e - 1);
        if (2 * t > Integer.MAX_VALUE) {
          continue;
        }
        for (int sign : new int[] {1, -1}) {
          int[] o = OUTPUTS[k++ % OUTPUTS.length];
          out.add(RequantVector.fromReference((int) (sign * 2 * t), 1 << 30, -e, o[0], o[1], o[2]));
        }
      }
    }
    return out;
  }

  static List<RequantVector> randomVectors(long seed, int n) {
    Random r = new Random(seed);
    List<RequantVector> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // Half legal Q31 multipliers in [2^30, 2^31), half any int32; accumulators of every size.
      int m = r.nextBoolean() ? (1 << 30) + r.nextInt(1 << 30) : r.nextInt();
      int acc = r.nextInt() >> r.nextInt(32);
      int s = r.nextInt(63) - 31;
      int[] o = OUTPUTS[r.nextInt(OUTPUTS.length)];
      out.add(RequantVector.fromReference(acc, m, s, o[0], o[1], o[2]));
    }
    return out;
  }

  /** Compiles and runs the testbench; returns its output. */
  static String simulate(Path dir, List<RequantVector> vectors) throws Exception {
    Path hex = dir.resolve("requant.hex");
    OutputFiles.write(hex, RequantVector.hex(vectors));
    Path image = dir.resolve("requant_tb.vvp");
    run(
        dir,
        iverilog.toString(),
        "-g2005",
        "-Wall",
        "-o",
        image.toString(),
        RTL.resolve("requant_unit.v").toString(),
        RTL.resolve("requant_tb.v").toString());
    return run(
        dir, vvp.toString(), "-n", image.toString(), "+vectors=" + hex, "+count=" + vectors.size());
  }

  static String run(Path dir, String... command) throws IOException, InterruptedException {
    Path log = dir.resolve("process.log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 300 s");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
    return out;
  }

  static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  @Test
  void theRtlUnitMatchesEveryExportedVector(@TempDir Path dir) throws Exception {
    assumeIcarus();
    List<RequantVector> golden = goldenVectors();
    List<RequantVector> edges = edgeVectors();
    List<RequantVector> vectors = new ArrayList<>(golden);
    vectors.addAll(edges);
    vectors.addAll(randomVectors(20261127L, RANDOM_VECTORS));
    assertTrue(golden.size() > 1000, "golden vectors: " + golden.size());
    assertTrue(vectors.size() >= 10_000);
    String out = simulate(dir, vectors);
    assertEquals(
        "requant_tb: " + vectors.size() + " passed, 0 failed of " + vectors.size(),
        lastLine(out),
        out);
  }

  /** The testbench can fail: one expected byte changed by hand is reported as a mismatch. */
  @Test
  void aWrongExpectationIsReported(@TempDir Path dir) throws Exception {
    assumeIcarus();
    List<RequantVector> vectors = new ArrayList<>(edgeVectors().subList(0, 100));
    // acc INT_MIN, multiplier INT_MIN, shift 0 is vector 31: SRDHM saturates to INT_MAX, which
    // the first output setting's clamp maps to 127 (0x7f). Claim 0x7e instead.
    RequantVector v = vectors.get(31);
    assertEquals(Integer.MIN_VALUE, v.acc());
    assertEquals(Integer.MIN_VALUE, v.multiplier());
    assertEquals(0, v.shift());
    assertEquals(0x7f, v.expected());
    vectors.set(
        31, new RequantVector(v.acc(), v.multiplier(), 0, v.zo(), v.amin(), v.amax(), 0x7e));
    String out = simulate(dir, vectors);
    assertTrue(
        out.contains("MISMATCH vector 31: acc -2147483648 multiplier -2147483648 shift 0"), out);
    assertTrue(out.contains("expected 7e, got 7f"), out);
    assertEquals("requant_tb: 99 passed, 1 failed of 100", lastLine(out));
  }
}
