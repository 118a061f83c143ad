package dev.npusim.golden.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.golden.cases.GoldenVectors;
import dev.npusim.kernels.quant.QuantizedMultiplier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@link QuantizedMultiplier} against the multipliers stored in TFLite's golden files. */
class QuantizedMultiplierGoldenTest {
  /**
   * The TFLite golden files were built with {@code QuantizeMultiplier(s_in * s_w / s_out)} (golden
   * README); their informational scales must give back their multipliers and shifts.
   */
  @TestFactory
  Stream<DynamicTest> reproducesTheTfliteGoldenMultipliers() {
    ObjectMapper json = new ObjectMapper();
    return GoldenVectors.all().stream()
        .filter(f -> GoldenVectors.relativeName(f).startsWith("tflite-"))
        .map(
            (Path file) ->
                DynamicTest.dynamicTest(
                    GoldenVectors.relativeName(file),
                    () -> {
                      JsonNode root = json.readTree(Files.readString(file));
                      double in = root.get("input").get("scale").asDouble();
                      double out = root.get("output").get("scale").asDouble();
                      JsonNode filterScale = root.get("filter").get("scale");
                      JsonNode multipliers = root.get("requant").get("multiplier");
                      JsonNode shifts = root.get("requant").get("shift");
                      for (int c = 0; c < multipliers.size(); c++) {
                        double w =
                            filterScale.isArray()
                                ? filterScale.get(c).asDouble()
                                : filterScale.asDouble();
                        QuantizedMultiplier q = QuantizedMultiplier.of(in * w / out);
                        assertEquals(multipliers.get(c).asInt(), q.multiplier(), "channel " + c);
                        assertEquals(shifts.get(c).asInt(), q.shift(), "channel " + c);
                      }
                    }));
  }
}
