package dev.npusim.models.ssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.graph.ActivationRewrite;
import dev.npusim.kernels.graph.BatchNormFold;
import dev.npusim.kernels.graph.CrossLayerEqualization;
import dev.npusim.kernels.graph.CrossLayerEqualization.Variant;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The graph transforms on the real model and photo. */
class ModelTransformsTest {

  /** max |a - b| / max |a| over a tensor. */
  private static double relativeError(FloatTensor expected, FloatTensor actual) {
    double diff = 0;
    double scale = 1e-300;
    for (int i = 0; i < expected.size(); i++) {
      diff = Math.max(diff, Math.abs(expected.get(i) - actual.get(i)));
      scale = Math.max(scale, Math.abs(expected.get(i)));
    }
    return diff / scale;
  }

  private static FloatActivations run(FloatGraph g, Predicate<String> keep)
      throws InputFileException {
    return new FloatGraphExecutor(g).run(SampleRuns.sample1().tensor(), keep);
  }

  @Test
  void foldingBatchNormKeepsEveryLayerOutputTo1e9() throws Exception {
    SsdMobilenetV1 model = SampleRuns.model();
    FloatActivations unfolded = SampleRuns.sample1Run();
    SsdMobilenetV1 folded = model.withGraph(BatchNormFold.fold(model.graph()));
    for (FloatLayer l : folded.graph().layers()) {
      assertTrue(l.batchNorm() == null, l.name());
    }
    FloatActivations run = SampleRuns.sample1FoldedRun();
    double worst = 0;
    for (FloatLayer l : model.graph().layers()) {
      double e = relativeError(unfolded.get(l.name()), run.get(l.name()));
      worst = Math.max(worst, e);
      assertTrue(e < 1e-9, l.name() + ": relative error " + e);
    }
    System.out.println("BatchNorm fold: worst per-layer relative error " + worst);
    assertEquals(
        new SsdPostprocessor(model).detect(unfolded).size(),
        new SsdPostprocessor(folded).detect(run).size());
  }

  @Test
  void equalizationWithPerChannelClipKeepsThePointwiseOutputs() throws Exception {
    FloatGraph folded = BatchNormFold.fold(SampleRuns.model().graph());
    FloatActivations reference = SampleRuns.sample1FoldedRun();
    FloatGraph exact = CrossLayerEqualization.equalize(folded, Variant.PER_CHANNEL_CLIP);
    assertEquals(13, CrossLayerEqualization.pairs(folded).size());
    FloatActivations eq = run(exact, name -> !folded.layer(name).isDepthwise());
    for (FloatLayer l : folded.layers()) {
      if (!l.isDepthwise()) { // depthwise outputs are rescaled per channel on purpose
        double e = relativeError(reference.get(l.name()), eq.get(l.name()));
        assertTrue(e < 1e-9, l.name() + ": relative error " + e);
      }
    }

    // The plain variant keeps ReLU6, which clips on this photo, so the function changes.
    FloatGraphExecutor ref = new FloatGraphExecutor(folded);
    double maxPre = 0;
    for (FloatLayer l : folded.layers()) {
      if (l.isDepthwise()) {
        maxPre =
            Math.max(
                maxPre, ref.runLayerBeforeActivation(l.name(), reference.get(l.input())).maxAbs());
      }
    }
    assertTrue(maxPre > 6, "premise: some depthwise value exceeds ReLU6's clip: " + maxPre);
    List<String> compared = List.of(SsdMobilenetV1.CONV11, SsdMobilenetV1.BACKBONE_OUTPUT);
    FloatActivations plain =
        run(CrossLayerEqualization.equalize(folded, Variant.PLAIN), compared::contains);
    double worst = 0;
    for (String name : compared) {
      worst = Math.max(worst, relativeError(reference.get(name), plain.get(name)));
    }
    System.out.println("plain CLE across ReLU6: relative change of conv11/conv13 " + worst);
    assertTrue(worst > 1e-6, "plain CLE should change the output: " + worst);
  }

  @Test
  void reluRewriteLeavesNoRelu6() throws Exception {
    FloatGraph g = ActivationRewrite.relu6ToRelu(SampleRuns.model().graph());
    for (FloatLayer l : g.layers()) {
      assertTrue(!l.activation().clipsAbove(), l.name());
    }
  }
}
