package dev.npusim.tests.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.analysis.study.AnalysisResult;
import dev.npusim.analysis.study.Analyzer;
import dev.npusim.cli.analysis.HtmlReport;
import dev.npusim.cli.analysis.JsonReport;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The analysis on the real SSD-MobileNetV1 and sample1.jpg under tf8 and tf8-dw-per-channel. The
 * run is made with {@code check}: every layer of both quantized networks, executed on the
 * simulator, must equal the integer reference bit for bit (the analyzer fails otherwise). The
 * sanity properties below are the seed paper's findings, measured on these weights.
 */
class SsdAnalysisTest {
  static AnalysisResult result;

  @BeforeAll
  static void analyze() throws Exception {
    List<ImageFile> images = List.of(ImageFile.bundled("sample1.jpg"));
    result =
        Analyzer.run(
            new Analyzer.Options(
                SsdMobilenetV1.loadBundled(),
                "ssd-mobilenetv1",
                images,
                images,
                List.of(QuantScheme.TF8, QuantScheme.TF8_DW_PER_CHANNEL),
                MachineConfig.defaults(),
                true,
                null,
                new Analyzer.Progress() {
                  @Override
                  public void total(long units) {}

                  @Override
                  public void advance(long units, String what) {}
                }));
  }

  static AnalysisResult.Variant variant(String name) {
    return result.variants().stream()
        .filter(v -> v.scheme().equals(name))
        .findFirst()
        .orElseThrow();
  }

  static AnalysisResult.Layer layer(AnalysisResult.Variant v, String name) {
    return v.layers().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void everyLayerOfBothSchemesWasCheckedAgainstTheIntegerReference() {
    for (AnalysisResult.Variant v : result.variants()) {
      assertTrue(v.checkedAgainstReference(), v.scheme());
      assertEquals(47, v.layers().size(), v.scheme());
    }
  }

  @Test
  void theFloatNetworkFindsTheThreeFacesOfSample1() {
    assertEquals(3, result.originalFloat().get(0).detections().size());
  }

  @Test
  void perChannelDepthwiseWeightsBeatTf8AtTheFirstDepthwiseLayer() {
    String dw1 = "MobilenetV1/Conv2d_1_depthwise";
    double tf8 = layer(variant("tf8"), dw1).sqnrCumulativeDb();
    double perChannel = layer(variant("tf8-dw-per-channel"), dw1).sqnrCumulativeDb();
    assertTrue(perChannel > tf8, "tf8 " + tf8 + " dB, tf8-dw-per-channel " + perChannel + " dB");
  }

  @Test
  void underTf8WeightsLoseMoreThanActivationsInTheEarlyDepthwiseLayers() {
    AnalysisResult.Variant tf8 = variant("tf8");
    for (int i = 1; i <= 3; i++) {
      AnalysisResult.Layer l = layer(tf8, "MobilenetV1/Conv2d_" + i + "_depthwise");
      assertTrue(
          l.sqnrWeightsOnlyDb() < l.sqnrActivationsOnlyDb(),
          l.name()
              + ": weights-only "
              + l.sqnrWeightsOnlyDb()
              + " dB, activations-only "
              + l.sqnrActivationsOnlyDb()
              + " dB");
    }
  }

  @Test
  void foldingBatchNormCostsDepthwiseWeightPrecisionUnderOneTensorScale() {
    for (AnalysisResult.Layer l : variant("tf8").layers()) {
      if (l.depthwiseFold() != null) {
        assertTrue(
            l.depthwiseFold().foldedPerTensorSqnrDb() < l.depthwiseFold().unfoldedPerTensorSqnrDb(),
            l.name());
      }
    }
  }

  @Test
  void jsonHoldsEveryFigureAndParses() throws Exception {
    JsonNode root = new ObjectMapper().readTree(JsonReport.render(result));
    JsonNode layer = root.get("variants").get(0).get("layers").get(1);
    for (String field :
        List.of(
            "sqnrCumulativeDb",
            "sqnrIsolatedDb",
            "sqnrWeightsOnlyDb",
            "sqnrActivationsOnlyDb",
            "roundingMeanLsb",
            "roundingRmsLsb",
            "saturatedFraction",
            "clippedEnergyShare",
            "accumulatorOverflows",
            "accumulatorBitsNeeded",
            "depthwiseFold")) {
      assertTrue(layer.has(field), field);
    }
    assertTrue(layer.get("depthwiseFold").get("bitsLostPerChannel").isArray());
    assertEquals("sample1.jpg", root.get("evaluationImages").get(0).asText());
  }

  @Test
  void htmlIsOneSelfContainedPage() {
    String html = HtmlReport.render(result);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<svg"));
    assertTrue(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"));
    assertTrue(
        html.replace("http://www.w3.org/2000/svg", "").indexOf("http") < 0, "no network access");
    assertTrue(html.contains("Float pipeline vs 8-bit pipeline"));
  }
}
