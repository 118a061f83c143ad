package dev.npusim.tests.rtl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.kernels.QuantizedLayer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code npusim overflow} through the command line. */
class OverflowCommandTest {
  static final String CASE = Cli.path("examples/fc-cases/fc-4x64x32-seed3.json");

  @TempDir Path tmp;

  @Test
  void aCaseGetsItsExactRangePerChannelInTheJson() throws Exception {
    Path json = tmp.resolve("o.json");
    Cli r = Cli.run("overflow", CASE, "--json", json.toString());
    assertEquals(0, r.exitCode(), r.toString());
    QuantizedLayer l = CaseReader.read(Path.of(CASE)).layer();
    JsonNode layer = new ObjectMapper().readTree(json.toFile()).get("layers").get(0);
    assertTrue(layer.get("observed_bits").isNull());
    // Written out here: a fully connected accumulator is bias + sum over ic of (x - zx)(w - zw),
    // x anywhere in int8's [-128, 127]; each term is extreme on its own, at x = -128 or 127.
    int widest = 0;
    for (int oc = 0; oc < l.output().c(); oc++) {
      long lo = l.biasOf(oc);
      long hi = l.biasOf(oc);
      for (int ic = 0; ic < l.input().c(); ic++) {
        long d = l.filterAt(oc, 0, 0, ic) - l.filterZeroPoint(oc);
        long a = (-128L - l.inputZeroPoint()) * d;
        long b = (127L - l.inputZeroPoint()) * d;
        lo += Math.min(a, b);
        hi += Math.max(a, b);
      }
      JsonNode ch = layer.get("channels").get(oc);
      assertEquals(lo, ch.get("acc_min").asLong(), "channel " + oc);
      assertEquals(hi, ch.get("acc_max").asLong(), "channel " + oc);
      int bits = 1;
      while (lo < -(1L << (bits - 1)) || hi > (1L << (bits - 1)) - 1) {
        bits++;
      }
      widest = Math.max(widest, bits);
      assertTrue(
          r.out().contains(String.format("  %7d %15d %15d %5d%n", oc, lo, hi, bits)), r.out());
    }
    assertEquals(widest, layer.get("min_safe_bits").asInt());
  }

  @Test
  void theWitnessOverflowsOneBitTooNarrow() {
    Cli r = Cli.run("overflow", CASE, "--acc-bits", "16", "--witness");
    assertEquals(0, r.exitCode(), r.toString());
    String row =
        r.out().lines().filter(s -> s.startsWith("fc-4x64x32-seed3 ")).skip(1).findFirst().get();
    // bits, the extreme, narrow = bits - 1, wrap and saturate overflow counts (at least one each:
    // the witness reaches a value the narrow width cannot hold), watermark = bits.
    String[] f = row.trim().split("\\s+");
    int bits = Integer.parseInt(f[1]);
    assertEquals(bits - 1, Integer.parseInt(f[f.length - 4]), row);
    assertTrue(Long.parseLong(f[f.length - 3].replace(",", "")) >= 1, row);
    assertTrue(Long.parseLong(f[f.length - 2].replace(",", "")) >= 1, row);
    assertEquals(bits, Integer.parseInt(f[f.length - 1]), row);
    assertTrue(r.out().contains(String.format("  %+d can overflow", 16 - bits)), r.out());
  }

  @Test
  void anAccumulatorWidthOutside8To64IsOneLine() {
    for (String bits : new String[] {"7", "65", "-1"}) {
      Cli.run("overflow", CASE, "--acc-bits", bits)
          .assertOneLineError("--acc-bits: expected a width in 8..64, got " + bits);
    }
  }

  @Test
  void anUnknownTargetIsOneLine() {
    Cli.run("overflow", "resnet")
        .assertOneLineError("resnet: expected a case (.json), 'ssd' or a TFLite model (.tflite)");
  }
}
