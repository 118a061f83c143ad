package dev.npusim.models.ssd;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.ssd.SsdMobilenetV1.BoxPredictor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The SSD head after the box predictors, as MODEL.md specifies: concatenation over j, box decoding
 * against the anchors, face scores, the 0.5 score threshold and non-maximum suppression at IoU 0.5.
 *
 * <p>Layout of a box predictor's output {@code [1, H, W, A * 4]} (or {@code A * 3} for classes):
 * the A anchors of cell (y, x) are consecutive, so anchor {@code firstAnchor + (y * W + x) * A + a}
 * reads channels {@code a * 4 .. a * 4 + 3} of pixel (y, x), i.e. the NHWC tensor flattened is
 * already the {@code [cells * A, 4]} list.
 */
public final class SsdPostprocessor {

  /** Minimum face score of a detection (MODEL.md). */
  public static final double SCORE_THRESHOLD = 0.5;

  /** Boxes overlapping a better one by more than this are suppressed (MODEL.md). */
  public static final double IOU_THRESHOLD = 0.5;

  /** Index of the face class among the 3 logits per anchor (MODEL.md). */
  public static final int FACE_CLASS = 1;

  private final ImmutableList<BoxPredictor> predictors;
  private final ImmutableDoubleArray anchors;

  public SsdPostprocessor(SsdMobilenetV1 model) {
    this.predictors = model.predictors();
    this.anchors = model.anchors();
  }

  /** Decoded box and face score of every anchor, in anchor order. */
  public record AnchorPredictions(ImmutableList<Box> boxes, ImmutableDoubleArray scores) {}

  /**
   * Boxes and scores of all anchors from the box predictors' outputs ({@code outputs.apply(name)}
   * for a layer name, e.g. {@code activations::get}).
   */
  public AnchorPredictions decode(Function<String, FloatTensor> outputs) {
    int n = anchors.length() / 4;
    List<Box> boxes = new ArrayList<>(n);
    double[] scores = new double[n];
    for (BoxPredictor p : predictors) {
      FloatTensor enc = outputs.apply(p.boxEncoding());
      FloatTensor cls = outputs.apply(p.classLogits());
      checkArgument(
          enc.size() == p.anchors() * 4 && cls.size() == p.anchors() * 3,
          "box predictor %s: %s encodings and %s logits for %s anchors",
          p.index(),
          enc.size(),
          cls.size(),
          p.anchors());
      for (int k = 0; k < p.anchors(); k++) {
        int a = p.firstAnchor() + k;
        boxes.add(
            decodeBox(
                anchors.get(4 * a),
                anchors.get(4 * a + 1),
                anchors.get(4 * a + 2),
                anchors.get(4 * a + 3),
                enc.get(4 * k),
                enc.get(4 * k + 1),
                enc.get(4 * k + 2),
                enc.get(4 * k + 3)));
        scores[a] = sigmoid(cls.get(3 * k + FACE_CLASS));
      }
    }
    return new AnchorPredictions(ImmutableList.copyOf(boxes), ImmutableDoubleArray.copyOf(scores));
  }

  /** Detections of a float run: score at least 0.5, then non-maximum suppression at IoU 0.5. */
  public List<Detection> detect(FloatActivations run) {
    return detect(run::get);
  }

  /** Detections from the box predictors' outputs by layer name. */
  public List<Detection> detect(Function<String, FloatTensor> outputs) {
    AnchorPredictions all = decode(outputs);
    List<Detection> candidates = new ArrayList<>();
    for (int a = 0; a < all.scores().length(); a++) {
      if (all.scores().get(a) >= SCORE_THRESHOLD) {
        candidates.add(new Detection(all.scores().get(a), all.boxes().get(a), a));
      }
    }
    return nonMaxSuppression(candidates, IOU_THRESHOLD);
  }

  /**
   * MODEL.md's decoding. Anchor {@code [y0, x0, y1, x1]}: size {@code h = y1 - y0, w = x1 - x0},
   * centre {@code cy = y0 + h/2, cx = x0 + w/2}; encoding {@code (ty, tx, th, tw)}: centre {@code
   * (ty/10 * h + cy, tx/10 * w + cx)}, half sizes {@code exp(th/5) * h/2, exp(tw/5) * w/2}.
   */
  public static Box decodeBox(
      double y0, double x0, double y1, double x1, double ty, double tx, double th, double tw) {
    double h = y1 - y0;
    double w = x1 - x0;
    double cy = y0 + h / 2;
    double cx = x0 + w / 2;
    double centreY = ty / 10 * h + cy;
    double centreX = tx / 10 * w + cx;
    double halfH = Math.exp(th / 5) * h / 2;
    double halfW = Math.exp(tw / 5) * w / 2;
    return new Box(centreY - halfH, centreX - halfW, centreY + halfH, centreX + halfW);
  }

  public static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * Greedy non-maximum suppression: take candidates by falling score (ties by anchor index) and
   * keep one unless it overlaps an already kept box with IoU above {@code iouThreshold}.
   */
  public static List<Detection> nonMaxSuppression(List<Detection> candidates, double iouThreshold) {
    List<Detection> sorted = new ArrayList<>(candidates);
    sorted.sort(
        Comparator.comparingDouble(Detection::score)
            .reversed()
            .thenComparingInt(Detection::anchor));
    List<Detection> kept = new ArrayList<>();
    for (Detection d : sorted) {
      boolean suppressed = false;
      for (Detection k : kept) {
        if (k.box().iou(d.box()) > iouThreshold) {
          suppressed = true;
          break;
        }
      }
      if (!suppressed) {
        kept.add(d);
      }
    }
    return kept;
  }
}
