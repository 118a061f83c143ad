package dev.npusim.tests.rtl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code golden layout} and {@code validate --kernel} through the command line, on the example
 * kernels and cases of {@code examples/} and on the bad inputs of issue 10.
 */
class KernelCommandsTest {
  static final String CASES = Cli.path("examples/fc-cases");
  static final String CASE = Cli.path("examples/fc-cases/fc-4x64x32-seed1.json");

  @TempDir Path tmp;

  @Test
  void goldenLayoutWritesTheAbiRegions() throws Exception {
    Path dir = tmp.resolve("layout");
    Cli r = Cli.run("golden", "layout", CASE, "-o", dir.toString());
    assertEquals(0, r.exitCode(), r.toString());
    JsonNode layout = new ObjectMapper().readTree(dir.resolve("layout.json").toFile());
    // By hand from the ABI: input 4x64 bytes at 0; output 4x32 at 256; filter 32x64 at 384;
    // bias, multiplier and shift 32 x 4 bytes each at 2432, 2560, 2688; zero points at 2816.
    String[] names = {
      "input", "output", "filter", "bias", "multiplier", "shift", "filter_zero_point"
    };
    int[] addresses = {0, 256, 384, 2432, 2560, 2688, 2816};
    int[] sizes = {256, 128, 2048, 128, 128, 128, 32};
    for (int i = 0; i < names.length; i++) {
      JsonNode region = layout.get("regions").get(i);
      assertEquals(names[i], region.get("name").asText());
      assertEquals(addresses[i], region.get("address").asInt(), names[i]);
      assertEquals(sizes[i], region.get("bytes").asInt(), names[i]);
    }
    assertEquals(2848, layout.get("dram_bytes").asInt());
    byte[] image = Files.readAllBytes(dir.resolve("dram.bin"));
    assertEquals(2848, image.length);
    GoldenCase c = CaseReader.read(Path.of(CASE));
    int[] input = c.input().toArray();
    byte[] expected = new byte[input.length];
    for (int i = 0; i < input.length; i++) {
      expected[i] = (byte) input[i];
    }
    assertArrayEquals(expected, Arrays.copyOfRange(image, 0, 256));
    // dram.hex: 32-bit words, little-endian; the first word holds bytes 0..3.
    String hex = Files.readString(dir.resolve("dram.hex"));
    String firstWord = hex.lines().skip(1).findFirst().orElseThrow().split(" ")[0];
    assertEquals(
        String.format(
            "%02x%02x%02x%02x", image[3] & 0xFF, image[2] & 0xFF, image[1] & 0xFF, image[0] & 0xFF),
        firstWord);
    assertTrue(
        r.out().contains("  output                  0x100        128  int8     [4, 1, 1, 32]"));
  }

  @Test
  void theExampleKernelPassesItsCases() {
    Cli r = Cli.run("validate", "--kernel", Cli.path("examples/fc-kernel.s"), CASES);
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().endsWith("3 passed, 0 failed" + System.lineSeparator()), r.out());
    assertEquals(3, r.out().lines().filter(l -> l.startsWith("PASS  ")).count(), r.out());
  }

  @Test
  void theOffByOneKernelFailsWithTheFirstMismatch() {
    Cli r = Cli.run("validate", "--kernel", Cli.path("examples/fc-kernel-off-by-one.s"), CASE);
    assertEquals(1, r.exitCode(), r.toString());
    // Expected -126 is the golden file's; KernelAbiTest derives the kernel's -128 by hand (its
    // loop drops input channel 63).
    assertTrue(
        r.out()
            .contains(
                "      first mismatch at NHWC [0, 0, 0, 0]: expected -126, actual -128\n"
                    + "      32-bit accumulator before requantization (integer reference): -19317;"
                    + " it requantizes to -126\n"),
        r.out());
    assertTrue(r.out().endsWith("0 passed, 1 failed\n"), r.out());
  }

  @Test
  void aStoreOutsideTheOutputRegionIsReported() throws Exception {
    Path k = tmp.resolve("stray.s");
    Files.writeString(k, "li x1, 1\nli x2, 16\ndma.cfg x1, x2, x0, x0\ndma.st out, x0, x0\nhalt\n");
    Cli r = Cli.run("validate", "--kernel", k.toString(), CASE);
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "FAIL  "
            + CASE
            + "\n      kernel bug: dma.st at pc 3 (dma.st out, x0, x0) writes dram[0x0..0x10),"
            + " outside the output region dram[0x100..0x180)\n0 passed, 1 failed\n",
        r.out());
  }

  @Test
  void aKernelThatNeverHaltsStopsAtTheStepLimit() throws Exception {
    Path k = tmp.resolve("spin.s");
    Files.writeString(k, "spin:\n j spin\n");
    Cli r = Cli.run("validate", "--kernel", k.toString(), "--max-steps", "1000", CASE);
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(
        r.out()
            .contains(
                "\n      fault step_limit at pc 0 (j 0): step limit of 1000 instructions reached"),
        r.out());
  }

  @Test
  void aLayoutLargerThanTheDramIsOneLocatedLine() throws Exception {
    Path machine = tmp.resolve("small.json");
    Files.writeString(machine, "{\"name\": \"small\", \"dram_bytes\": 2048}");
    Cli r =
        Cli.run(
            "validate",
            "--machine",
            machine.toString(),
            "--kernel",
            Cli.path("examples/fc-kernel.s"),
            CASE);
    assertEquals(1, r.exitCode(), r.toString());
    // 256 + 128 + 2048 + 3 * 128 + 32 bytes, each region on a 64-byte boundary: 2,848.
    assertEquals(
        "FAIL  "
            + CASE
            + "\n      "
            + CASE
            + ": the kernel ABI layout needs 2,848 bytes of DRAM (its last region,"
            + " filter_zero_point, ends at 0xb20; the largest, filter, is 2,048 bytes), the"
            + " machine has 2,048\n0 passed, 1 failed\n",
        r.out());
    Cli layout =
        Cli.run("golden", "layout", "--machine", machine.toString(), CASE, "-o", tmp.toString());
    layout.assertOneLineError(
        CASE
            + ": the kernel ABI layout needs 2,848 bytes of DRAM (its last region,"
            + " filter_zero_point, ends at 0xb20; the largest, filter, is 2,048 bytes), the"
            + " machine has 2,048");
  }

  @Test
  void aMissingKernelIsOneLine() {
    Cli.run("validate", "--kernel", tmp.resolve("none.s").toString(), CASE)
        .assertOneLineError(tmp.resolve("none.s") + ": no such file");
  }
}
