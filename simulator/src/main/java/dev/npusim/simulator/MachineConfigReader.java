package dev.npusim.simulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.isa.CycleClass;
import dev.npusim.isa.Scratchpad;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.isa.io.JsonErrorText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a machine description (JSON). Every field is optional: a file starts from its {@code base}
 * preset ({@code npu8-default} if absent) and overrides what it names. Unknown fields, wrong types
 * and out-of-range values are errors that name the file and the field. The format is documented in
 * {@code docs/machines.md}; the presets are {@code src/main/resources/machines/NAME.json}.
 *
 * <pre>{@code
 * {
 *   "name": "my-npu", "base": "npu8-default", "comment": "what this models and why",
 *   "lanes": 32, "macs_per_lane_per_cycle": 4,
 *   "accumulator_bits": 32, "accumulator_mode": "wrap", "rounding": "tflite",
 *   "scratchpads": {"act": {"bytes": 65536, "banks": 4}, "wgt": {...}, "out": {...}, "par": {...}},
 *   "dram_bytes": 67108864,
 *   "dma": {"bytes_per_cycle": 16, "setup_cycles": 32, "queue_depth": 8},
 *   "loop_depth": 4,
 *   "latency": {"scalar": 1, "branch": 1, "loop": 1, "csr": 1, "vload": 1, "vstore": 1,
 *               "mac": 1, "acc": 1, "requant": 1, "dma": 1, "wait": 1, "halt": 1},
 *   "clock_mhz": 1000,
 *   "energy_pj": {"mac8": 0.26, "acc_add32": 0.1, "requant": 3.2, "scalar_op": 0.1,
 *                 "dram_per_64b": 1950, "sram_8k_per_64b": 10, "sram_32k_per_64b": 20,
 *                 "sram_1m_per_64b": 100}
 * }
 * }</pre>
 */
public final class MachineConfigReader {
  /** Presets shipped as resources under {@code /machines/NAME.json}. */
  public static final List<String> PRESETS =
      List.of("npu8-default", "vta-like", "gemmini-like", "nvdla-small-like");

  private static final Set<String> TOP =
      Set.of(
          "name",
          "base",
          "comment",
          "description",
          "lanes",
          "macs_per_lane_per_cycle",
          "accumulator_bits",
          "accumulator_mode",
          "rounding",
          "scratchpads",
          "dram_bytes",
          "dma",
          "loop_depth",
          "latency",
          "clock_mhz",
          "energy_pj",
          "source");

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.ALLOW_COMMENTS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private MachineConfigReader() {}

  /** Loads a preset by name or a JSON file by path. */
  public static MachineConfig load(String presetOrPath) throws MachineConfigException {
    if (PRESETS.contains(presetOrPath)) {
      return preset(presetOrPath);
    }
    Path p = Path.of(presetOrPath);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new MachineConfigException(
          presetOrPath,
          "",
          "no such file, and not a preset (presets: " + String.join(", ", PRESETS) + ")");
    }
    return read(p);
  }

  public static MachineConfig read(Path file) throws MachineConfigException {
    String text;
    try {
      text = InputFiles.readString(file);
    } catch (InputFileException e) {
      // The message already names the file and what is wrong with it.
      throw new MachineConfigException(e.getMessage());
    }
    return parse(text, file.toString());
  }

  public static MachineConfig preset(String name) throws MachineConfigException {
    if (!PRESETS.contains(name)) {
      throw new MachineConfigException(
          name, "", "unknown preset (presets: " + String.join(", ", PRESETS) + ")");
    }
    // Every preset, npu8-default included, is read from its resource, so the shipped JSON is what
    // runs; a test checks that npu8-default.json equals MachineConfig.defaults().
    try (InputStream in =
        MachineConfigReader.class.getResourceAsStream("/machines/" + name + ".json")) {
      if (in == null) {
        throw new MachineConfigException(name, "", "preset resource is missing from the build");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "preset " + name);
    } catch (IOException e) {
      throw new MachineConfigException(name, "", "cannot read preset: " + e.getMessage());
    }
  }

  /** Parses JSON text; {@code file} names it in errors. */
  public static MachineConfig parse(String text, String file) throws MachineConfigException {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new MachineConfigException(
          file,
          loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr(),
          "malformed JSON: " + JsonErrorText.plain(e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new MachineConfigException(file, "", "expected a JSON object");
    }
    return new Fields(file, (ObjectNode) root).build();
  }

  /** Field-by-field reader with error context. */
  private static final class Fields {
    private final String file;
    private final ObjectNode root;

    Fields(String file, ObjectNode root) {
      this.file = file;
      this.root = root;
    }

    /**
     * Reads the fields in a fixed order (base, name, description, then the datapath, memories,
     * timing and energy), so a file with several errors always reports the same, first one.
     */
    MachineConfig build() throws MachineConfigException {
      known(root, TOP, "");
      MachineConfig base = base();
      String name = name(base);
      String description = description(base);
      int lanes = integer(root, "lanes", base.lanes());
      int macs = integer(root, "macs_per_lane_per_cycle", base.macsPerLanePerCycle());
      int accBits = integer(root, "accumulator_bits", base.accumulatorBits());
      AccumulatorMode accMode = accumulatorMode(base);
      RoundingMode rounding = rounding(base);
      Map<Scratchpad, MachineConfig.ScratchpadConfig> spads = scratchpads(base);
      int dram = integer(root, "dram_bytes", base.dramBytes());
      Dma dma = dma(base);
      int loopDepth = integer(root, "loop_depth", base.loopDepth());
      Map<CycleClass, Integer> lat = latencies(base);
      double clock = number(root, "clock_mhz", base.clockMhz(), "clock_mhz");
      EnergyTable energy = energy(base);
      return construct(
          "",
          () ->
              new MachineConfig(
                  name,
                  description,
                  lanes,
                  macs,
                  accBits,
                  accMode,
                  rounding,
                  ImmutableMap.copyOf(spads),
                  dram,
                  dma.bytesPerCycle(),
                  dma.setupCycles(),
                  dma.queueDepth(),
                  loopDepth,
                  ImmutableMap.copyOf(lat),
                  clock,
                  energy));
    }

    private MachineConfig base() throws MachineConfigException {
      if (!root.has("base")) {
        return MachineConfig.defaults();
      }
      String b = text(root, "base", "base");
      if (b.equals(root.path("name").asText(null))) {
        throw new MachineConfigException(file, "base", "a machine cannot be its own base");
      }
      if (!PRESETS.contains(b)) {
        throw new MachineConfigException(
            file, "base", "unknown preset (presets: " + String.join(", ", PRESETS) + ")");
      }
      return preset(b);
    }

    private String name(MachineConfig base) throws MachineConfigException {
      // A file without a name is named after itself (my-npu.json -> my-npu).
      String fileStem = Path.of(file).getFileName().toString().replaceFirst("\\.json$", "");
      return root.has("name")
          ? text(root, "name", "name")
          : file.startsWith("preset ") ? base.name() : fileStem;
    }

    private String description(MachineConfig base) throws MachineConfigException {
      if (root.has("description")) {
        return text(root, "description", "description");
      } else if (root.has("comment")) {
        return text(root, "comment", "comment");
      }
      return base.description();
    }

    private AccumulatorMode accumulatorMode(MachineConfig base) throws MachineConfigException {
      if (!root.has("accumulator_mode")) {
        return base.accumulatorMode();
      }
      return switch (text(root, "accumulator_mode", "accumulator_mode")) {
        case "wrap" -> AccumulatorMode.WRAP;
        case "saturate" -> AccumulatorMode.SATURATE;
        default ->
            throw new MachineConfigException(
                file, "accumulator_mode", "expected \"wrap\" or \"saturate\"");
      };
    }

    private RoundingMode rounding(MachineConfig base) throws MachineConfigException {
      if (!root.has("rounding")) {
        return base.roundingMode();
      }
      return switch (text(root, "rounding", "rounding")) {
        case "tflite" -> RoundingMode.TFLITE;
        case "half-even" -> RoundingMode.HALF_EVEN;
        case "truncate" -> RoundingMode.TRUNCATE;
        default ->
            throw new MachineConfigException(
                file, "rounding", "expected \"tflite\", \"half-even\" or \"truncate\"");
      };
    }

    private Map<Scratchpad, MachineConfig.ScratchpadConfig> scratchpads(MachineConfig base)
        throws MachineConfigException {
      Map<Scratchpad, MachineConfig.ScratchpadConfig> spads = new EnumMap<>(base.scratchpads());
      if (!root.has("scratchpads")) {
        return spads;
      }
      ObjectNode sp = object(root.get("scratchpads"), "scratchpads");
      List<String> names = new ArrayList<>();
      for (Scratchpad s : Scratchpad.values()) {
        names.add(s.asmName());
      }
      known(sp, Set.copyOf(names), "scratchpads.");
      for (Scratchpad s : Scratchpad.values()) {
        if (sp.has(s.asmName())) {
          String f = "scratchpads." + s.asmName();
          ObjectNode one = object(sp.get(s.asmName()), f);
          known(one, Set.of("bytes", "banks"), f + ".");
          int bytes = integer(one, "bytes", spads.get(s).bytes(), f + ".bytes");
          int banks = integer(one, "banks", spads.get(s).banks(), f + ".banks");
          spads.put(s, construct(f, () -> new MachineConfig.ScratchpadConfig(bytes, banks)));
        }
      }
      return spads;
    }

    /** The three {@code dma} fields, read together because they share one JSON object. */
    private record Dma(int bytesPerCycle, int setupCycles, int queueDepth) {}

    private Dma dma(MachineConfig base) throws MachineConfigException {
      int dmaBw = base.dmaBytesPerCycle();
      int dmaSetup = base.dmaSetupCycles();
      int dmaDepth = base.dmaQueueDepth();
      if (root.has("dma")) {
        ObjectNode dma = object(root.get("dma"), "dma");
        known(dma, Set.of("bytes_per_cycle", "setup_cycles", "queue_depth"), "dma.");
        dmaBw = integer(dma, "bytes_per_cycle", dmaBw, "dma.bytes_per_cycle");
        dmaSetup = integer(dma, "setup_cycles", dmaSetup, "dma.setup_cycles");
        dmaDepth = integer(dma, "queue_depth", dmaDepth, "dma.queue_depth");
      }
      return new Dma(dmaBw, dmaSetup, dmaDepth);
    }

    private Map<CycleClass, Integer> latencies(MachineConfig base) throws MachineConfigException {
      Map<CycleClass, Integer> lat = new EnumMap<>(base.latencies());
      if (!root.has("latency")) {
        return lat;
      }
      ObjectNode l = object(root.get("latency"), "latency");
      List<String> names = new ArrayList<>();
      for (CycleClass c : CycleClass.values()) {
        names.add(c.name().toLowerCase(Locale.ROOT));
      }
      known(l, Set.copyOf(names), "latency.");
      for (CycleClass c : CycleClass.values()) {
        String k = c.name().toLowerCase(Locale.ROOT);
        lat.put(c, integer(l, k, lat.get(c), "latency." + k));
      }
      return lat;
    }

    private EnergyTable energy(MachineConfig base) throws MachineConfigException {
      EnergyTable e = base.energy();
      if (!root.has("energy_pj")) {
        return e;
      }
      ObjectNode en = object(root.get("energy_pj"), "energy_pj");
      known(
          en,
          Set.of(
              "mac8",
              "acc_add32",
              "requant",
              "scalar_op",
              "dram_per_64b",
              "sram_8k_per_64b",
              "sram_32k_per_64b",
              "sram_1m_per_64b",
              "source"),
          "energy_pj.");
      double mac8 = number(en, "mac8", e.mac8Pj(), "energy_pj.mac8");
      double acc = number(en, "acc_add32", e.accAdd32Pj(), "energy_pj.acc_add32");
      double rq = number(en, "requant", e.requantPj(), "energy_pj.requant");
      double sc = number(en, "scalar_op", e.scalarOpPj(), "energy_pj.scalar_op");
      double dr = number(en, "dram_per_64b", e.dramPjPer64Bits(), "energy_pj.dram_per_64b");
      double s8 = number(en, "sram_8k_per_64b", e.sram8kPjPer64Bits(), "energy_pj.sram_8k_per_64b");
      double s32 =
          number(en, "sram_32k_per_64b", e.sram32kPjPer64Bits(), "energy_pj.sram_32k_per_64b");
      double s1m =
          number(en, "sram_1m_per_64b", e.sram1mPjPer64Bits(), "energy_pj.sram_1m_per_64b");
      return construct("energy_pj", () -> new EnergyTable(mac8, acc, rq, sc, dr, s8, s32, s1m));
    }

    private interface Constructor<T> {
      T get();
    }

    private <T> T construct(String field, Constructor<T> c) throws MachineConfigException {
      try {
        return c.get();
      } catch (IllegalArgumentException e) {
        throw new MachineConfigException(file, field, e.getMessage());
      }
    }

    private void known(ObjectNode node, Set<String> allowed, String prefix)
        throws MachineConfigException {
      Iterator<String> it = node.fieldNames();
      while (it.hasNext()) {
        String f = it.next();
        if (!allowed.contains(f)) {
          List<String> sorted = new ArrayList<>(allowed);
          sorted.sort(null);
          throw new MachineConfigException(
              file, prefix + f, "unknown field (known: " + String.join(", ", sorted) + ")");
        }
      }
    }

    private ObjectNode object(JsonNode n, String field) throws MachineConfigException {
      if (!n.isObject()) {
        throw new MachineConfigException(file, field, "expected an object, got " + n);
      }
      return (ObjectNode) n;
    }

    private String text(ObjectNode node, String key, String field) throws MachineConfigException {
      JsonNode n = node.get(key);
      if (!n.isTextual()) {
        throw new MachineConfigException(file, field, "expected a string, got " + n);
      }
      return n.asText();
    }

    private int integer(ObjectNode node, String key, int fallback) throws MachineConfigException {
      return integer(node, key, fallback, key);
    }

    private int integer(ObjectNode node, String key, int fallback, String field)
        throws MachineConfigException {
      JsonNode n = node.get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isIntegralNumber()) {
        throw new MachineConfigException(file, field, "expected an integer, got " + n);
      }
      if (!n.canConvertToInt()) {
        throw new MachineConfigException(file, field, n + " does not fit in 32 bits");
      }
      return n.intValue();
    }

    private double number(ObjectNode node, String key, double fallback, String field)
        throws MachineConfigException {
      JsonNode n = node.get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isNumber()) {
        throw new MachineConfigException(file, field, "expected a number, got " + n);
      }
      double v = n.doubleValue();
      if (!Double.isFinite(v)) {
        throw new MachineConfigException(
            file, field, "not a finite number (beyond the range of a double)");
      }
      if (field.startsWith("energy_pj.") && v > EnergyTable.MAX_EVENT_PJ) {
        throw new MachineConfigException(
            file,
            field,
            n
                + " pJ is more than "
                + EnergyTable.MAX_EVENT_PJ
                + " pJ (1 mJ) per event, where energy totals would stop being finite");
      }
      return v;
    }
  }
}
