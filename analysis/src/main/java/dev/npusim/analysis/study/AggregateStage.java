package dev.npusim.analysis.study;

import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.Detection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 4: the float network's detections, per-layer figures summed over images, each scheme's
 * end-to-end figures through the face detection head ({@link EvaluationHead}), and the notes.
 */
final class AggregateStage {
  private final Analyzer.Options o;
  private final FloatGraph original;
  private final FaceDetectionHead head;

  private AggregateStage(Analyzer.Options o, FloatGraph original, FaceDetectionHead head) {
    this.o = o;
    this.original = original;
    this.head = head;
  }

  static AnalysisResult run(
      Analyzer.Options o,
      FloatGraph original,
      FaceDetectionHead head,
      FloatPassStage.Result floats,
      QuantizeStage.Result schemes,
      SimulateStage.Result simulated,
      long start) {
    return new AggregateStage(o, original, head)
        .aggregate(floats.heads(), schemes.runs(), simulated.perImage(), start);
  }

  private AnalysisResult aggregate(
      Map<GraphKey, Map<String, HeadOutputs>> floatHeads,
      List<SchemeRun> schemeRuns,
      List<Map<QuantScheme, SimulateStage.ImageFigures>> results,
      long start) {
    Map<String, HeadOutputs> reference = floatHeads.get(GraphKey.FOLDED);
    List<AnalysisResult.ImageDetections> originalDetections = new ArrayList<>();
    for (ImageFile f : o.evaluation()) {
      List<Detection> d = head.detect(reference.get(f.name()).outputs());
      originalDetections.add(
          new AnalysisResult.ImageDetections(
              Analyzer.displayName(f.name()), FaceDetectionHead.boxes(d)));
    }
    List<AnalysisResult.Variant> variants = new ArrayList<>();
    for (SchemeRun run : schemeRuns) {
      QuantScheme s = run.scheme();
      Map<String, LayerSums> sums = new LinkedHashMap<>();
      List<AnalysisResult.EndToEnd> perImage = new ArrayList<>();
      List<AnalysisResult.EndToEnd> floatPerImage = new ArrayList<>();
      for (int i = 0; i < o.evaluation().size(); i++) {
        String image = o.evaluation().get(i).name();
        SimulateStage.ImageFigures t = results.get(i).get(s);
        t.layers().forEach((k, v) -> sums.computeIfAbsent(k, x -> new LayerSums()).add(v));
        Map<String, FloatTensor> ref = reference.get(image).outputs();
        String name = Analyzer.displayName(image);
        perImage.add(head.evaluate(name, ref, t.heads().outputs()));
        floatPerImage.add(
            head.evaluate(name, ref, floatHeads.get(GraphKey.of(s)).get(image).outputs()));
      }
      boolean changed = !GraphKey.of(s).equals(GraphKey.FOLDED);
      variants.add(
          new AnalysisResult.Variant(
              s.cliName(),
              s.description(),
              layerResults(run.net(), sums),
              perImage,
              head.total(perImage),
              new AnalysisResult.FloatChange(changed, head.total(floatPerImage), floatPerImage),
              o.check()));
    }
    List<String> notes = notes();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new AnalysisResult(
        o.modelName(),
        o.machine().name(),
        o.calibration().stream().map(f -> Analyzer.displayName(f.name())).toList(),
        o.evaluation().stream().map(f -> Analyzer.displayName(f.name())).toList(),
        originalDetections,
        variants,
        seconds,
        notes);
  }

  private List<String> notes() {
    List<String> notes = new ArrayList<>();
    notes.add(
        "Sheng et al.'s own fix (no BatchNorm and no ReLU6 in the depthwise layers) needs"
            + " retraining and cannot be run on these trained weights; the depthwise BatchNorm-fold"
            + " figures show the mechanism it removes.");
    notes.add(
        "Each layer's SQNR compares the scheme's quantized pipeline, run on the simulator, with"
            + " that scheme's own float network; detections and face scores compare with the"
            + " original float network.");
    FloatLayer firstPointwise =
        original.layers().stream()
            .filter(l -> l.kind() == LayerKind.CONV2D && l.kernelH() == 1)
            .findFirst()
            .orElseThrow();
    if (DepthwiseFoldFigures.perTensorWeightSqnr(firstPointwise.filter().toArray()) > 100) {
      notes.add(
          "The model file stores every weight tensor as uint8 per tensor (MODEL.md), so a"
              + " per-tensor uint8 grid reproduces the unfolded weights exactly (weight SQNR"
              + " about 300 dB, float rounding only) while symmetric per-channel int8 re-quantizes"
              + " them onto another grid: on these weights int8-per-channel pays a re-quantization"
              + " cost in the pointwise layers that a network trained in float would not show in"
              + " this form.");
    }
    return notes;
  }

  private List<AnalysisResult.Layer> layerResults(
      QuantizedNetwork net, Map<String, LayerSums> sums) {
    Map<String, FloatLayer> unfolded = new HashMap<>();
    for (FloatLayer l : original.layers()) {
      unfolded.put(l.name(), l);
    }
    List<AnalysisResult.Layer> out = new ArrayList<>();
    for (QuantizedNetwork.Layer l : net.layers()) {
      LayerSums x = sums.get(l.name());
      AnalysisResult.DepthwiseFold fold = null;
      if (l.floatLayer().kind() == LayerKind.DEPTHWISE_CONV2D) {
        fold = DepthwiseFoldFigures.of(unfolded.get(l.name()), l);
      }
      out.add(
          new AnalysisResult.Layer(
              l.name(),
              l.floatLayer().kind().caseName(),
              l.floatLayer().macs(),
              x.cumulative.db(),
              x.isolated.db(),
              x.weightsOnly.db(),
              x.activationsOnly.db(),
              x.roundingCount == 0 ? 0 : x.roundingSum / x.roundingCount,
              x.roundingCount == 0 ? 0 : Math.sqrt(x.roundingSquares / x.roundingCount),
              x.outputs == 0 ? 0 : (double) x.saturated / x.outputs,
              x.signalEnergy == 0 ? 0 : x.clippedEnergy / x.signalEnergy,
              x.overflows,
              x.bitsNeeded,
              x.cycles,
              x.macs,
              fold));
    }
    return out;
  }
}
