package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.isa.Csr;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Program;
import dev.npusim.isa.Scratchpad;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast engine's direct shared blocks ({@code FusedBlocks.runDirect}: terms and weight rows read
 * from the scratchpads' bytes) and their runs of several loop iterations at once ({@code
 * FusedBlocks.runInLoop}) against the interpreter, on complete state and every counter ({@link
 * FastEngineProperties#compare}).
 *
 * <p>The programs are the compiled pointwise and Conv2d_0 kernels' inner loop: a hardware loop
 * whose whole body is one block of pixel loads, groups of four weight rows and a vdot4 (or vmac.e)
 * per pixel and group. Around it, what must make the fast engine fall back or stop early: loop
 * counts from 1 to 40 and around one and two runs of {@code runInLoop}, addresses that leave the
 * scratchpad after some iterations (forward and backward), DMA transfers left in flight over the
 * bytes of a later iteration, biases that overflow the accumulator after some iterations (16 to
 * 48-bit, wrap and saturate), step limits inside the loop, vl below the lanes the terms read,
 * weights of mixed signedness or scratchpads, terms that are not a run of one load's lanes, a pixel
 * address register set from another register (not repeatable), and width tracking on in a third of
 * the runs (direct blocks of vdot4s and their loops then run on {@code runDirectTracked}, whose
 * watermark must be the interpreter's: {@link FastEngineProperties#state} compares it exactly).
 */
class DirectBlockProperties {
  private static final int X_PIXEL0 = 16;
  private static final int X_WGT = 14;
  private static final int X_BASE = 15;
  private static final int X_OUT = 24;

  private static long directTotal;

  private static long repeatedTotal;

  private static long fusedTotal;

  private static long trackedDirectTotal;

  private static long trackedRepeatedTotal;

  private static final long TRACKED_DIRECT = 400;

  private static final long TRACKED_REPEATED = 10;

  @Test
  void directBlocksAndTheirLoopsRunTheSameOnBothEngines() {
    directTotal = 0;
    repeatedTotal = 0;
    fusedTotal = 0;
    trackedDirectTotal = 0;
    trackedRepeatedTotal = 0;
    qt().withExamples(700)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              // Mostly machines whose accumulators leave room for many blocks (32 and 48 bits).
              MachineConfig[] machines = FastEngineProperties.MACHINES;
              MachineConfig cfg =
                  r.nextInt(4) == 0
                      ? machines[r.nextInt(machines.length)]
                      : machines[new int[] {0, 1, 4}[r.nextInt(3)]];
              Program p = tileLoopProgram(r, cfg, false);
              long steps = r.nextInt(5) == 0 ? 1 + r.nextInt(3000) : 1_000_000;
              boolean track = r.nextInt(3) == 0;
              byte[] image = track && r.nextBoolean() ? runsOfEqualBytes(r, cfg) : image(r, cfg);
              Machine fast = FastEngineProperties.compare(cfg, p, image, steps, track);
              FusedBlocks f = fast.core().fused;
              if (f != null) {
                directTotal += f.directRuns;
                repeatedTotal += f.repeatedRuns;
                fusedTotal += f.fusedRuns;
                trackedDirectTotal += f.trackedDirectRuns;
                trackedRepeatedTotal += f.trackedRepeatedRuns;
              }
            });
    // Not vacuous: direct blocks ran, most of them several loop iterations at once, and others
    // fell back to one iteration or to the other paths.
    assertTrue(directTotal > 2_000, "only " + directTotal + " direct blocks ran");
    assertTrue(repeatedTotal > 120, "only " + repeatedTotal + " runs of several iterations");
    assertTrue(fusedTotal > directTotal, "no fused block ran other than direct");
    // With width tracking too (a third of the runs), on the direct path and whole loops at once.
    assertTrue(
        trackedDirectTotal > TRACKED_DIRECT,
        "only " + trackedDirectTotal + " tracked direct blocks ran");
    assertTrue(
        trackedRepeatedTotal > TRACKED_REPEATED,
        "only " + trackedRepeatedTotal + " tracked runs of several iterations");
  }

  /**
   * The same loops inside an outer loop on the parallel engine, split into 2 or 3 parts: a worker
   * runs the inner loops of its part several iterations at once too ({@code
   * ParallelLoops.runIterations}).
   */
  @Test
  void directLoopsRunTheSameInParallelParts() {
    long[] merged = {0};
    qt().withExamples(200)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig[] machines = FastEngineProperties.MACHINES;
              MachineConfig cfg = machines[new int[] {0, 1, 4}[r.nextInt(3)]];
              Program p = tileLoopProgram(r, cfg, true);
              long steps = r.nextInt(5) == 0 ? 1 + r.nextInt(3000) : 1_000_000;
              Machine interpreter = new Machine(cfg, Engine.INTERPRETER);
              Machine parallel = new Machine(cfg, Engine.PARALLEL);
              parallel.setParallelSplit(0, 2 + r.nextInt(2));
              byte[] image = image(r, cfg);
              interpreter.writeDram(0, image);
              parallel.writeDram(0, image);
              String a = RunOutcome.of(interpreter, p, steps);
              String b = RunOutcome.of(parallel, p, steps);
              merged[0] += parallel.parallelParts()[0];
              assertEquals(a, b, "run outcome differs on\n" + p);
              assertEquals(
                  FastEngineProperties.state(interpreter),
                  FastEngineProperties.state(parallel),
                  "machine state differs on\n" + p);
            });
    assertTrue(merged[0] > MERGED_PARTS, "only " + merged[0] + " parts merged");
  }

  private static final long MERGED_PARTS = 80;

  /** Random DRAM, often with runs of equal bytes (large activations and weights: overflows). */
  private static byte[] image(Random r, MachineConfig cfg) {
    byte[] image = new byte[cfg.dramBytes()];
    r.nextBytes(image);
    if (r.nextInt(3) == 0) {
      byte b = (byte) (r.nextBoolean() ? 0xFF : 0x80);
      for (int i = 0; i < image.length; i++) {
        if (r.nextInt(4) != 0) {
          image[i] = b;
        }
      }
    }
    return image;
  }

  /**
   * DRAM constant over runs of 64 bytes: a row's lanes are equal, so the watermark ORs few distinct
   * partial sums, and one that is missed (say, all but the last vdot4's) shows in it.
   */
  private static byte[] runsOfEqualBytes(Random r, MachineConfig cfg) {
    byte[] image = new byte[cfg.dramBytes()];
    r.nextBytes(image);
    for (int at = 0; at < image.length; at += 64) {
      java.util.Arrays.fill(image, at, Math.min(image.length, at + 64), image[at]);
    }
    return image;
  }

  /**
   * Control registers, scratchpads from DRAM, zero points, biases, then a hardware loop (sometimes
   * inside another) whose body is one tile block, then a requantize-and-store tail.
   */
  static Program tileLoopProgram(Random r, MachineConfig cfg, boolean alwaysOuter) {
    int lanes = cfg.lanes();
    List<Instruction> p = new ArrayList<>();
    csrwi(p, Csr.ZX, r.nextInt(384) - 128);
    csrwi(p, Csr.VL, r.nextInt(4) == 0 ? 1 + r.nextInt(lanes) : lanes);
    if (r.nextInt(4) == 0) {
      csrwi(p, Csr.ACCMODE, r.nextInt(2));
    }
    int wgtBytes = cfg.scratchpadBytes(Scratchpad.WGT);
    int actBytes = cfg.scratchpadBytes(Scratchpad.ACT);
    for (Scratchpad s : new Scratchpad[] {Scratchpad.ACT, Scratchpad.WGT, Scratchpad.PAR}) {
      int bytes = Math.min(cfg.scratchpadBytes(s), 4096);
      dmaLoad(p, s, 0, bytes, r.nextInt(cfg.dramBytes() - bytes));
    }
    p.add(Instruction.of(Opcode.DMA_WAIT, DmaQueue.LD.ordinal(), 0));
    li(p, 9, r.nextInt(1024));
    p.add(Instruction.of(r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8, 31, 1, 9, 0));
    p.add(Instruction.of(Opcode.VSETZW, 31));
    int pixels = 1 + r.nextInt(8);
    int biases = r.nextInt(5); // 0, 1: biases for some pixels; else clear accumulators
    if (!alwaysOuter) {
      freshAccumulators(p, r, pixels, biases);
    }
    // A transfer left in flight, often over bytes that only a later iteration reads.
    boolean inFlight = r.nextInt(4) == 0;
    if (inFlight) {
      Scratchpad s = r.nextBoolean() ? Scratchpad.ACT : Scratchpad.WGT;
      int size = cfg.scratchpadBytes(s);
      int bytes = 16 + r.nextInt(256);
      dmaLoad(p, s, r.nextInt(Math.min(size, 4096) - bytes), bytes, r.nextInt(1 << 12));
    }
    boolean outer = alwaysOuter || r.nextInt(3) == 0;
    int outerAt = -1;
    if (outer) {
      // With alwaysOuter, a compiled tile loop the parallel engine can split: fresh accumulators,
      // pixels from a base advanced per iteration, outputs stored through a post-increment.
      li(p, X_BASE, r.nextInt(256));
      li(p, X_OUT, 0);
      li(p, 6, alwaysOuter ? 2 + r.nextInt(6) : 1 + r.nextInt(3));
      outerAt = p.size();
      p.add(null);
    }
    // Pixel and weight addresses: inside, near an end (later iterations leave), or outside.
    int actInc = pick(r, new int[] {lanes, lanes, 4, 0, -lanes, 3});
    if (alwaysOuter) {
      freshAccumulators(p, r, pixels, biases);
    }
    for (int i = 0; i < pixels; i++) {
      if (alwaysOuter) {
        p.add(Instruction.of(Opcode.ADDI, X_PIXEL0 + i, X_BASE, i * lanes));
      } else {
        li(p, X_PIXEL0 + i, address(r, Math.min(actBytes, 4096), lanes));
      }
    }
    int wgtInc = pick(r, new int[] {lanes, lanes, lanes, 0, -lanes, 1});
    li(p, X_WGT, address(r, Math.min(wgtBytes, 4096), lanes));
    boolean broadcast = r.nextInt(5) == 0;
    int groups = 1 + r.nextInt(Math.min(8, lanes / 4));
    // Counts around one and two runs of FusedBlocks.runInLoop (1024 terms per accumulator).
    int repeat = 1024 / (broadcast ? groups : 4 * groups);
    int count =
        r.nextInt(4) == 0
            ? repeat - 1 + r.nextInt(3) + (r.nextBoolean() ? repeat : 0)
            : 1 + r.nextInt(r.nextBoolean() ? 40 : 4);
    li(p, 7, count);
    int loopAt = p.size();
    p.add(null);
    // The body: pixels, then groups of four weight rows, each into every pixel's accumulator.
    boolean fromOther = r.nextInt(10) == 0;
    for (int i = 0; i < pixels; i++) {
      if (fromOther && i == 0) {
        p.add(Instruction.of(Opcode.ADDI, X_PIXEL0, X_PIXEL0 + pixels - 1, lanes));
      }
      p.add(
          Instruction.of(
              opcode(r, r.nextInt(12) != 0), i, Scratchpad.ACT.ordinal(), X_PIXEL0 + i, actInc));
    }
    boolean dense = r.nextInt(4) != 0;
    boolean weightsSigned = r.nextBoolean();
    boolean mixed = r.nextInt(10) == 0;
    for (int g = 0; g < groups; g++) {
      for (int q = 0; q < 4; q++) {
        int spad = mixed && r.nextBoolean() ? Scratchpad.ACT.ordinal() : Scratchpad.WGT.ordinal();
        boolean signed = mixed ? r.nextBoolean() : weightsSigned;
        p.add(Instruction.of(signed ? Opcode.VLD_S8 : Opcode.VLD_U8, 8 + q, spad, X_WGT, wgtInc));
      }
      int lane = dense ? g : r.nextInt(lanes / 4);
      for (int i = 0; i < pixels; i++) {
        if (broadcast) {
          p.add(Instruction.of(Opcode.VMAC_E, i, i, 4 * lane + r.nextInt(4), 8 + g % 4));
        } else {
          p.add(Instruction.of(Opcode.VDOT4, i, i, lane, 8));
        }
      }
    }
    if (actInc == 4 && r.nextBoolean()) {
      // Conv2d_0's pixel step: an addi per pixel inside the block.
      for (int i = 0; i < pixels; i++) {
        p.add(Instruction.of(Opcode.ADDI, X_PIXEL0 + i, X_PIXEL0 + i, -1));
      }
    }
    p.set(loopAt, Instruction.of(Opcode.LOOP, 7, p.size()));
    if (alwaysOuter) {
      for (int i = 0; i < pixels; i++) {
        p.add(Instruction.of(Opcode.VRQ, 20 + i % 4, i));
        p.add(Instruction.of(Opcode.VST, 20 + i % 4, Scratchpad.OUT.ordinal(), X_OUT, lanes));
      }
      p.add(Instruction.of(Opcode.ADDI, X_BASE, X_BASE, r.nextInt(3) * lanes));
    }
    if (outer) {
      p.add(Instruction.of(Opcode.NOP));
      p.set(outerAt, Instruction.of(Opcode.LOOP, 6, p.size()));
    }
    for (int i = 0; i < Math.min(2, pixels); i++) {
      p.add(Instruction.of(Opcode.VRQ, 20 + i, i));
      li(p, 13, r.nextInt(1024));
      p.add(Instruction.of(Opcode.VST, 20 + i, Scratchpad.OUT.ordinal(), 13, lanes));
    }
    p.add(Instruction.of(Opcode.HALT));
    try {
      return Program.of(p);
    } catch (dev.npusim.isa.ProgramException e) {
      throw new AssertionError("generator made an invalid program: " + e.getMessage(), e);
    }
  }

  /** Per pixel, vbias from random bytes (often huge: later iterations overflow) or vclr. */
  private static void freshAccumulators(List<Instruction> p, Random r, int pixels, int biases) {
    for (int i = 0; i < pixels; i++) {
      if (biases < 2 && r.nextInt(3) != 0) {
        li(p, 12, 4 * r.nextInt(128));
        p.add(Instruction.of(Opcode.VBIAS, i, 12));
      } else {
        p.add(Instruction.of(Opcode.VCLR, i));
      }
    }
  }

  private static int address(Random r, int size, int lanes) {
    return switch (r.nextInt(8)) {
      case 0 -> size - lanes - r.nextInt(8 * lanes);
      case 1 -> r.nextInt(8 * lanes);
      case 2 -> size - r.nextInt(lanes);
      default -> r.nextInt(size / 2);
    };
  }

  private static Opcode opcode(Random r, boolean unsigned) {
    return unsigned ? Opcode.VLD_U8 : Opcode.VLD_S8;
  }

  private static int pick(Random r, int[] choices) {
    return choices[r.nextInt(choices.length)];
  }

  private static void dmaLoad(List<Instruction> p, Scratchpad s, int at, int bytes, long from) {
    li(p, 1, 1);
    li(p, 2, bytes);
    li(p, 3, 0);
    li(p, 4, 0);
    p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
    li(p, 5, at);
    li(p, 6, (int) from);
    p.add(Instruction.of(Opcode.DMA_LD, s.ordinal(), 5, 6));
  }

  private static void li(List<Instruction> p, int reg, int value) {
    p.add(Instruction.of(Opcode.LI, reg, value));
  }

  private static void csrwi(List<Instruction> p, Csr csr, int value) {
    p.add(Instruction.of(Opcode.CSRWI, csr.number(), value));
  }
}
