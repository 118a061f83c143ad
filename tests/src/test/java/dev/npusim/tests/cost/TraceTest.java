package dev.npusim.tests.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.analysis.cost.CostEstimator;
import dev.npusim.analysis.cost.NamedLayer;
import dev.npusim.cli.cost.PerfettoTrace;
import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --trace} file is Chrome trace-event JSON, and per engine its slices add up to the busy
 * cycles {@code --json} reports: the issue slot's busy slices to cycles minus stalls, its stall
 * slices to the stalls, each DMA queue's slices to that queue's busy cycles, the layer slices to
 * the total. Slices on one track never overlap, so the viewer shows them side by side.
 */
class TraceTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Per track: sum of args.cycles, and checks every slice's form. */
  private static Map<String, Long> sums(JsonNode trace, double clockMhz) {
    assertTrue(trace.isObject(), "a trace is a JSON object");
    JsonNode events = trace.get("traceEvents");
    assertTrue(events != null && events.isArray(), "traceEvents must be an array");
    Map<String, Long> sums = new HashMap<>();
    Map<Integer, List<long[]>> byTrack = new HashMap<>();
    for (JsonNode e : events) {
      String ph = e.get("ph").asText();
      assertTrue(ph.equals("X") || ph.equals("M"), "phase " + ph);
      assertTrue(e.get("name").isTextual() && e.get("pid").isInt(), e.toString());
      if (ph.equals("M")) {
        continue;
      }
      int tid = e.get("tid").asInt();
      assertTrue(e.get("ts").isNumber() && e.get("dur").isNumber(), e.toString());
      long cycles = e.get("args").get("cycles").asLong();
      assertTrue(cycles >= 0, e.toString());
      assertEquals(cycles / clockMhz, e.get("dur").asDouble(), 1e-9 * Math.max(1, cycles));
      long start = Math.round(e.get("ts").asDouble() * clockMhz);
      byTrack.computeIfAbsent(tid, t -> new ArrayList<>()).add(new long[] {start, cycles});
      String key =
          tid == PerfettoTrace.ISSUE
              ? (e.get("name").asText().startsWith("stall") ? "stall" : "issue")
              : String.valueOf(tid);
      sums.merge(key, cycles, Long::sum);
    }
    for (Map.Entry<Integer, List<long[]>> t : byTrack.entrySet()) {
      List<long[]> s = t.getValue();
      s.sort((a, b) -> Long.compare(a[0], b[0]));
      for (int i = 1; i < s.size(); i++) {
        assertTrue(
            s.get(i - 1)[0] + s.get(i - 1)[1] <= s.get(i)[0],
            "track " + t.getKey() + ": slices overlap at cycle " + s.get(i)[0]);
      }
    }
    return sums;
  }

  private static void assertMatches(Map<String, Long> sums, JsonNode report) {
    long issue = 0;
    long stalls = 0;
    long ld = 0;
    long st = 0;
    long cycles = 0;
    for (JsonNode l : report.get("layers")) {
      issue += l.get("issue_busy_cycles").asLong();
      JsonNode s = l.get("stalls");
      stalls +=
          s.get("dma_wait").asLong()
              + s.get("dma_queue_full").asLong()
              + s.get("bank_conflict").asLong()
              + s.get("dma_drain").asLong();
      ld += l.get("dma_ld_busy_cycles").asLong();
      st += l.get("dma_st_busy_cycles").asLong();
      cycles += l.get("cycles").asLong();
    }
    assertEquals(cycles, issue + stalls, "issue busy + stalls = cycles");
    assertEquals(issue, sums.getOrDefault("issue", 0L), "issue track");
    assertEquals(stalls, sums.getOrDefault("stall", 0L), "stall slices");
    assertEquals(ld, sums.getOrDefault(String.valueOf(PerfettoTrace.DMA_LD), 0L), "dma ld track");
    assertEquals(st, sums.getOrDefault(String.valueOf(PerfettoTrace.DMA_ST), 0L), "dma st track");
    assertEquals(cycles, sums.get(String.valueOf(PerfettoTrace.LAYERS)), "layers track");
  }

  @Test
  void aTiledLayerThroughTheCommandLine() throws Exception {
    GoldenCase c =
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_INT8)
                .input(1, 24, 24, 40)
                .kernel(3, 3)
                .padding(Padding.same())
                .build(),
            5);
    Path file = dir.resolve("case.json");
    CaseWriter.write(c, file);
    Path trace = dir.resolve("t.json");
    Path json = dir.resolve("e.json");
    Cli r =
        Cli.run(
            "estimate",
            file.toString(),
            "--machine",
            "nvdla-small-like",
            "--trace",
            trace.toString(),
            "--json",
            json.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode report = JSON.readTree(json.toFile());
    Map<String, Long> sums = sums(JSON.readTree(trace.toFile()), 1000.0);
    assertMatches(sums, report);
    // DMA ran beside compute: both engines were busy.
    assertTrue(sums.get(String.valueOf(PerfettoTrace.DMA_LD)) > 0);
    assertTrue(sums.get("issue") > 0);
  }

  @Test
  void severalLayersFollowOneAnother() throws Exception {
    MachineConfig m = MachineConfig.defaults().withClockMhz(250);
    List<NamedLayer> layers = new ArrayList<>();
    CaseSpec dw =
        CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_INT8)
            .input(1, 32, 32, 64)
            .kernel(3, 3)
            .padding(Padding.same())
            .build();
    CaseSpec pw =
        CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
            .input(1, 32, 32, 64)
            .outputChannels(128)
            .padding(Padding.same())
            .build();
    CaseSpec fc =
        CaseSpec.builder(LayerKind.FULLY_CONNECTED, Semantics.TFLITE_INT8)
            .input(4, 1, 1, 256)
            .outputChannels(100)
            .build();
    layers.add(new NamedLayer("dw", CaseGenerator.generate(dw, 1).layer()));
    layers.add(new NamedLayer("pw", CaseGenerator.generate(pw, 1).layer()));
    layers.add(new NamedLayer("fc", CaseGenerator.generate(fc, 1).layer()));
    List<CostEstimator.Traced> runs = CostEstimator.network(layers, m, 2, true);
    Path trace = dir.resolve("net.json");
    Files.write(trace, PerfettoTrace.write("three layers", m, runs));
    JsonNode t = JSON.readTree(trace.toFile());
    Map<String, Long> sums = sums(t, 250.0);
    long issue = 0;
    long cycles = 0;
    long ld = 0;
    for (CostEstimator.Traced r : runs) {
      issue += r.cost().issueBusyCycles();
      cycles += r.cost().cycles();
      ld += r.cost().run().dma().loadBusyCycles();
    }
    assertEquals(issue, sums.get("issue"));
    assertEquals(ld, sums.get(String.valueOf(PerfettoTrace.DMA_LD)));
    assertEquals(cycles, sums.get(String.valueOf(PerfettoTrace.LAYERS)));
  }

  @Test
  void aProgramWithoutLayers() throws Exception {
    Path s = dir.resolve("p.s");
    Files.writeString(
        s,
        """
            li   x1, 1
            li   x2, 4096
            dma.cfg x1, x2, x0, x0
            dma.ld act, x0, x0
            li   x7, 100
            loop x7, end
            vmac acc0, v1, v2
        end:
            dma.wait ld, 0
            dma.st out, x0, x0
            halt
        """);
    Path trace = dir.resolve("p-trace.json");
    Path json = dir.resolve("p-report.json");
    Cli r =
        Cli.run("estimate", s.toString(), "--trace", trace.toString(), "--json", json.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertMatches(sums(JSON.readTree(trace.toFile()), 1000.0), JSON.readTree(json.toFile()));
  }
}
