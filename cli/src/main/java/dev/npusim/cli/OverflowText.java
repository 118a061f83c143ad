package dev.npusim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npusim.analysis.overflow.AccumulatorRange;
import dev.npusim.analysis.overflow.AccumulatorWidth;
import dev.npusim.analysis.overflow.ChannelBound;
import dev.npusim.analysis.overflow.Extreme;
import dev.npusim.analysis.overflow.LayerReport;
import dev.npusim.analysis.overflow.OverflowReport;
import dev.npusim.analysis.overflow.WitnessRun;
import dev.npusim.simulator.MachineConfig;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/** The terminal tables and the JSON file of {@code npusim overflow}. */
final class OverflowText {
  private OverflowText() {}

  static String render(String title, OverflowReport r, boolean perChannel, MachineConfig m) {
    StringBuilder sb = new StringBuilder();
    int w = "layer".length();
    for (LayerReport l : r.layers()) {
      w = Math.max(w, l.name().length());
    }
    String nameFormat = "%-" + w + "s";
    sb.append(title).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            nameFormat + "  %-16s %8s %9s %9s %9s",
            "layer",
            "kind",
            "channels",
            "min safe",
            "observed",
            "headroom"));
    r.accBits()
        .ifPresent(a -> sb.append(String.format(Locale.ROOT, "  %s", "at " + a.bits() + " bits")));
    sb.append('\n');
    for (LayerReport l : r.layers()) {
      sb.append(
          String.format(
              Locale.ROOT,
              nameFormat + "  %-16s %8d %9d %9s %9s",
              l.name(),
              l.kind().caseName(),
              l.bound().channels().size(),
              l.minSafeBits(),
              l.observedBits().isPresent() ? String.valueOf(l.observedBits().getAsInt()) : "-",
              l.headroomOverObserved().isPresent()
                  ? String.valueOf(l.headroomOverObserved().getAsInt())
                  : "-"));
      if (r.accBits().isPresent()) {
        AccumulatorWidth a = r.accBits().get();
        int margin = l.margin(a);
        sb.append(
            String.format(Locale.ROOT, "  %+d %s", margin, margin >= 0 ? "safe" : "can overflow"));
      }
      sb.append('\n');
    }
    if (r.layers().stream().anyMatch(l -> l.witnessRun().isPresent())) {
      sb.append(witnesses(r, nameFormat, m));
    }
    if (perChannel) {
      for (LayerReport l : r.layers()) {
        sb.append(channels(l));
      }
    }
    sb.append('\n');
    return sb.toString();
  }

  private static String witnesses(OverflowReport r, String nameFormat, MachineConfig m) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "witnesses on %s: an input reaching the worst extreme, run one bit too narrow in wrap"
                + " and saturate mode, and at min safe bits with the accumulator watermark%n",
            m.name()));
    sb.append(
        String.format(
            Locale.ROOT,
            nameFormat + "  %4s  %-40s %6s %9s %9s %10s%n",
            "layer",
            "bits",
            "worst extreme",
            "narrow",
            "wrap ovf",
            "sat ovf",
            "watermark"));
    for (LayerReport l : r.layers()) {
      if (l.witnessRun().isEmpty()) {
        continue;
      }
      Extreme e = l.bound().worst();
      String extreme =
          String.format(
              Locale.ROOT,
              "channel %d %s %d at (%d, %d)",
              e.channel(),
              e.maximum() ? "max" : "min",
              e.accumulator(),
              e.y(),
              e.x());
      WitnessRun run = l.witnessRun().get();
      if (run instanceof WitnessRun.Ran ran) {
        sb.append(
            String.format(
                Locale.ROOT,
                nameFormat + "  %4d  %-40s %6d %,9d %,9d %10d%n",
                l.name(),
                l.minSafeBits(),
                extreme,
                ran.narrowBits(),
                ran.wrapOverflows(),
                ran.saturateOverflows(),
                ran.observedBits()));
      } else if (run instanceof WitnessRun.NotRun not) {
        sb.append(
            String.format(
                Locale.ROOT,
                nameFormat + "  %4d  %-40s not run: %s%n",
                l.name(),
                l.minSafeBits(),
                extreme,
                not.reason()));
      }
    }
    return sb.toString();
  }

  private static String channels(LayerReport l) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format("%s: exact accumulator range per output channel, bias included%n", l.name()));
    sb.append(String.format("  %7s %15s %15s %5s%n", "channel", "acc_min", "acc_max", "bits"));
    for (ChannelBound c : l.bound().channels()) {
      AccumulatorRange range = c.range();
      sb.append(
          String.format(
              Locale.ROOT,
              "  %7d %15d %15d %5d%n",
              c.channel(),
              range.accMin(),
              range.accMax(),
              range.bits()));
    }
    return sb.toString();
  }

  /**
   * The {@code --json} document: the issue's {@code {"layers": [...]}}; for the SSD under several
   * schemes, every scheme's layers in one list, each with a {@code "scheme"} field.
   */
  static String json(List<String> schemes, List<OverflowReport> reports) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode layers = root.putArray("layers");
    for (int i = 0; i < reports.size(); i++) {
      for (JsonNode n : reports.get(i).toJson().get("layers")) {
        ObjectNode o = (ObjectNode) n;
        if (schemes.get(i) != null) {
          ObjectNode withScheme = JsonNodeFactory.instance.objectNode();
          withScheme.put("name", o.get("name").asText());
          withScheme.put("scheme", schemes.get(i));
          o.remove("name");
          withScheme.setAll(o);
          o = withScheme;
        }
        layers.add(o);
      }
    }
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root)
          + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
