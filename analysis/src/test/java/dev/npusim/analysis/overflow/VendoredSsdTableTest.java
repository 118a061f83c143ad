package dev.npusim.analysis.overflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.quant.Calibration;
import dev.npusim.kernels.quant.NetworkQuantizer;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.simulator.MachineConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's table "Accumulator width you can prove": every layer of the vendored SSD-MobileNetV1
 * under the default schemes of {@code npusim analyze}, quantized the way it does by default
 * (BatchNorm folded, min/max calibration on sample1.jpg and sample2.jpg). The test recomputes it
 * and fails when the README's copy is stale (every cell but the last column's, which {@code npusim
 * overflow --images} fills from the study's observed widths); the current table is written to
 * {@code target/overflow-table.md}.
 *
 * <p>Calibration is done here directly with the float reference: the study's calibrate and quantize
 * stages are moving into this module ({@code architecture.md}); once they are, this should call
 * them, and {@code npusim overflow MODEL} prints the same figures.
 */
class VendoredSsdTableTest {
  private static final List<QuantScheme> SCHEMES =
      List.of(QuantScheme.TF8, QuantScheme.TF8_DW_PER_CHANNEL, QuantScheme.INT8_PER_CHANNEL);
  private static final int[] WIDTHS = {16, 20, 24};

  @Test
  void readmeTableMatchesTheVendoredModel() throws Exception {
    SsdMobilenetV1 model = SsdMobilenetV1.loadBundled();
    Map<QuantScheme, OverflowReport> reports = new LinkedHashMap<>();
    Map<String, Calibration> calibrations = new LinkedHashMap<>();
    for (QuantScheme s : SCHEMES) {
      FloatGraph graph = NetworkQuantizer.floatGraph(model.graph(), s);
      // The three default schemes share the folded graph, so one calibration serves them all.
      Calibration cal = calibrations.computeIfAbsent(graph.toString(), k -> calibrate(graph));
      QuantizedNetwork net = NetworkQuantizer.quantize(graph, cal, s);
      List<OverflowAnalysis.LayerInput> layers = new ArrayList<>();
      for (QuantizedNetwork.Layer l : net.layers()) {
        layers.add(OverflowAnalysis.LayerInput.of(l.name(), l.quantized()));
      }
      reports.put(
          s,
          OverflowAnalysis.analyze(layers, OptionalInt.empty(), false, MachineConfig.defaults()));
    }
    String table = table(reports);
    Path target = Path.of("target", "overflow-table.md");
    Files.createDirectories(target.getParent());
    Files.writeString(target, table, StandardCharsets.UTF_8);
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    // Every line but its last cell: "on real images" comes from `npusim overflow --images`, which
    // runs the study (too slow for this test); the README says so.
    for (String line : table.split("\n")) {
      String prefix = line.substring(0, line.lastIndexOf('|', line.length() - 2) + 1);
      assertTrue(
          readme.contains("\n" + prefix),
          "README.md's table under \"Accumulator width you can prove\" is stale at "
              + prefix
              + "; the current one is in analysis/"
              + target);
    }
  }

  private static Calibration calibrate(FloatGraph graph) {
    FloatGraphExecutor ref = new FloatGraphExecutor(graph);
    Calibration.Builder cal = Calibration.builder();
    for (String name : List.of("sample1.jpg", "sample2.jpg")) {
      try {
        FloatActivations acts = ref.run(ImageFile.bundled(name).preprocess().tensor());
        for (String tensor : acts.names()) {
          cal.observe(tensor, acts.get(tensor));
        }
      } catch (Exception e) {
        throw new AssertionError(name, e);
      }
    }
    return cal.build();
  }

  /** Markdown: per layer, min_safe_bits per scheme and which widths overflow in the worst case. */
  static String table(Map<QuantScheme, OverflowReport> reports) {
    StringBuilder sb = new StringBuilder();
    sb.append("| layer | kind |");
    for (QuantScheme s : reports.keySet()) {
      sb.append(' ').append(s.cliName()).append(" |");
    }
    for (int w : WIDTHS) {
      sb.append(" overflows ").append(w).append(" bits |");
    }
    sb.append(" on real images |\n|---|---|");
    sb.append("---:|".repeat(reports.size()));
    sb.append("---|".repeat(WIDTHS.length));
    sb.append("---|\n");
    List<QuantScheme> schemes = List.copyOf(reports.keySet());
    int layers = reports.get(schemes.get(0)).layers().size();
    for (int i = 0; i < layers; i++) {
      LayerReport first = reports.get(schemes.get(0)).layers().get(i);
      sb.append("| ")
          .append(first.name().replace("MobilenetV1/", "").replace("Prediction/", "pred/"))
          .append(" | ")
          .append(first.kind().caseName())
          .append(" |");
      for (QuantScheme s : schemes) {
        sb.append(' ').append(reports.get(s).layers().get(i).minSafeBits()).append(" |");
      }
      for (int w : WIDTHS) {
        int index = i;
        List<String> over =
            schemes.stream()
                .filter(s -> reports.get(s).layers().get(index).canOverflow(w))
                .map(QuantScheme::cliName)
                .collect(Collectors.toList());
        String cell =
            over.isEmpty() ? "no" : over.size() == schemes.size() ? "all" : String.join(", ", over);
        sb.append(' ').append(cell).append(" |");
      }
      sb.append(" from npusim overflow --images |\n");
    }
    return sb.toString();
  }
}
