package dev.npusim.models.ssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.BatchNorm;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.Padding;
import dev.npusim.models.ssd.SsdMobilenetV1.BoxPredictor;
import dev.npusim.models.tfjs.ModelSource;
import dev.npusim.models.tfjs.TfjsWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The imported network against MODEL.md's description. */
class SsdMobilenetV1Test {

  private static TensorShape shape(int h, int w, int c) {
    return new TensorShape(1, h, w, c);
  }

  @Test
  void layersComeInMobileNetOrderWithMobileNetShapes() throws Exception {
    FloatGraph g = SampleRuns.model().graph();
    List<String> expected = new ArrayList<>();
    expected.add("MobilenetV1/Conv2d_0_pointwise");
    for (int i = 1; i <= 13; i++) {
      expected.add("MobilenetV1/Conv2d_" + i + "_depthwise");
      expected.add("MobilenetV1/Conv2d_" + i + "_pointwise");
    }
    for (int k = 0; k <= 7; k++) {
      expected.add("Prediction/Conv2d_" + k + "_pointwise");
    }
    for (int j = 0; j <= 5; j++) {
      expected.add("Prediction/BoxPredictor_" + j + "/BoxEncodingPredictor");
      expected.add("Prediction/BoxPredictor_" + j + "/ClassPredictor");
    }
    assertEquals(expected, g.layers().stream().map(FloatLayer::name).toList());

    assertEquals(shape(512, 512, 3), g.inputShape());
    assertEquals(shape(256, 256, 32), g.shapeOf("MobilenetV1/Conv2d_0_pointwise"));
    assertEquals(shape(32, 32, 512), g.shapeOf(SsdMobilenetV1.CONV11)); // MODEL.md
    assertEquals(shape(16, 16, 1024), g.shapeOf(SsdMobilenetV1.BACKBONE_OUTPUT)); // MODEL.md
    // Box predictor inputs per MODEL.md: 8x8, 4x4, 2x2, 1x1 for Prediction conv 1, 3, 5, 7.
    assertEquals(8, g.shapeOf("Prediction/Conv2d_1_pointwise").h());
    assertEquals(4, g.shapeOf("Prediction/Conv2d_3_pointwise").h());
    assertEquals(2, g.shapeOf("Prediction/Conv2d_5_pointwise").h());
    assertEquals(1, g.shapeOf("Prediction/Conv2d_7_pointwise").w());
  }

  @Test
  void stridesPaddingBatchNormAndActivationsFollowModelMd() throws Exception {
    FloatGraph g = SampleRuns.model().graph();
    Set<Integer> stride2 = Set.of(2, 4, 6, 12);
    for (int i = 1; i <= 13; i++) {
      FloatLayer dw = g.layer("MobilenetV1/Conv2d_" + i + "_depthwise");
      assertEquals(LayerKind.DEPTHWISE_CONV2D, dw.kind());
      int s = stride2.contains(i) ? 2 : 1;
      assertEquals(s, dw.strideH());
      // SAME: stride 2 pads one row/column at the bottom/right only, stride 1 one on each side.
      assertEquals(s == 2 ? new Padding(0, 1, 0, 1) : new Padding(1, 1, 1, 1), dw.padding());
      assertNotNull(dw.batchNorm());
      assertEquals(0.0010000000474974513, dw.batchNorm().epsilon());
      assertNull(dw.bias());
      FloatLayer pw = g.layer("MobilenetV1/Conv2d_" + i + "_pointwise");
      assertEquals(1, pw.kernelH());
      assertEquals(dw.name(), pw.input());
    }
    for (int k = 0; k <= 7; k++) {
      FloatLayer p = g.layer("Prediction/Conv2d_" + k + "_pointwise");
      assertEquals(k % 2 == 1 ? 3 : 1, p.kernelH());
      assertEquals(k % 2 == 1 ? 2 : 1, p.strideH());
    }
    for (FloatLayer l : g.layers()) {
      boolean predictor = l.name().contains("BoxPredictor");
      assertEquals(predictor ? Activation.NONE : Activation.RELU6, l.activation(), l.name());
      assertEquals(l.isDepthwise(), l.batchNorm() != null, l.name());
    }
    assertEquals(BatchNorm.TF_EPSILON, 0.0010000000474974513);
  }

  @Test
  void boxPredictorsGive5118AnchorsInMobileNetOrder() throws Exception {
    SsdMobilenetV1 m = SampleRuns.model();
    List<String> sources =
        List.of(
            SsdMobilenetV1.CONV11,
            SsdMobilenetV1.BACKBONE_OUTPUT,
            "Prediction/Conv2d_1_pointwise",
            "Prediction/Conv2d_3_pointwise",
            "Prediction/Conv2d_5_pointwise",
            "Prediction/Conv2d_7_pointwise");
    // cells x anchors per cell, MODEL.md: 32*32*3, 16*16*6, 8*8*6, 4*4*6, 2*2*6, 1*1*6.
    int[] anchors = {3072, 1536, 384, 96, 24, 6};
    int first = 0;
    for (int j = 0; j < 6; j++) {
      BoxPredictor p = m.predictors().get(j);
      assertEquals(sources.get(j), p.source());
      assertEquals(sources.get(j), m.graph().layer(p.boxEncoding()).input());
      assertEquals(sources.get(j), m.graph().layer(p.classLogits()).input());
      assertEquals(j == 0 ? 3 : 6, p.anchorsPerCell());
      assertEquals(anchors[j], p.anchors());
      assertEquals(first, p.firstAnchor());
      first += anchors[j];
    }
    assertEquals(5118, first);
    assertEquals(5118, m.anchorCount());
    for (int a = 0; a < 5118; a++) {
      double y0 = m.anchors().get(4 * a);
      double x0 = m.anchors().get(4 * a + 1);
      assertTrue(m.anchors().get(4 * a + 2) > y0 && m.anchors().get(4 * a + 3) > x0, "anchor " + a);
    }
  }

  @Test
  void regularConvFiltersAreTheManifestsHwioTransposedToOhwi() throws Exception {
    TfjsWeights w = TfjsWeights.read(ModelSource.bundled(), SsdMobilenetV1.MANIFEST);
    FloatGraph g = SampleRuns.model().graph();
    for (String name : List.of("MobilenetV1/Conv2d_0_pointwise", "Prediction/Conv2d_1_pointwise")) {
      var hwio = w.tensor(name + "/weights");
      int kh = hwio.shape().get(0);
      int kw = hwio.shape().get(1);
      int ic = hwio.shape().get(2);
      int oc = hwio.shape().get(3);
      FloatLayer l = g.layer(name);
      for (int o = 0; o < oc; o += 5) {
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
            for (int i = 0; i < ic; i += 3) {
              assertEquals(
                  hwio.values().get(((ky * kw + kx) * ic + i) * oc + o), l.filterAt(o, ky, kx, i));
            }
          }
        }
      }
    }
  }
}
