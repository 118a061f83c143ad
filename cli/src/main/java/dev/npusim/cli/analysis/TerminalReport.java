package dev.npusim.cli.analysis;

import dev.npusim.analysis.study.AnalysisResult;
import java.util.List;
import java.util.Locale;

/** The terminal rendering of an analysis: per-layer tables, the depthwise fold table, a summary. */
public final class TerminalReport {
  private TerminalReport() {}

  public static String render(AnalysisResult r, boolean allDetails) {
    StringBuilder sb = new StringBuilder();
    sb.append(f("npusim analyze: %s on %s, %.1f s%n", r.model(), r.machine(), r.seconds()));
    sb.append(f("calibrated on: %s%n", String.join(", ", r.calibrationImages())));
    sb.append(f("evaluated on:  %s%n", String.join(", ", r.evaluationImages())));
    int faces = r.originalFloat().stream().mapToInt(d -> d.detections().size()).sum();
    sb.append(f("original float network: %d faces (score >= 0.5, NMS at IoU 0.5)%n%n", faces));

    List<AnalysisResult.Variant> vs = r.variants();
    sb.append(
        "Per-layer SQNR (dB) of the quantized network so far, run on the simulator, against each"
            + " scheme's float network\n");
    sb.append(f("%-44s %9s", "layer", "MACs"));
    for (AnalysisResult.Variant v : vs) {
      sb.append(f(" %18s", v.scheme()));
    }
    sb.append('\n');
    int n = vs.get(0).layers().size();
    for (int i = 0; i < n; i++) {
      AnalysisResult.Layer l0 = vs.get(0).layers().get(i);
      sb.append(f("%-44s %9s", shortName(l0.name()), macs(l0.macs())));
      for (AnalysisResult.Variant v : vs) {
        sb.append(f(" %18s", db(v.layers().get(i).sqnrCumulativeDb())));
      }
      sb.append('\n');
    }
    sb.append('\n');
    for (int k = 0; k < (allDetails ? vs.size() : 1); k++) {
      detail(sb, vs.get(k));
    }
    fold(sb, vs);
    summary(sb, r);
    for (String note : r.notes()) {
      sb.append("note: ").append(note).append('\n');
    }
    return sb.toString();
  }

  private static void detail(StringBuilder sb, AnalysisResult.Variant v) {
    sb.append(
        f(
            "Where the error comes from, %s: SQNR (dB) with only this layer (isolated), only the"
                + " weights or only the activations quantized; rounding vs exact requantization;"
                + " saturation beyond the activation; accumulator%n",
            v.scheme()));
    sb.append(
        f(
            "%-44s %8s %8s %8s %16s %9s %8s %5s %5s%n",
            "layer",
            "isolated",
            "weights",
            "acts",
            "round mean/rms",
            "saturated",
            "clipped",
            "ovf",
            "bits"));
    for (AnalysisResult.Layer l : v.layers()) {
      sb.append(
          f(
              "%-44s %8s %8s %8s %7.3f/%-8.3f %8.3f%% %7.3f%% %5d %5d%n",
              shortName(l.name()),
              db(l.sqnrIsolatedDb()),
              db(l.sqnrWeightsOnlyDb()),
              db(l.sqnrActivationsOnlyDb()),
              l.roundingMeanLsb(),
              l.roundingRmsLsb(),
              100 * l.saturatedFraction(),
              100 * l.clippedEnergyShare(),
              l.accumulatorOverflows(),
              l.accumulatorBitsNeeded()));
    }
    sb.append('\n');
  }

  private static void fold(StringBuilder sb, List<AnalysisResult.Variant> vs) {
    AnalysisResult.Variant v = vs.get(0);
    sb.append(
        "Depthwise BatchNorm fold: weight SQNR (dB) of uint8 per-tensor weights after and before"
            + " folding; per-channel range spread (max/median of max|w|); bits lost to the shared"
            + " scale, log2(tensor range / channel range); dead channels (moving variance < 1e-10)\n");
    sb.append(f("%-36s %9s %9s", "layer", "folded", "unfolded"));
    for (AnalysisResult.Variant x : vs) {
      sb.append(f(" %18s", x.scheme()));
    }
    sb.append(f(" %9s %16s %5s%n", "spread", "bits lost mean/max", "dead"));
    for (int i = 0; i < v.layers().size(); i++) {
      AnalysisResult.Layer l = v.layers().get(i);
      AnalysisResult.DepthwiseFold d = l.depthwiseFold();
      if (d == null) {
        continue;
      }
      sb.append(
          f(
              "%-36s %9s %9s",
              shortName(l.name()), db(d.foldedPerTensorSqnrDb()), db(d.unfoldedPerTensorSqnrDb())));
      for (AnalysisResult.Variant x : vs) {
        sb.append(f(" %18s", db(x.layers().get(i).depthwiseFold().schemeWeightSqnrDb())));
      }
      sb.append(
          f(
              " %9.1f %8.2f/%-7.2f %5d%n",
              d.rangeSpread(), d.meanBitsLost(), d.maxBitsLost(), d.deadChannels()));
    }
    sb.append(
        "(scheme columns: weight SQNR of the depthwise weights as each scheme quantizes them)\n\n");
  }

  private static void summary(StringBuilder sb, AnalysisResult r) {
    int faces = r.originalFloat().stream().mapToInt(d -> d.detections().size()).sum();
    sb.append(
        f(
            "Float pipeline vs 8-bit pipeline (the form of Sheng et al., Table 1): faces of the"
                + " original float network found (IoU >= 0.5), false detections, face-score SQNR%n"));
    sb.append(
        f("%-20s | %-26s | %-34s%n", "scheme", "float pipeline", "8-bit pipeline (simulated)"));
    sb.append(
        f(
            "%-20s | %9s %6s %9s | %9s %6s %9s %8s%n",
            "", "found", "false", "SQNR dB", "found", "false", "SQNR dB", "layer 1"));
    for (AnalysisResult.Variant v : r.variants()) {
      AnalysisResult.EndToEnd fl = v.floatChange().total();
      AnalysisResult.EndToEnd q = v.total();
      String floatSqnr = v.floatChange().changed() ? db(fl.faceScoreSqnrDb()) : "exact";
      AnalysisResult.Layer firstDw =
          v.layers().stream().filter(l -> l.depthwiseFold() != null).findFirst().orElseThrow();
      sb.append(
          f(
              "%-20s | %9s %6d %9s | %9s %6d %9s %8s%n",
              v.scheme(),
              fl.matched() + "/" + faces,
              fl.falseDetections(),
              floatSqnr,
              q.matched() + "/" + faces,
              q.falseDetections(),
              db(q.faceScoreSqnrDb()),
              db(firstDw.sqnrCumulativeDb())));
    }
    sb.append(
        "(layer 1: cumulative SQNR at the first depthwise layer, where Sheng et al. see TF8"
            + " collapse)\n");
    if (r.evaluationImages().size() > 1) {
      sb.append(
          "\nPer image, 8-bit pipeline: faces found / false detections / face-score SQNR dB\n");
      sb.append(f("%-20s", "scheme"));
      for (String image : r.evaluationImages()) {
        sb.append(f(" | %-20.20s", image));
      }
      sb.append('\n');
      for (AnalysisResult.Variant v : r.variants()) {
        sb.append(f("%-20s", v.scheme()));
        for (AnalysisResult.EndToEnd e : v.images()) {
          sb.append(
              f(
                  " | %-20s",
                  e.matched()
                      + "/"
                      + e.referenceDetections()
                      + " "
                      + e.falseDetections()
                      + " "
                      + db(e.faceScoreSqnrDb())));
        }
        sb.append('\n');
      }
    }
    sb.append('\n');
  }

  static String shortName(String name) {
    return name.replace("MobilenetV1/", "").replace("Prediction/", "pred/");
  }

  static String db(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "exact" : "-inf";
    }
    return f("%.1f", v);
  }

  static String macs(long m) {
    return m >= 1_000_000 ? f("%.1fM", m / 1e6) : f("%.1fk", m / 1e3);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
