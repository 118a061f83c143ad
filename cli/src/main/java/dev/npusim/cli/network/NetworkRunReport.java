package dev.npusim.cli.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.analysis.network.SimulatedNetwork.LayerResult;
import dev.npusim.analysis.network.SimulatedNetwork.Mismatch;
import dev.npusim.analysis.network.SimulatedNetwork.NetworkRun;
import dev.npusim.analysis.network.SimulatedNetwork.Placement;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteTensor;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code run-model}'s renderings of a {@link NetworkRun}: the terminal text (header, per-layer
 * counters table, totals, outputs, check) and the JSON file.
 */
public final class NetworkRunReport {
  private NetworkRunReport() {}

  /** Values printed per output tensor on the terminal; the JSON and the dump have all of them. */
  static final int PRINTED_VALUES = 32;

  /**
   * What the run was given, as the user named it.
   *
   * @param pixels the pixel rule of an image input, or null
   */
  public record Header(String model, String input, String pixels) {}

  /**
   * The terminal report.
   *
   * @param mismatches the check's result, or null when no check was asked for
   */
  public static String text(
      Header h, SimulatedNetwork network, NetworkRun run, List<Mismatch> mismatches) {
    TfliteModel m = network.model();
    MachineConfig config = network.machine();
    StringBuilder sb = new StringBuilder();
    TfliteTensor in = m.input();
    sb.append(
        String.format(Locale.ROOT, "model    %s, %d operators%n", h.model(), run.layers().size()));
    sb.append(
        String.format(
            Locale.ROOT,
            "input    %s%s -> %s %s int8%n",
            h.input(),
            h.pixels() == null ? "" : ", pixels " + h.pixels(),
            in.label(),
            in.shape()));
    sb.append(String.format(Locale.ROOT, "machine  %s%n", config.name()));
    if (!m.notes().isEmpty()) {
      sb.append("note     ").append(m.notes().get(0));
      if (m.notes().size() > 1) {
        sb.append(" (and ").append(m.notes().size() - 1).append(" more notes; see --json)");
      }
      sb.append('\n');
    }
    sb.append('\n');
    layerTable(sb, m, run);
    sb.append('\n');
    totals(sb, config, run);
    for (int i = 0; i < m.outputs().length(); i++) {
      sb.append('\n');
      output(sb, m.tensor(m.outputs().get(i)), run.tensors().tensor(m.outputs().get(i)));
    }
    if (mismatches != null) {
      sb.append('\n');
      if (mismatches.isEmpty()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "check: all %d operator outputs bit-exact against the integer reference%n",
                run.layers().size()));
      } else {
        for (Mismatch x : mismatches) {
          sb.append("check: MISMATCH ").append(x).append('\n');
        }
      }
    }
    return sb.toString();
  }

  private static void layerTable(StringBuilder sb, TfliteModel m, NetworkRun run) {
    int shapeWidth = "output tensor".length();
    for (LayerResult l : run.layers()) {
      shapeWidth = Math.max(shapeWidth, outputText(m, l).length());
    }
    String row = "%4s  %-17s  %-" + shapeWidth + "s  %-5s  %10s  %11s  %11s  %9s  %8s%n";
    sb.append(
        String.format(
            Locale.ROOT,
            row,
            "op",
            "operator",
            "output tensor",
            "where",
            "cycles",
            "MACs",
            "saturations",
            "overflows",
            "acc bits"));
    for (LayerResult l : run.layers()) {
      boolean npu = l.placement() == Placement.NPU;
      sb.append(
          String.format(
              Locale.ROOT,
              row,
              l.index(),
              l.op(),
              outputText(m, l),
              where(l.placement()),
              npu ? String.format(Locale.ROOT, "%,d", l.cycles()) : "-",
              npu ? String.format(Locale.ROOT, "%,d", l.macs()) : "-",
              npu ? String.format(Locale.ROOT, "%,d", l.saturations()) : "-",
              npu ? String.format(Locale.ROOT, "%,d", l.overflows()) : "-",
              npu && l.accumulatorBits() > 0 ? Integer.toString(l.accumulatorBits()) : "-"));
    }
  }

  private static String outputText(TfliteModel m, LayerResult l) {
    return l.outputTensor() + " " + m.tensor(l.outputTensor()).shape();
  }

  private static String where(Placement p) {
    return switch (p) {
      case NPU -> "NPU";
      case HOST -> "host";
      case NONE -> "none";
    };
  }

  private static void totals(StringBuilder sb, MachineConfig config, NetworkRun run) {
    sb.append(
        String.format(
            Locale.ROOT,
            "NPU      %,d cycles (%.1f us at %.0f MHz), %,d MACs (%.1f per cycle of a %d peak)%n",
            run.cycles(),
            run.cycles() / config.clockMhz(),
            config.clockMhz(),
            run.macs(),
            run.cycles() == 0 ? 0.0 : (double) run.macs() / run.cycles(),
            config.peakMacsPerCycle()));
    String host =
        run.layers().stream()
            .filter(l -> l.placement() == Placement.HOST)
            .map(l -> l.op() + " (op " + l.index() + ")")
            .collect(Collectors.joining(", "));
    if (!host.isEmpty()) {
      sb.append("host     ").append(host).append(": integer reference, not in the NPU cycles\n");
    }
    String none =
        run.layers().stream()
            .filter(l -> l.placement() == Placement.NONE)
            .map(l -> l.op() + " (op " + l.index() + ")")
            .collect(Collectors.joining(", "));
    if (!none.isEmpty()) {
      sb.append("layout   ").append(none).append(": no-ops, the values keep their order\n");
    }
  }

  private static void output(StringBuilder sb, TfliteTensor t, int[] values) {
    float scale = t.quantization().scale();
    int zp = t.quantization().zeroPoint();
    sb.append(
        String.format(
            Locale.ROOT,
            "output %s %s int8 (scale %s, zero point %d)%n",
            t.label(),
            t.shape(),
            scale,
            zp));
    int shown = Math.min(values.length, PRINTED_VALUES);
    StringBuilder q = new StringBuilder("  values      ");
    StringBuilder real = new StringBuilder("  real        ");
    int best = 0;
    for (int i = 0; i < values.length; i++) {
      best = values[i] > values[best] ? i : best;
    }
    for (int i = 0; i < shown; i++) {
      String r = String.format(Locale.ROOT, "%.4f", scale * (double) (values[i] - zp));
      int width = Math.max(r.length(), 4);
      q.append(String.format(Locale.ROOT, " %" + width + "d", values[i]));
      real.append(String.format(Locale.ROOT, " %" + width + "s", r));
    }
    if (shown < values.length) {
      q.append(" ... (").append(values.length - shown).append(" more in --json)");
    }
    sb.append(q).append('\n').append(real).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "  largest     index %d (%.4f)%n",
            best,
            scale * (double) (values[best] - zp)));
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  /**
   * The JSON file: {@code {"model", "machine", "input", "pixels", "outputs": [{"name", "tensor",
   * "shape", "scale", "zero_point", "data"}], "layers": [...], "totals", "notes", "check"}}.
   *
   * @param mismatches the check's result, or null (written as {@code "check": null})
   */
  public static String json(
      Header h, SimulatedNetwork network, NetworkRun run, List<Mismatch> mismatches) {
    TfliteModel m = network.model();
    ObjectNode root = JSON.createObjectNode();
    root.put("model", h.model());
    root.put("machine", network.machine().name());
    root.put("input", h.input());
    root.put("pixels", h.pixels());
    ArrayNode outputs = root.putArray("outputs");
    for (int i = 0; i < m.outputs().length(); i++) {
      TfliteTensor t = m.tensor(m.outputs().get(i));
      ObjectNode o = outputs.addObject();
      o.put("name", t.name());
      o.put("tensor", t.index());
      ArrayNode shape = o.putArray("shape");
      t.shape().forEach(shape::add);
      o.put("scale", t.quantization().scale());
      o.put("zero_point", t.quantization().zeroPoint());
      ArrayNode data = o.putArray("data");
      for (int v : run.tensors().tensor(t.index())) {
        data.add(v);
      }
    }
    ArrayNode layers = root.putArray("layers");
    for (LayerResult l : run.layers()) {
      ObjectNode o = layers.addObject();
      o.put("index", l.index());
      o.put("op", l.op().name());
      o.put("output_tensor", l.outputTensor());
      o.put("output_name", m.tensor(l.outputTensor()).name());
      ArrayNode shape = o.putArray("shape");
      m.tensor(l.outputTensor()).shape().forEach(shape::add);
      o.put("placement", l.placement().name().toLowerCase(Locale.ROOT));
      o.put("cycles", l.cycles());
      o.put("macs", l.macs());
      o.put("saturations", l.saturations());
      o.put("overflows", l.overflows());
      o.put("accumulator_bits", l.accumulatorBits());
    }
    ObjectNode totals = root.putObject("totals");
    totals.put("cycles", run.cycles());
    totals.put("macs", run.macs());
    ArrayNode notes = root.putArray("notes");
    m.notes().forEach(notes::add);
    if (mismatches == null) {
      root.putNull("check");
    } else {
      ObjectNode c = root.putObject("check");
      c.put("bit_exact", mismatches.isEmpty());
      ArrayNode list = c.putArray("mismatches");
      for (Mismatch x : mismatches) {
        ObjectNode o = list.addObject();
        o.put("index", x.op().index());
        o.put("op", x.op().op().name());
        o.put("element", x.element());
        o.put("simulator", x.simulated());
        o.put("reference", x.reference());
        o.put("differing", x.differing());
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the run", e);
    }
  }
}
