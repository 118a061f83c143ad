package dev.npusim.cli.cost;

import com.google.common.html.HtmlEscapers;
import dev.npusim.analysis.cost.MachineSweep;
import dev.npusim.analysis.cost.NetworkCost;
import dev.npusim.analysis.cost.SweepParameter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A self-contained HTML page (inline SVG, no scripts, nothing fetched) of a sweep: cycles and
 * energy against each swept parameter, energy against cycles with the Pareto front, and the table
 * of points. Pareto points are drawn filled and red; hovering a dot shows its machine.
 */
public final class SweepPlot {
  private static final int W = 460;
  private static final int H = 300;
  private static final int LEFT = 78;
  private static final int RIGHT = 16;
  private static final int TOP = 28;
  private static final int BOTTOM = 46;

  private SweepPlot() {}

  /** The page for a sweep over {@code axes} (plots for the axes with more than one value). */
  public static String html(
      String source,
      String base,
      Map<SweepParameter, List<Integer>> axes,
      List<MachineSweep.Outcome> all) {
    List<SweepParameter> swept = swept(axes);
    List<MachineSweep.Outcome> ok = all.stream().filter(o -> o.cost() != null).toList();
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    sb.append("<title>npusim sweep: ").append(esc(source)).append("</title>\n");
    sb.append(
        "<style>body{font-family:sans-serif;margin:24px;color:#222}"
            + "svg{border:1px solid #ddd;margin:6px;background:#fff}"
            + "table{border-collapse:collapse;font-size:13px}"
            + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
            + "tr.front td{background:#fde8e8}"
            + ".row{display:flex;flex-wrap:wrap}"
            + ".note{color:#555;max-width:60em}</style></head><body>\n");
    sb.append("<h1>npusim sweep</h1>\n<p>")
        .append(esc(source))
        .append("<br>base machine: ")
        .append(esc(base))
        .append("; ")
        .append(all.size())
        .append(" points, ")
        .append(ok.size())
        .append(" costed.</p>\n");
    sb.append(
        "<p class=\"note\">Each point is the whole network compiled and simulated on that machine."
            + " Red filled dots are the Pareto front: no other point has both fewer cycles and"
            + " less energy. Cycles do not depend on the clock; energy has no static part.</p>\n");
    if (!ok.isEmpty()) {
      sb.append("<h2>Energy against cycles</h2>\n");
      List<double[]> xy = new ArrayList<>();
      for (MachineSweep.Outcome o : ok) {
        xy.add(new double[] {o.cost().cycles(), o.cost().energy().totalPj() / 1e9});
      }
      sb.append(scatter("energy vs cycles", "cycles", "energy (mJ)", xy, ok, false, true));
      for (SweepParameter p : swept) {
        sb.append("<h2>").append(esc(p.label())).append("</h2>\n");
        List<double[]> cyc = new ArrayList<>();
        List<double[]> en = new ArrayList<>();
        for (MachineSweep.Outcome o : ok) {
          double x = o.point().values().get(p);
          cyc.add(new double[] {x, o.cost().cycles()});
          en.add(new double[] {x, o.cost().energy().totalPj() / 1e9});
        }
        boolean log = logScale(cyc);
        sb.append("<div class=\"row\">\n");
        sb.append(scatter("cycles vs " + p.key(), p.label(), "cycles", cyc, ok, log, false));
        sb.append(scatter("energy vs " + p.key(), p.label(), "energy (mJ)", en, ok, log, false));
        sb.append("</div>\n");
      }
    }
    sb.append("<h2>Points</h2>\n<table><tr>");
    for (SweepParameter p : axes.keySet()) {
      sb.append("<th>").append(esc(p.key())).append("</th>");
    }
    sb.append(
        "<th>cycles</th><th>latency (ms)</th><th>energy (mJ)</th><th>inf/s</th><th>inf/J</th>"
            + "<th>util</th><th>Pareto</th><th>status</th></tr>\n");
    for (MachineSweep.Outcome o : all) {
      sb.append(o.pareto() ? "<tr class=\"front\">" : "<tr>");
      for (SweepParameter p : axes.keySet()) {
        sb.append("<td>").append(o.point().values().get(p)).append("</td>");
      }
      if (o.cost() != null) {
        NetworkCost c = o.cost();
        sb.append(
            String.format(
                Locale.ROOT,
                "<td>%,d</td><td>%.3f</td><td>%.3f</td><td>%.1f</td><td>%.1f</td><td>%.1f%%</td>",
                c.cycles(),
                c.seconds() * 1e3,
                c.energy().totalPj() / 1e9,
                c.inferencesPerSecond(),
                c.inferencesPerJoule(),
                100 * c.utilisation()));
        sb.append("<td>").append(o.pareto() ? "yes" : "").append("</td><td>ok</td>");
      } else {
        sb.append("<td></td><td></td><td></td><td></td><td></td><td></td><td></td><td>")
            .append(esc(o.error()))
            .append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n</body></html>\n");
    return sb.toString();
  }

  private static boolean logScale(List<double[]> xy) {
    double min = xy.stream().mapToDouble(p -> p[0]).min().orElse(1);
    double max = xy.stream().mapToDouble(p -> p[0]).max().orElse(1);
    return min > 0 && max / min >= 4;
  }

  /** One scatter plot; with {@code front}, the Pareto points are joined in order of x. */
  private static String scatter(
      String title,
      String xLabel,
      String yLabel,
      List<double[]> xy,
      List<MachineSweep.Outcome> outcomes,
      boolean logX,
      boolean front) {
    // y: a round range around the data (not from zero: energies of nearby machines differ by a
    // few percent, and a zero-based axis would hide it; the tick labels say where it starts).
    double[] yAxis = niceRange(xy.stream().mapToDouble(p -> p[1]).toArray());
    TreeSet<Double> xs = new TreeSet<>();
    for (double[] p : xy) {
      xs.add(p[0]);
    }
    // x: the parameter's own values as ticks when there are few, else a round range.
    List<Double> xTicks = new ArrayList<>();
    double xLo;
    double xHi;
    if (xs.size() <= 8 && !front) {
      xTicks.addAll(xs);
      xLo = logX ? Math.log(xs.first()) : xs.first();
      xHi = logX ? Math.log(xs.last()) : xs.last();
      double pad = xHi == xLo ? 1 : (xHi - xLo) * 0.08;
      xLo -= pad;
      xHi += pad;
    } else {
      double[] xAxis = niceRange(xy.stream().mapToDouble(p -> p[0]).toArray());
      for (double v = xAxis[0]; v <= xAxis[1] + xAxis[2] / 2; v += xAxis[2]) {
        xTicks.add(v);
      }
      xLo = xAxis[0];
      xHi = xAxis[1];
      logX = false;
    }
    boolean log = logX;
    double fxLo = xLo;
    double fxHi = xHi;
    java.util.function.DoubleUnaryOperator sx =
        v -> LEFT + ((log ? Math.log(v) : v) - fxLo) / (fxHi - fxLo) * (W - LEFT - RIGHT);
    java.util.function.DoubleUnaryOperator sy =
        v -> H - BOTTOM - (v - yAxis[0]) / (yAxis[1] - yAxis[0]) * (H - TOP - BOTTOM);
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" role=\"img\"><title>%s</title>\n",
            W,
            H,
            W,
            H,
            esc(title)));
    sb.append(axes(xLabel, yLabel, yAxis, xTicks, log, sx, sy));
    if (front) {
      sb.append(paretoFront(xy, outcomes, sx, sy));
    }
    for (int i = 0; i < xy.size(); i++) {
      MachineSweep.Outcome o = outcomes.get(i);
      double[] p = xy.get(i);
      sb.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\" stroke=\"%s\"><title>%s: %,d"
                  + " cycles, %.3f mJ%s</title></circle>\n",
              sx.applyAsDouble(p[0]),
              sy.applyAsDouble(p[1]),
              o.pareto() ? "5" : "3.5",
              o.pareto() ? "#c00" : "none",
              o.pareto() ? "#c00" : "#246",
              esc(o.cost().machine().name()),
              o.cost().cycles(),
              o.cost().energy().totalPj() / 1e9,
              o.pareto() ? " (Pareto)" : ""));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  /** The two axes, their ticks and labels. */
  private static String axes(
      String xLabel,
      String yLabel,
      double[] yAxis,
      List<Double> xTicks,
      boolean log,
      java.util.function.DoubleUnaryOperator sx,
      java.util.function.DoubleUnaryOperator sy) {
    StringBuilder sb = new StringBuilder();
    // Axes and ticks.
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
            LEFT,
            H - BOTTOM,
            W - RIGHT,
            H - BOTTOM,
            LEFT,
            TOP,
            LEFT,
            H - BOTTOM));
    for (double v = yAxis[0]; v <= yAxis[1] + yAxis[2] / 2; v += yAxis[2]) {
      double y = sy.applyAsDouble(v);
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
              LEFT,
              y,
              W - RIGHT,
              y,
              LEFT - 4,
              y + 4,
              tick(v)));
    }
    for (double v : xTicks) {
      double x = sx.applyAsDouble(v);
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
              x,
              H - BOTTOM + 15,
              tick(v)));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s%s</text>\n",
            (LEFT + W - RIGHT) / 2,
            H - 10,
            esc(xLabel),
            log ? " (log scale)" : ""));
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 14 %d)\">%s</text>\n",
            (TOP + H - BOTTOM) / 2,
            (TOP + H - BOTTOM) / 2,
            esc(yLabel)));
    return sb.toString();
  }

  /** The Pareto-optimal points joined left to right. */
  private static String paretoFront(
      List<double[]> xy,
      List<MachineSweep.Outcome> outcomes,
      java.util.function.DoubleUnaryOperator sx,
      java.util.function.DoubleUnaryOperator sy) {
    List<double[]> pts = new ArrayList<>();
    for (int i = 0; i < xy.size(); i++) {
      if (outcomes.get(i).pareto()) {
        pts.add(xy.get(i));
      }
    }
    pts.sort(Comparator.comparingDouble(p -> p[0]));
    StringBuilder path = new StringBuilder();
    for (double[] p : pts) {
      path.append(
          String.format(
              Locale.ROOT,
              "%s%.1f,%.1f",
              path.length() == 0 ? "" : " ",
              sx.applyAsDouble(p[0]),
              sy.applyAsDouble(p[1])));
    }
    return "<polyline fill=\"none\" stroke=\"#c00\" stroke-width=\"1.5\" points=\""
        + path
        + "\"/>\n";
  }

  /**
   * {low, high, step}: an axis of about five steps of 1, 2 or 5 times a power of ten that covers
   * the values.
   */
  static double[] niceRange(double[] values) {
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    for (double v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (hi - lo < Math.abs(hi) * 1e-9 || hi == lo) {
      double half = Math.max(Math.abs(hi) * 0.05, 1e-9);
      lo -= half;
      hi += half;
    }
    double raw = (hi - lo) / 5;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = 10 * p;
    for (double m : new double[] {1, 2, 5}) {
      if (m * p >= raw) {
        step = m * p;
        break;
      }
    }
    return new double[] {Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step};
  }

  private static String tick(double v) {
    double a = Math.abs(v);
    if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.3gG", v / 1e9);
    }
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.3gM", v / 1e6);
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.3gk", v / 1e3);
    }
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.3g", v);
  }

  private static String esc(String s) {
    return HtmlEscapers.htmlEscaper().escape(s == null ? "" : s);
  }

  /** Unused parameters of the grid are constant; only these axes get plots. */
  public static List<SweepParameter> swept(Map<SweepParameter, List<Integer>> axes) {
    List<SweepParameter> out = new ArrayList<>();
    for (Map.Entry<SweepParameter, List<Integer>> e : axes.entrySet()) {
      if (e.getValue().size() > 1) {
        out.add(e.getKey());
      }
    }
    return out;
  }
}
