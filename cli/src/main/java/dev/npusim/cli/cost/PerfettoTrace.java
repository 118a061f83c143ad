package dev.npusim.cli.cost;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.analysis.cost.CostEstimator;
import dev.npusim.analysis.cost.LayerCost;
import dev.npusim.analysis.cost.TraceRecorder;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Scratchpad;
import dev.npusim.simulator.MachineConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes recorded runs as a Chrome trace-event JSON file (the "JSON object format" that
 * ui.perfetto.dev and chrome://tracing open). One process, the machine, with one track (thread) per
 * engine:
 *
 * <ol>
 *   <li>{@code layers}: one slice per layer;
 *   <li>{@code issue (scalar + vector)}: the in-order issue slot, busy slices and stall slices by
 *       cause;
 *   <li>{@code dma ld} and {@code dma st}: one slice per transfer.
 * </ol>
 *
 * Layers follow one another. Times are microseconds at the machine's clock ({@code ts = cycle /
 * clock_mhz}); every slice also carries its exact length in {@code args.cycles}.
 */
public final class PerfettoTrace {
  /** Track ids. */
  public static final int LAYERS = 1;

  public static final int ISSUE = 2;
  public static final int DMA_LD = 3;
  public static final int DMA_ST = 4;

  private PerfettoTrace() {}

  /** Trace bytes for the given layers, in order; each needs a recording. */
  public static byte[] write(
      String title, MachineConfig machine, List<CostEstimator.Traced> layers) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("displayTimeUnit", "ns");
      g.writeObjectFieldStart("otherData");
      g.writeStringField("machine", machine.name());
      g.writeStringField("source", title);
      g.writeNumberField("clock_mhz", machine.clockMhz());
      g.writeStringField("time_unit", "microseconds at clock_mhz; args.cycles is exact");
      g.writeEndObject();
      g.writeArrayFieldStart("traceEvents");
      processName(g, "npusim " + machine.name() + ": " + title);
      threadName(g, LAYERS, "layers");
      threadName(g, ISSUE, "issue (scalar + vector)");
      threadName(g, DMA_LD, "dma ld (DRAM -> scratchpad)");
      threadName(g, DMA_ST, "dma st (scratchpad -> DRAM)");
      long offset = 0;
      for (CostEstimator.Traced t : layers) {
        LayerCost c = t.cost();
        TraceRecorder.Recording r = t.recording();
        slice(
            g,
            machine,
            LAYERS,
            c.name(),
            offset,
            offset + c.cycles(),
            gen -> {
              gen.writeStringField("op", c.op());
              gen.writeNumberField("macs", c.usefulMacs());
              gen.writeStringField("bound", c.bound().key());
              gen.writeNumberField("utilisation", c.utilisation());
            });
        ImmutableLongArray busy = r.busy();
        for (int i = 0; i < busy.length(); i += 2) {
          slice(g, machine, ISSUE, "issue", offset + busy.get(i), offset + busy.get(i + 1), null);
        }
        ImmutableLongArray stalls = r.stalls();
        for (int i = 0; i < stalls.length(); i += 3) {
          String name = TraceRecorder.Stall.values()[(int) stalls.get(i + 2)].label();
          slice(g, machine, ISSUE, name, offset + stalls.get(i), offset + stalls.get(i + 1), null);
        }
        ImmutableLongArray tr = r.transfers();
        for (int i = 0; i < tr.length(); i += 6) {
          DmaQueue q = DmaQueue.values()[(int) tr.get(i)];
          Scratchpad s = Scratchpad.values()[(int) tr.get(i + 1)];
          long b = tr.get(i + 4);
          long pc = tr.get(i + 5);
          slice(
              g,
              machine,
              q == DmaQueue.LD ? DMA_LD : DMA_ST,
              q.asmName() + " " + s.asmName(),
              offset + tr.get(i + 2),
              offset + tr.get(i + 3),
              gen -> {
                gen.writeNumberField("bytes", b);
                gen.writeNumberField("pc", pc);
              });
        }
        offset += c.cycles();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private interface Args {
    void write(JsonGenerator g) throws IOException;
  }

  private static void slice(
      JsonGenerator g, MachineConfig m, int tid, String name, long start, long end, Args args)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("ph", "X");
    g.writeNumberField("pid", 1);
    g.writeNumberField("tid", tid);
    g.writeNumberField("ts", start / m.clockMhz());
    g.writeNumberField("dur", (end - start) / m.clockMhz());
    g.writeObjectFieldStart("args");
    g.writeNumberField("cycles", end - start);
    if (args != null) {
      args.write(g);
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void processName(JsonGenerator g, String name) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", "process_name");
    g.writeStringField("ph", "M");
    g.writeNumberField("pid", 1);
    g.writeObjectFieldStart("args");
    g.writeStringField("name", name);
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void threadName(JsonGenerator g, int tid, String name) throws IOException {
    for (String kind : List.of("thread_name", "thread_sort_index")) {
      g.writeStartObject();
      g.writeStringField("name", kind);
      g.writeStringField("ph", "M");
      g.writeNumberField("pid", 1);
      g.writeNumberField("tid", tid);
      g.writeObjectFieldStart("args");
      if (kind.equals("thread_name")) {
        g.writeStringField("name", name);
      } else {
        g.writeNumberField("sort_index", tid);
      }
      g.writeEndObject();
      g.writeEndObject();
    }
  }
}
