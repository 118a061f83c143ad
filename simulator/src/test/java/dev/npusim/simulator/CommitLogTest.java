package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.isa.Scratchpad;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit log ({@code docs/commit-log.md}): exact records for a small program worked by hand,
 * and for random programs a log that changes nothing about the run and is complete: replaying its
 * writes from the reset state rebuilds every register, accumulator, scratchpad and DRAM byte.
 */
class CommitLogTest {
  static final MachineConfig SMALL = MachineConfig.defaults().withLanes(8).withDram(1 << 16);

  static List<CommitRecord> log(Machine m, Program p, long maxSteps) throws SimulationFault {
    List<CommitRecord> records = new ArrayList<>();
    m.run(p, maxSteps, records::add);
    return records;
  }

  @Test
  void aSmallProgramGivesTheRecordsWorkedOutByHand() throws Exception {
    Program p =
        Assembler.assemble(
            """
            li x1, 5
            csrwi zx, -3
            li x2, 1
            li x3, 4
            dma.cfg x2, x3, x0, x0
            dma.ld act, x0, x0
            dma.wait ld, 0
            vld.s8 v1, act, x0, 0
            vst v1, out, x1, 2
            halt
            """,
            "t.s");
    Machine m = new Machine(SMALL);
    m.writeDram(0, new byte[] {1, 2, -3, 4});
    StringWriter out = new StringWriter();
    m.run(p, 100, new CommitLogWriter(out));
    String[] lines = out.toString().split("\n");
    assertEquals(10, lines.length);
    // The word is what `npusim disasm` prints for li x1, 5.
    assertEquals(
        "{\"cycle\":0,\"pc\":0,\"word\":\"0308000000000005\",\"mnemonic\":\"li\","
            + "\"insn\":\"li x1, 5\",\"writes\":[{\"kind\":\"x\",\"reg\":1,\"value\":5}]}",
        lines[0]);
    assertTrue(lines[1].contains("\"writes\":[{\"kind\":\"csr\",\"name\":\"zx\",\"value\":-3}]"));
    assertTrue(
        lines[4].endsWith(
            "\"writes\":[{\"kind\":\"dma_cfg\",\"rows\":1,\"row_bytes\":4,\"dram_stride\":0,"
                + "\"spad_stride\":0}]}"),
        lines[4]);
    // The load's bytes land in act at issue; the transfer is 32 setup + 4 bytes / 16 per cycle.
    assertTrue(
        lines[5].contains(
            "{\"kind\":\"mem\",\"space\":\"act\",\"addr\":0,\"rows\":1,\"row_bytes\":4,"
                + "\"stride\":0,\"hex\":\"0102fd04\"},{\"kind\":\"dma_issue\",\"queue\":\"ld\","
                + "\"id\":0,\"spad\":\"act\",\"spad_addr\":0,\"dram_addr\":0,\"rows\":1,"
                + "\"row_bytes\":4,\"spad_stride\":0,\"dram_stride\":0,"),
        lines[5]);
    assertTrue(
        lines[6].contains("{\"kind\":\"dma_done\",\"queue\":\"ld\",\"id\":0,\"issued_pc\":5"));
    assertTrue(
        lines[7].contains("{\"kind\":\"v\",\"reg\":1,\"lanes\":[1,2,-3,4,0,0,0,0]}"), lines[7]);
    // vst writes 8 lanes at out[5] and post-increments x1 by 2.
    assertTrue(
        lines[8].contains(
            "\"writes\":[{\"kind\":\"x\",\"reg\":1,\"value\":7},{\"kind\":\"mem\",\"space\":\"out\","
                + "\"addr\":5,\"rows\":1,\"row_bytes\":8,\"stride\":0,\"hex\":\"0102fd0400000000\"}]"),
        lines[8]);
    assertTrue(lines[9].contains("\"mnemonic\":\"halt\",\"insn\":\"halt\",\"writes\":[]"));
  }

  @Test
  void aFaultEndsTheLogWithAFaultRecord(@TempDir Path dir) throws Exception {
    Program p = Assembler.assemble("li x1, 99999\nvld.s8 v1, act, x1, 0\nhalt\n", "t.s");
    Path file = dir.resolve("fault.jsonl");
    SimulationFault f =
        assertThrows(
            SimulationFault.class, () -> CommitLogWriter.run(new Machine(SMALL), p, 100, file));
    assertEquals(FaultKind.ADDRESS_OUT_OF_RANGE, f.kind());
    List<String> lines = Files.readAllLines(file);
    assertEquals(2, lines.size());
    assertTrue(
        lines
            .get(1)
            .startsWith(
                "{\"fault\":\"address_out_of_range\",\"pc\":1,\"insn\":\"vld.s8 v1, act, x1, 0\","
                    + "\"reason\":\"load from act[99999..100007)"),
        lines.get(1));
    assertTrue(lines.get(1).endsWith(",\"retired\":1}"));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  /**
   * For random programs: the logged run ends exactly like the fast run, the log has one record per
   * retired instruction, and replaying its writes from the reset state gives the final state.
   */
  @Test
  void randomProgramsLogCompletelyAndUnchanged() {
    Machine fast = new Machine(SMALL);
    Machine logged = new Machine(SMALL);
    qt().withExamples(400)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Program p = RandomProgramProperties.randomProgram(seed, SMALL.lanes());
              fast.clearDram();
              logged.clearDram();
              String a;
              String b;
              List<CommitRecord> records = new ArrayList<>();
              RunResult rf = null;
              RunResult rl = null;
              try {
                rf = fast.run(p, 5_000);
                a = "halt";
              } catch (SimulationFault f) {
                a = f.getMessage();
              }
              try {
                rl = logged.run(p, 5_000, records::add);
                b = "halt";
              } catch (SimulationFault f) {
                b = f.getMessage();
              }
              assertEquals(a, b, p.toString());
              if (rf == null) {
                return;
              }
              assertEquals(rf.steps(), rl.steps());
              assertEquals(rf.cycles(), rl.cycles());
              assertEquals(rf.steps(), records.size());
              replayAndCompare(records, logged, p);
            });
  }

  private static void replayAndCompare(List<CommitRecord> records, Machine m, Program p) {
    int lanes = SMALL.lanes();
    int[] x = new int[32];
    int[][] v = new int[32][lanes];
    long[][] acc = new long[8][lanes];
    byte[][] spads = new byte[Scratchpad.count()][];
    for (Scratchpad s : Scratchpad.values()) {
      spads[s.ordinal()] = new byte[SMALL.scratchpadBytes(s)];
    }
    byte[] dram = new byte[SMALL.dramBytes()];
    for (CommitRecord r : records) {
      for (CommitRecord.Write w : r.writes()) {
        if (w instanceof CommitRecord.XReg xr) {
          x[xr.reg()] = xr.value();
        } else if (w instanceof CommitRecord.VReg vr) {
          v[vr.reg()] = vr.lanes();
        } else if (w instanceof CommitRecord.Acc ar) {
          acc[ar.reg()] = ar.lanes();
        } else if (w instanceof CommitRecord.Memory mem) {
          byte[] target = mem.space().equals("dram") ? dram : spads[spadIndex(mem.space())];
          for (int row = 0; row < mem.rows(); row++) {
            System.arraycopy(
                mem.bytes(),
                row * mem.rowBytes(),
                target,
                (int) (mem.address() + row * mem.stride()),
                mem.rowBytes());
          }
        }
      }
    }
    String where = p.toString();
    for (int i = 0; i < 32; i++) {
      assertEquals(m.x(i), x[i], "x" + i + " of\n" + where);
      assertArrayEquals(m.v(i), v[i], "v" + i + " of\n" + where);
    }
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(m.acc(i), acc[i], "acc" + i + " of\n" + where);
    }
    for (Scratchpad s : Scratchpad.values()) {
      assertArrayEquals(m.scratchpad(s), spads[s.ordinal()], s.asmName() + " of\n" + where);
    }
    assertArrayEquals(m.readDram(0, dram.length), dram, "dram of\n" + where);
  }

  private static int spadIndex(String name) {
    for (Scratchpad s : Scratchpad.values()) {
      if (s.asmName().equals(name)) {
        return s.ordinal();
      }
    }
    throw new AssertionError("no scratchpad " + name);
  }
}
