package dev.npusim.analysis.study;

import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.ssd.Detection;
import dev.npusim.models.ssd.SsdPostprocessor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The face detector's evaluation head in the study: SSD decoding (anchors, box decoding) and NMS of
 * the box-predictor outputs, and the end-to-end figures of a pipeline against the float network:
 * face-score SQNR, faces found again, false detections.
 */
final class FaceDetectionHead
    implements EvaluationHead<AnalysisResult.EndToEnd, AnalysisResult.EndToEnd> {
  private final SsdPostprocessor post;
  private final Set<String> predictors;

  FaceDetectionHead(SsdPostprocessor post, Set<String> predictors) {
    this.post = post;
    this.predictors = Set.copyOf(predictors);
  }

  @Override
  public Set<String> outputLayers() {
    return predictors;
  }

  @Override
  public AnalysisResult.EndToEnd evaluate(
      String input, Map<String, FloatTensor> reference, Map<String, FloatTensor> outputs) {
    return endToEnd(input, outputs, detect(reference), scores(reference));
  }

  @Override
  public AnalysisResult.EndToEnd total(List<AnalysisResult.EndToEnd> perInput) {
    return totalOf(perInput);
  }

  List<Detection> detect(Map<String, FloatTensor> outputs) {
    return post.detect(outputs::get);
  }

  double[] scores(Map<String, FloatTensor> outputs) {
    return post.decode(outputs::get).scores().toArray();
  }

  /**
   * One image's end-to-end figures: the SQNR of the face scores against the float network's, and
   * how many of the float network's detections are found again (IoU at least 0.5).
   */
  AnalysisResult.EndToEnd endToEnd(
      String image,
      Map<String, FloatTensor> outputs,
      List<Detection> reference,
      double[] referenceScores) {
    List<Detection> d = detect(outputs);
    double[] scores = scores(outputs);
    Sqnr e = new Sqnr();
    for (int i = 0; i < scores.length; i++) {
      e.add(referenceScores[i], scores[i]);
    }
    boolean[] used = new boolean[d.size()];
    int matched = 0;
    for (Detection ref : reference) {
      int best = -1;
      double bestIou = 0.5;
      for (int j = 0; j < d.size(); j++) {
        double iou = ref.box().iou(d.get(j).box());
        if (!used[j] && iou >= bestIou) {
          best = j;
          bestIou = iou;
        }
      }
      if (best >= 0) {
        used[best] = true;
        matched++;
      }
    }
    int falseDetections = 0;
    for (boolean u : used) {
      if (!u) {
        falseDetections++;
      }
    }
    return new AnalysisResult.EndToEnd(
        image, e.db(), reference.size(), matched, falseDetections, boxes(d));
  }

  static AnalysisResult.EndToEnd totalOf(List<AnalysisResult.EndToEnd> images) {
    // Face-score SQNR over all images: recombine from per-image dB is not possible, so the total
    // is the mean of the per-image values; counts are sums.
    double sqnr =
        images.stream()
            .mapToDouble(AnalysisResult.EndToEnd::faceScoreSqnrDb)
            .average()
            .orElse(Double.NaN);
    return new AnalysisResult.EndToEnd(
        "all",
        sqnr,
        images.stream().mapToInt(AnalysisResult.EndToEnd::referenceDetections).sum(),
        images.stream().mapToInt(AnalysisResult.EndToEnd::matched).sum(),
        images.stream().mapToInt(AnalysisResult.EndToEnd::falseDetections).sum(),
        List.of());
  }

  static List<AnalysisResult.DetectionBox> boxes(List<Detection> d) {
    return d.stream()
        .map(
            x ->
                new AnalysisResult.DetectionBox(
                    x.score(), x.box().yMin(), x.box().xMin(), x.box().yMax(), x.box().xMax()))
        .toList();
  }
}
