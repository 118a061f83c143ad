package dev.npusim.analysis.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.imported.ImportedStudyResult;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.ModelInputs;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.simulator.MachineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The study on imported networks, through the study's driver ({@link Study}). */
class TfliteStudyTest {
  static final Analyzer.Progress QUIET =
      new Analyzer.Progress() {
        @Override
        public void total(long units) {}

        @Override
        public void advance(long units, String what) {}
      };

  static ImportedStudyResult study(
      TfliteModel int8, TfliteModel original, List<ModelInput> inputs, List<QuantScheme> schemes)
      throws AnalysisException {
    StudyResult r =
        Study.run(
            new Study.Options(
                new NetworkSource.Tflite(TfliteSource.of(int8, original), inputs, List.of()),
                schemes,
                MachineConfig.defaults(),
                false,
                null,
                QUIET));
    return ((StudyResult.Tflite) r).result();
  }

  static TfliteModel model(String file) throws IOException {
    try (InputStream in = TfliteStudyTest.class.getResourceAsStream("/models/tflite/" + file)) {
      return TfliteReader.read(file, in.readAllBytes());
    }
  }

  @Test
  void withoutFloatTheDequantizedModelIsTheReference() throws Exception {
    TfliteModel kws = model("kws_ref_model.tflite");
    ImportedStudyResult r = study(kws, null, ModelInputs.random(kws, 1, 3), List.of());
    assertEquals(kws.operators().size(), r.layers().size());
    for (ImportedStudyResult.Layer l : r.layers()) {
      // The weights-only network is the reference itself.
      assertEquals(Double.POSITIVE_INFINITY, l.sqnrWeightsOnlyDb(), l.name());
      assertEquals(l.host(), l.op().equals("reshape") || l.op().equals("softmax"), l.name());
    }
    // The first operator reads the quantized input in both runs: cumulative = isolated.
    assertEquals(r.layers().get(0).sqnrIsolatedDb(), r.layers().get(0).sqnrCumulativeDb());
    assertEquals(1, r.pipelines().size());
  }

  @Test
  void schemesOnTheFloatOriginal() throws Exception {
    TfliteModel int8 = model("kws_ref_model.tflite");
    TfliteModel original = model("kws_ref_model_float32.tflite");
    ImportedStudyResult r =
        study(
            int8,
            original,
            ModelInputs.random(int8, 2, 4),
            List.of(QuantScheme.TF8, QuantScheme.INT8_PER_CHANNEL));
    assertEquals(3, r.pipelines().size());
    assertEquals("tflite-int8", r.pipelines().get(0).name());
    for (ImportedStudyResult.Pipeline p : r.pipelines()) {
      assertEquals(2, p.inputs());
      assertTrue(Double.isFinite(p.outputSqnrDb()), p.toString());
    }
    // npusim's schemes are calibrated on the very inputs they are scored on, so no activation
    // leaves its range and the 8-bit network tracks its float original. (TFLite's int8 model was
    // calibrated on real MFCC features; on random ones its ranges saturate, which the saturation
    // column shows.)
    for (ImportedStudyResult.Pipeline p : r.pipelines().subList(1, 3)) {
      assertTrue(p.outputSqnrDb() > 5, p.toString());
    }
    assertTrue(r.layers().get(0).saturatedFraction() > 0, "random MFCCs leave TFLite's ranges");
    // Hybrid weights dequantized are the int8 model's own int8 CONV weights: the first layer's
    // weights-only error is the int8 model's bias and per-channel rounding only, far below 8-bit
    // activation error.
    assertTrue(r.layers().get(0).sqnrWeightsOnlyDb() > r.layers().get(0).sqnrActivationsOnlyDb());
  }

  @Test
  void modelsThatDoNotPairAreRefused() throws Exception {
    AnalysisException e =
        assertThrows(
            AnalysisException.class,
            () -> TfliteSource.of(model("kws_ref_model.tflite"), model("vww_96_float.tflite")));
    assertTrue(e.getMessage().contains("do not pair by graph position"), e.getMessage());
    e =
        assertThrows(
            AnalysisException.class, () -> TfliteSource.of(model("vww_96_float.tflite"), null));
    assertTrue(e.getMessage().contains("int8 model is needed"), e.getMessage());
  }
}
