package dev.npusim.simulator;

import dev.npusim.simulator.CommitRecord.Acc;
import dev.npusim.simulator.CommitRecord.CsrWrite;
import dev.npusim.simulator.CommitRecord.DmaDone;
import dev.npusim.simulator.CommitRecord.DmaIssue;
import dev.npusim.simulator.CommitRecord.DmaShape;
import dev.npusim.simulator.CommitRecord.LaneRegister;
import dev.npusim.simulator.CommitRecord.Memory;
import dev.npusim.simulator.CommitRecord.VReg;
import dev.npusim.simulator.CommitRecord.Write;
import dev.npusim.simulator.CommitRecord.XReg;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Writes a commit log as JSON Lines ({@code docs/commit-log.md}): one object per retired
 * instruction, keys in a fixed order, and a final {@code fault} object if the run faulted.
 *
 * <pre>{@code
 * RunResult r = CommitLogWriter.run(machine, program, maxSteps, Path.of("run.jsonl"));
 * }</pre>
 */
public final class CommitLogWriter implements CommitListener {
  private static final HexFormat HEX = HexFormat.of();

  private final Writer out;
  private final StringBuilder line = new StringBuilder(256);

  public CommitLogWriter(Writer out) {
    this.out = out;
  }

  /**
   * Runs {@code program} on {@code machine} with a commit log written to {@code file}, whole or not
   * at all (a temporary file in the same folder, renamed at the end). The log is kept when the run
   * faults: its last line is the fault.
   */
  public static RunResult run(
      Machine machine, dev.npusim.isa.Program program, long maxSteps, Path file)
      throws SimulationFault, IOException {
    Path target = file.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      RunResult result;
      SimulationFault fault = null;
      try (Writer w =
          new BufferedWriter(Files.newBufferedWriter(temp, StandardCharsets.UTF_8), 1 << 16)) {
        CommitLogWriter log = new CommitLogWriter(w);
        try {
          result = machine.run(program, maxSteps, log);
        } catch (SimulationFault f) {
          fault = f;
          result = null;
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (fault != null) {
        throw fault;
      }
      return result;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public void retired(CommitRecord r) {
    StringBuilder sb = line;
    sb.setLength(0);
    sb.append("{\"cycle\":").append(r.cycle());
    sb.append(",\"pc\":").append(r.pc());
    sb.append(",\"word\":\"").append(String.format("%016x", r.word())).append('"');
    sb.append(",\"mnemonic\":");
    string(sb, r.mnemonic());
    sb.append(",\"insn\":");
    string(sb, r.text());
    sb.append(",\"writes\":[");
    boolean first = true;
    for (Write w : r.writes()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      write(sb, w);
    }
    sb.append("]}\n");
    emit(sb);
  }

  @Override
  public void faulted(SimulationFault f) {
    StringBuilder sb = line;
    sb.setLength(0);
    sb.append("{\"fault\":");
    string(sb, f.kind().name().toLowerCase(Locale.ROOT));
    sb.append(",\"pc\":").append(f.pc());
    sb.append(",\"insn\":");
    string(sb, f.instruction());
    sb.append(",\"reason\":");
    string(sb, f.reason());
    sb.append(",\"retired\":").append(f.steps()).append("}\n");
    emit(sb);
  }

  private void emit(StringBuilder sb) {
    try {
      out.append(sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(StringBuilder sb, Write w) {
    if (w instanceof XReg x) {
      sb.append("{\"kind\":\"x\",\"reg\":")
          .append(x.reg())
          .append(",\"value\":")
          .append(x.value())
          .append('}');
    } else if (w instanceof VReg v) {
      sb.append("{\"kind\":\"v\",\"reg\":").append(v.reg()).append(",\"lanes\":");
      ints(sb, v.lanes());
      sb.append('}');
    } else if (w instanceof Acc a) {
      sb.append("{\"kind\":\"acc\",\"reg\":").append(a.reg()).append(",\"lanes\":[");
      long[] l = a.lanes();
      for (int i = 0; i < l.length; i++) {
        sb.append(i == 0 ? "" : ",").append(l[i]);
      }
      sb.append("]}");
    } else if (w instanceof CsrWrite c) {
      sb.append("{\"kind\":\"csr\",\"name\":");
      string(sb, c.name());
      sb.append(",\"value\":").append(c.value()).append('}');
    } else if (w instanceof LaneRegister l) {
      sb.append("{\"kind\":");
      string(sb, l.name());
      sb.append(",\"lanes\":");
      ints(sb, l.lanes());
      sb.append('}');
    } else if (w instanceof DmaShape d) {
      sb.append("{\"kind\":\"dma_cfg\",\"rows\":")
          .append(d.rows())
          .append(",\"row_bytes\":")
          .append(d.rowBytes())
          .append(",\"dram_stride\":")
          .append(d.dramStride())
          .append(",\"spad_stride\":")
          .append(d.spadStride())
          .append('}');
    } else if (w instanceof Memory m) {
      sb.append("{\"kind\":\"mem\",\"space\":");
      string(sb, m.space());
      sb.append(",\"addr\":")
          .append(m.address())
          .append(",\"rows\":")
          .append(m.rows())
          .append(",\"row_bytes\":")
          .append(m.rowBytes())
          .append(",\"stride\":")
          .append(m.stride())
          .append(",\"hex\":\"")
          .append(HEX.formatHex(m.bytes()))
          .append("\"}");
    } else if (w instanceof DmaIssue d) {
      sb.append("{\"kind\":\"dma_issue\",\"queue\":");
      string(sb, d.queue());
      sb.append(",\"id\":").append(d.id()).append(",\"spad\":");
      string(sb, d.spad());
      sb.append(",\"spad_addr\":")
          .append(d.spadAddress())
          .append(",\"dram_addr\":")
          .append(d.dramAddress())
          .append(",\"rows\":")
          .append(d.rows())
          .append(",\"row_bytes\":")
          .append(d.rowBytes())
          .append(",\"spad_stride\":")
          .append(d.spadStride())
          .append(",\"dram_stride\":")
          .append(d.dramStride())
          .append(",\"start\":")
          .append(d.start())
          .append(",\"complete\":")
          .append(d.complete())
          .append('}');
    } else if (w instanceof DmaDone d) {
      sb.append("{\"kind\":\"dma_done\",\"queue\":");
      string(sb, d.queue());
      sb.append(",\"id\":")
          .append(d.id())
          .append(",\"issued_pc\":")
          .append(d.issuedAt())
          .append(",\"complete\":")
          .append(d.complete())
          .append('}');
    }
  }

  private static void ints(StringBuilder sb, int[] values) {
    sb.append('[');
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ",").append(values[i]);
    }
    sb.append(']');
  }

  /** A JSON string: quotes, backslashes and control characters escaped. */
  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
