package dev.npusim.cli.analysis;

import java.util.List;
import java.util.Locale;

/**
 * An inline SVG line chart of per-layer SQNR, one line per pipeline, as in Sheng et al.'s per-layer
 * figure: shared by the face detector's and the imported networks' HTML reports.
 */
final class SqnrChart {
  private static final String[] COLORS = {
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"
  };

  /** One line: a pipeline's SQNR in dB per layer (infinite values are drawn at the plot's edge). */
  record Series(String name, List<Double> db) {}

  private SqnrChart() {}

  /**
   * @param labels the layer labels under the x axis
   * @param layers the layers' full names, for the tooltips
   */
  static void render(
      StringBuilder sb, List<String> labels, List<String> layers, List<Series> series) {
    int w = 1000;
    int left = 50;
    int top = 20;
    int plotW = w - left - 180;
    int plotH = 300;
    int bottom = 230; // room for the rotated layer names
    int n = labels.size();
    double max = 10;
    double min = 0;
    for (Series s : series) {
      for (double d : s.db()) {
        if (Double.isFinite(d)) {
          max = Math.max(max, d);
          min = Math.min(min, d);
        }
      }
    }
    max = Math.ceil(max / 10) * 10;
    min = Math.floor(min / 10) * 10;
    int height = top + plotH + bottom;
    sb.append(
        f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">%n", w, height));
    for (double y = min; y <= max; y += 10) {
      double py = top + plotH * (max - y) / (max - min);
      sb.append(
          f(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>%n",
              left, py, left + plotW, py, left - 4, py + 4, y));
    }
    sb.append(
        f(
            "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\">SQNR dB</text>%n",
            top + plotH / 2, top + plotH / 2));
    for (int i = 0; i < n; i++) {
      double px = left + plotW * (i + 0.5) / n;
      sb.append(
          f(
              "<text x=\"%.1f\" y=\"%d\" transform=\"rotate(-60 %.1f %d)\" text-anchor=\"end\">%s</text>%n",
              px, top + plotH + 12, px, top + plotH + 12, HtmlReport.esc(labels.get(i))));
    }
    for (int k = 0; k < series.size(); k++) {
      String color = COLORS[k % COLORS.length];
      Series s = series.get(k);
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < n; i++) {
        double value = s.db().get(i);
        double d = value;
        if (!Double.isFinite(d)) {
          d = d > 0 ? max : min;
        }
        double px = left + plotW * (i + 0.5) / n;
        double py = top + plotH * (max - d) / (max - min);
        pts.append(f("%.1f,%.1f ", px, py));
        sb.append(
            f(
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s %s: %s dB</title></circle>%n",
                px,
                py,
                color,
                HtmlReport.esc(s.name()),
                HtmlReport.esc(layers.get(i)),
                TerminalReport.db(value)));
      }
      sb.append(
          f(
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
              color, pts.toString().trim()));
      sb.append(
          f(
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
              left + plotW + 15,
              top + 10 + 18 * k,
              color,
              left + plotW + 32,
              top + 15 + 18 * k,
              HtmlReport.esc(s.name())));
    }
    sb.append("</svg>\n");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
