package dev.npusim.analysis.overflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.simulator.MachineConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The README's table of the four vendored int8 TFLite networks under "Accumulator width you can
 * prove": each row's worst-case cells are recomputed here (the last cell, the width observed on
 * real images, comes from {@code npusim overflow MODEL --images}, which simulates every layer).
 */
class VendoredTfliteTableTest {
  private static final List<String> NETWORKS =
      List.of("person_detect", "vww_96_int8", "kws_ref_model", "pretrainedResnet_quant");

  @Test
  void readmeTableMatchesTheVendoredModels() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    List<String> stale = new ArrayList<>();
    for (String net : NETWORKS) {
      TfliteModel model;
      try (InputStream in = getClass().getResourceAsStream("/models/tflite/" + net + ".tflite")) {
        model = TfliteReader.read(net + ".tflite", in.readAllBytes());
      }
      List<OverflowAnalysis.LayerInput> layers =
          OverflowInputs.tflite(model, List.of(), MachineConfig.defaults());
      OverflowReport r =
          OverflowAnalysis.analyze(layers, OptionalInt.empty(), false, MachineConfig.defaults());
      for (LayerReport l : r.layers()) {
        List<String> over = new ArrayList<>();
        for (int w : new int[] {16, 20, 24}) {
          if (l.canOverflow(w)) {
            over.add(String.valueOf(w));
          }
        }
        String prefix =
            String.format(
                "| %s | %s | %d | %s |",
                net, l.name(), l.minSafeBits(), over.isEmpty() ? "none" : String.join(", ", over));
        if (!readme.contains("\n" + prefix + " ")) {
          stale.add(prefix);
        }
      }
    }
    assertTrue(stale.isEmpty(), "README rows missing or stale: " + String.join("\n", stale));
  }
}
