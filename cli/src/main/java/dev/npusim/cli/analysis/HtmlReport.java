package dev.npusim.cli.analysis;

import dev.npusim.analysis.study.AnalysisResult;
import java.util.List;
import java.util.Locale;

/**
 * A single self-contained HTML page (inline SVG, no scripts, no network): per-layer SQNR across
 * layers with one line per scheme, as in Sheng et al.'s per-layer figure; the per-channel folded
 * weight ranges of the worst depthwise layer; and the "float pipeline vs 8-bit pipeline" summary.
 */
public final class HtmlReport {
  private HtmlReport() {}

  public static String render(AnalysisResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>npusim analyze: ")
        .append(esc(r.model()))
        .append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em;max-width:1100px}")
        .append("table{border-collapse:collapse;font-size:13px;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}")
        .append("svg text{font-size:11px;font-family:sans-serif}")
        .append(".note{color:#555;font-size:13px}</style></head><body>\n");
    sb.append("<h1>Where 8-bit error comes from: ").append(esc(r.model())).append("</h1>\n");
    sb.append(
        p(
            "Machine %s. Calibrated on %s; evaluated on %s. %.1f s.",
            esc(r.machine()),
            esc(String.join(", ", r.calibrationImages())),
            esc(String.join(", ", r.evaluationImages())),
            r.seconds()));
    sb.append("<h2>Float pipeline vs 8-bit pipeline</h2>\n");
    summary(sb, r);
    sb.append(
        "<h2>Per-layer SQNR (cumulative, simulated) against each scheme's float network</h2>\n");
    sqnrChart(sb, r);
    sb.append("<h2>Folded depthwise weights: per-channel range</h2>\n");
    worstFoldChart(sb, r);
    sb.append("<h2>Per-layer figures</h2>\n");
    for (AnalysisResult.Variant v : r.variants()) {
      layerTable(sb, v);
    }
    for (String note : r.notes()) {
      sb.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
    }
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static void summary(StringBuilder sb, AnalysisResult r) {
    int faces = r.originalFloat().stream().mapToInt(d -> d.detections().size()).sum();
    sb.append("<table><tr><th rowspan=2>scheme</th><th colspan=3>float pipeline</th>")
        .append("<th colspan=3>8-bit pipeline (simulated)</th></tr>")
        .append("<tr><th>faces found</th><th>false</th><th>score SQNR dB</th>")
        .append("<th>faces found</th><th>false</th><th>score SQNR dB</th></tr>\n");
    for (AnalysisResult.Variant v : r.variants()) {
      AnalysisResult.EndToEnd fl = v.floatChange().total();
      AnalysisResult.EndToEnd q = v.total();
      sb.append("<tr><td>")
          .append(esc(v.scheme()))
          .append("</td><td>")
          .append(fl.matched())
          .append('/')
          .append(faces)
          .append("</td><td>")
          .append(fl.falseDetections())
          .append("</td><td>")
          .append(v.floatChange().changed() ? TerminalReport.db(fl.faceScoreSqnrDb()) : "exact")
          .append("</td><td>")
          .append(q.matched())
          .append('/')
          .append(faces)
          .append("</td><td>")
          .append(q.falseDetections())
          .append("</td><td>")
          .append(TerminalReport.db(q.faceScoreSqnrDb()))
          .append("</td></tr>\n");
    }
    sb.append("</table>\n");
  }

  private static void sqnrChart(StringBuilder sb, AnalysisResult r) {
    List<AnalysisResult.Layer> layers = r.variants().get(0).layers();
    List<SqnrChart.Series> series =
        r.variants().stream()
            .map(
                v ->
                    new SqnrChart.Series(
                        v.scheme(),
                        v.layers().stream().map(AnalysisResult.Layer::sqnrCumulativeDb).toList()))
            .toList();
    SqnrChart.render(
        sb,
        layers.stream().map(l -> TerminalReport.shortName(l.name())).toList(),
        layers.stream().map(AnalysisResult.Layer::name).toList(),
        series);
  }

  private static void worstFoldChart(StringBuilder sb, AnalysisResult r) {
    AnalysisResult.Variant v = r.variants().get(0);
    AnalysisResult.Layer worst = null;
    for (AnalysisResult.Layer l : v.layers()) {
      if (l.depthwiseFold() != null
          && (worst == null
              || l.depthwiseFold().foldedPerTensorSqnrDb()
                  < worst.depthwiseFold().foldedPerTensorSqnrDb())) {
        worst = l;
      }
    }
    if (worst == null) {
      return;
    }
    AnalysisResult.DepthwiseFold d = worst.depthwiseFold();
    sb.append(
        p(
            "%s (scheme %s): max |w| per channel of the weights it quantizes, log scale. Folded"
                + " per-tensor weight SQNR %s dB vs %s dB unfolded; spread %.1f; %d dead channels;"
                + " up to %.1f bits lost to the shared scale.",
            esc(worst.name()),
            esc(v.scheme()),
            TerminalReport.db(d.foldedPerTensorSqnrDb()),
            TerminalReport.db(d.unfoldedPerTensorSqnrDb()),
            d.rangeSpread(),
            d.deadChannels(),
            d.maxBitsLost()));
    List<Double> ranges = d.channelRanges();
    int w = 1000;
    int h = 260;
    int left = 50;
    int top = 10;
    int plotW = w - left - 20;
    int plotH = h - top - 30;
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (double x : ranges) {
      if (x > 0) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    double logLo = Math.floor(Math.log10(lo));
    double logHi = Math.ceil(Math.log10(hi));
    if (logHi <= logLo) {
      logHi = logLo + 1;
    }
    sb.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">%n", w, h));
    for (double e = logLo; e <= logHi; e++) {
      double py = top + plotH * (logHi - e) / (logHi - logLo);
      sb.append(
          f(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">1e%.0f</text>%n",
              left, py, left + plotW, py, left - 4, py + 4, e));
    }
    double bw = plotW / (double) ranges.size();
    for (int c = 0; c < ranges.size(); c++) {
      double x = ranges.get(c);
      double lg = x > 0 ? Math.log10(x) : logLo;
      double py = top + plotH * (logHi - lg) / (logHi - logLo);
      boolean outlier = x > 8 * median(ranges);
      sb.append(
          f(
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>channel %d:"
                  + " max|w| %.4g, %.1f bits lost</title></rect>%n",
              left + c * bw,
              py,
              Math.max(1, bw - 1),
              top + plotH - py,
              outlier ? "#d62728" : "#1f77b4",
              c,
              x,
              d.bitsLostPerChannel().get(c)));
    }
    sb.append(f("<text x=\"%d\" y=\"%d\">output channel</text>%n", left + plotW / 2, h - 5));
    sb.append(
        "</svg>\n<p class=\"note\">Red: channels whose range is more than 8x the median.</p>\n");
  }

  private static double median(List<Double> v) {
    return v.stream().sorted().toList().get(v.size() / 2);
  }

  private static void layerTable(StringBuilder sb, AnalysisResult.Variant v) {
    sb.append("<h3>")
        .append(esc(v.scheme()))
        .append(": ")
        .append(esc(v.description()))
        .append("</h3>\n");
    sb.append(
        "<table><tr><th>layer</th><th>cumulative dB</th><th>isolated dB</th><th>weights-only dB</th>"
            + "<th>activations-only dB</th><th>rounding mean LSB</th><th>rounding RMS LSB</th>"
            + "<th>saturated %</th><th>clipped energy %</th><th>overflows</th><th>acc bits needed</th>"
            + "<th>folded W-SQNR dB</th><th>unfolded W-SQNR dB</th><th>spread</th><th>dead</th></tr>\n");
    for (AnalysisResult.Layer l : v.layers()) {
      AnalysisResult.DepthwiseFold d = l.depthwiseFold();
      sb.append(
          f(
              "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%.3f</td>"
                  + "<td>%.3f</td><td>%.3f</td><td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
              esc(l.name()),
              TerminalReport.db(l.sqnrCumulativeDb()),
              TerminalReport.db(l.sqnrIsolatedDb()),
              TerminalReport.db(l.sqnrWeightsOnlyDb()),
              TerminalReport.db(l.sqnrActivationsOnlyDb()),
              l.roundingMeanLsb(),
              l.roundingRmsLsb(),
              100 * l.saturatedFraction(),
              100 * l.clippedEnergyShare(),
              l.accumulatorOverflows(),
              l.accumulatorBitsNeeded(),
              d == null ? "" : TerminalReport.db(d.foldedPerTensorSqnrDb()),
              d == null ? "" : TerminalReport.db(d.unfoldedPerTensorSqnrDb()),
              d == null ? "" : f("%.1f", d.rangeSpread()),
              d == null ? "" : Integer.toString(d.deadChannels())));
    }
    sb.append("</table>\n");
  }

  private static String p(String format, Object... args) {
    return "<p>" + f(format, args) + "</p>\n";
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
