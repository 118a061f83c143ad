package dev.npusim.cli.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.npusim.analysis.imported.ImportedStudyResult;
import java.util.Locale;

/** The terminal table and the JSON file of {@code analyze --model X.tflite}. */
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
        .append("\n\n");
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
