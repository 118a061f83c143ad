package dev.npusim.cli.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.npusim.analysis.imported.ImportedStudyResult;
import java.util.List;
import java.util.Locale;

/** The terminal table, the JSON file and the HTML page of {@code analyze --model X.tflite}. */
public final class ImportedReport {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private ImportedReport() {}

  public static String json(ImportedStudyResult r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the analysis", e);
    }
  }

  public static String text(ImportedStudyResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append("model    ")
        .append(r.model())
        .append(" on machine ")
        .append(r.machine())
        .append('\n');
    sb.append("float    ").append(r.floatReference()).append('\n');
    sb.append("inputs   ")
        .append(r.inputs().size())
        .append(": ")
        .append(String.join(", ", r.inputs()))
        .append('\n');
    if (!r.calibrationInputs().isEmpty()) {
      sb.append("calib    ")
          .append(r.calibrationInputs().size())
          .append(": ")
          .append(String.join(", ", r.calibrationInputs()))
          .append(" (npusim's schemes)\n");
    }
    if (r.checkedAgainstReference()) {
      sb.append("checked  every simulated operator and layer equals the integer reference\n");
    }
    sb.append('\n');
    pipelines(sb, r);
    sb.append('\n');
    layers(sb, r);
    if (r.pipelines().size() > 1) {
      sb.append('\n');
      perPipeline(sb, r);
    }
    for (String note : r.notes()) {
      sb.append("note: ").append(note).append('\n');
    }
    return sb.toString();
  }

  private static void pipelines(StringBuilder sb, ImportedStudyResult r) {
    String format = "%-28s %13s %12s %10s %11s%n";
    sb.append(
        String.format(
            Locale.ROOT, format, "pipeline", "top-1 = float", "output", "acc", "int32 bias"));
    sb.append(String.format(Locale.ROOT, format, "", "", "SQNR dB", "overflows", "clamped"));
    for (ImportedStudyResult.Pipeline p : r.pipelines()) {
      sb.append(
          String.format(
              Locale.ROOT,
              format,
              p.name(),
              p.top1Agreement() + "/" + p.inputs(),
              db(p.outputSqnrDb()),
              p.accumulatorOverflows(),
              p.biasClamps()));
    }
  }

  private static void layers(StringBuilder sb, ImportedStudyResult r) {
    sb.append(
        "tflite-int8 on the simulator, per operator (SQNR in dB against the float reference;"
            + " cumul: the int8 network so far, isol: this operator alone, w-only: quantized"
            + " weights only, a-only: quantized activations only)\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "%-24s %9s %6s %6s %6s %6s %13s %6s %6s %4s %4s %8s%n",
            "operator",
            "MACs",
            "cumul",
            "isol",
            "w-only",
            "a-only",
            "round mean/rms",
            "sat%",
            "clamp%",
            "ovf",
            "acc",
            "cycles"));
    for (ImportedStudyResult.Layer l : r.layers()) {
      String rounding =
          Double.isNaN(l.roundingMeanLsb())
              ? "-"
              : String.format(Locale.ROOT, "%+.3f/%.3f", l.roundingMeanLsb(), l.roundingRmsLsb());
      sb.append(
          String.format(
              Locale.ROOT,
              "%-24s %9d %6s %6s %6s %6s %13s %6.2f %6.2f %4s %4s %8s%n",
              l.name(),
              l.macs(),
              db(l.sqnrCumulativeDb()),
              db(l.sqnrIsolatedDb()),
              db(l.sqnrWeightsOnlyDb()),
              db(l.sqnrActivationsOnlyDb()),
              rounding,
              100 * l.saturatedFraction(),
              100 * l.clampedFraction(),
              l.host() ? "-" : Long.toString(l.accumulatorOverflows()),
              l.host() ? "-" : Integer.toString(l.accumulatorBitsNeeded()),
              l.host() ? "host" : Long.toString(l.cycles())));
    }
  }

  /** Cumulative SQNR per operator, one column per pipeline. */
  private static void perPipeline(StringBuilder sb, ImportedStudyResult r) {
    sb.append("cumulative SQNR per operator by pipeline, dB against the float original\n");
    sb.append(String.format(Locale.ROOT, "%-24s", "operator"));
    for (ImportedStudyResult.Pipeline p : r.pipelines()) {
      String name = p.name().replace(" (npusim)", "");
      sb.append(String.format(Locale.ROOT, " %18s", name));
    }
    sb.append('\n');
    for (int l = 0; l < r.layers().size(); l++) {
      sb.append(String.format(Locale.ROOT, "%-24s", r.layers().get(l).name()));
      for (ImportedStudyResult.Pipeline p : r.pipelines()) {
        sb.append(String.format(Locale.ROOT, " %18s", db(p.layerSqnrDb().get(l))));
      }
      sb.append('\n');
    }
  }

  /**
   * A single self-contained HTML page (inline SVG, no scripts, no network): the pipelines'
   * end-to-end figures, cumulative SQNR per operator with one line per pipeline, and the
   * converter's int8 model's per-operator figures.
   */
  public static String html(ImportedStudyResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>npusim analyze: ")
        .append(HtmlReport.esc(r.model()))
        .append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em;max-width:1100px}")
        .append("table{border-collapse:collapse;font-size:13px;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
        .append("td:first-child,th:first-child{text-align:left}")
        .append("svg text{font-size:11px;font-family:sans-serif}")
        .append(".note{color:#555;font-size:13px}</style></head><body>\n");
    sb.append("<h1>Where 8-bit error comes from: ")
        .append(HtmlReport.esc(r.model()))
        .append("</h1>\n<p>Machine ")
        .append(HtmlReport.esc(r.machine()))
        .append(". Float reference: ")
        .append(HtmlReport.esc(r.floatReference()))
        .append(". Evaluated on ")
        .append(HtmlReport.esc(String.join(", ", r.inputs())));
    if (!r.calibrationInputs().isEmpty()) {
      sb.append("; npusim's schemes calibrated on ")
          .append(HtmlReport.esc(String.join(", ", r.calibrationInputs())));
    }
    sb.append(".")
        .append(
            r.checkedAgainstReference()
                ? " Every simulated operator and layer equals the integer reference."
                : "")
        .append("</p>\n");
    sb.append("<h2>Pipelines</h2>\n<table><tr><th>pipeline</th><th>top-1 = float</th>")
        .append("<th>output SQNR dB</th><th>accumulator overflows</th>")
        .append("<th>int32 biases clamped</th></tr>\n");
    for (ImportedStudyResult.Pipeline p : r.pipelines()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%d/%d</td><td>%s</td><td>%d</td><td>%d</td></tr>%n",
              HtmlReport.esc(p.name()),
              p.top1Agreement(),
              p.inputs(),
              db(p.outputSqnrDb()),
              p.accumulatorOverflows(),
              p.biasClamps()));
    }
    sb.append("</table>\n");
    sb.append("<h2>Per-operator SQNR (cumulative, simulated) against the float reference</h2>\n");
    List<String> names = r.layers().stream().map(ImportedStudyResult.Layer::name).toList();
    SqnrChart.render(
        sb,
        names,
        names,
        r.pipelines().stream().map(p -> new SqnrChart.Series(p.name(), p.layerSqnrDb())).toList());
    sb.append("<h2>tflite-int8 on the simulator, per operator</h2>\n")
        .append("<table><tr><th>operator</th><th>MACs</th><th>cumulative dB</th>")
        .append("<th>isolated dB</th><th>weights-only dB</th><th>activations-only dB</th>")
        .append("<th>rounding mean LSB</th><th>rounding RMS LSB</th><th>saturated %</th>")
        .append("<th>clamped %</th><th>overflows</th><th>acc bits</th><th>cycles</th></tr>\n");
    for (ImportedStudyResult.Layer l : r.layers()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                  + "<td>%s</td><td>%.2f</td><td>%.2f</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
              HtmlReport.esc(l.name()),
              l.macs(),
              db(l.sqnrCumulativeDb()),
              db(l.sqnrIsolatedDb()),
              db(l.sqnrWeightsOnlyDb()),
              db(l.sqnrActivationsOnlyDb()),
              Double.isNaN(l.roundingMeanLsb())
                  ? "-"
                  : String.format(Locale.ROOT, "%+.3f", l.roundingMeanLsb()),
              Double.isNaN(l.roundingRmsLsb())
                  ? "-"
                  : String.format(Locale.ROOT, "%.3f", l.roundingRmsLsb()),
              100 * l.saturatedFraction(),
              100 * l.clampedFraction(),
              l.host() ? "-" : Long.toString(l.accumulatorOverflows()),
              l.host() ? "-" : Integer.toString(l.accumulatorBitsNeeded()),
              l.host() ? "host" : Long.toString(l.cycles())));
    }
    sb.append("</table>\n");
    for (String note : r.notes()) {
      sb.append("<p class=\"note\">").append(HtmlReport.esc(note)).append("</p>\n");
    }
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static String db(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "exact" : "-inf";
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
