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
 * {@link Engine#PARALLEL} against {@link Engine#INTERPRETER}: the complete machine state and every
 * counter ({@link FastEngineProperties#state}), or the same fault at the same pc after the same
 * steps. The loop-splitting threshold is 0 so that every loop the planner accepts is split, into 2
 * or 3 parts.
 *
 * <p>Three families: the uniform random programs and MAC-heavy programs of {@link
 * FastEngineProperties} (their loops mostly accumulate across iterations: parts must be discarded),
 * and tile loops shaped like the compiled kernels' (fresh accumulators per iteration, affine
 * addresses, a requantize-and-store tail, nested tap loops), mutated to break the conditions a
 * split relies on: an accumulator or vector register carried from one iteration to the next, a
 * quadratic address, partial-lane writes, stores into a scratchpad the loop reads, addresses that
 * leave the scratchpad in a late iteration, nested loops of unknown count, DMA transfers still in
 * flight, narrow saturating accumulators, width tracking and step limits inside the loop.
 */
class ParallelLoopsProperties {
  private static long merged;
  private static long discarded;
  private static long timed;
  private static long epilogueRuns;

  @Test
  void uniformRandomProgramsRunTheSameInParallel() {
    qt().withExamples(300)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              MachineConfig cfg =
                  FastEngineProperties.MACHINES[
                      Math.floorMod(seed, FastEngineProperties.MACHINES.length)];
              Program p = RandomProgramProperties.randomProgram(seed, cfg.lanes());
              compare(cfg, p, seed, 20_000, false, 2 + Math.floorMod(seed, 2));
            });
  }

  @Test
  void macHeavyProgramsRunTheSameInParallel() {
    qt().withExamples(200)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig cfg =
                  FastEngineProperties.MACHINES[r.nextInt(FastEngineProperties.MACHINES.length)];
              Program p = FastEngineProperties.macHeavyProgram(r, cfg);
              long steps = r.nextInt(4) == 0 ? 1 + r.nextInt(400) : 200_000;
              compare(cfg, p, seed, steps, r.nextInt(5) == 0, 2 + r.nextInt(2));
            });
  }

  @Test
  void tileLoopsRunTheSameInParallel() {
    merged = 0;
    discarded = 0;
    timed = 0;
    epilogueRuns = 0;
    qt().withExamples(600)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig cfg =
                  FastEngineProperties.MACHINES[r.nextInt(FastEngineProperties.MACHINES.length)];
              Program p = tileLoopProgram(r, cfg);
              long steps = r.nextInt(5) == 0 ? 50 + r.nextInt(3000) : 2_000_000;
              compare(cfg, p, seed, steps, r.nextInt(5) == 0, 2 + r.nextInt(2));
            });
    // Not vacuous: many parts were merged, and many discarded.
    assertTrue(merged > 250, "only " + merged + " parts merged, " + discarded + " discarded");
    assertTrue(timed > 40, "only " + timed + " parts merged at a predicted cycle");
    assertTrue(discarded > 60, "only " + discarded + " parts discarded, " + merged + " merged");
    // The workers' fused epilogue (its stores logged, FusedEpilogue.storeLog) ran in merged parts.
    assertTrue(epilogueRuns > 1_000, "only " + epilogueRuns + " fused epilogue runs in parts");
  }

  static void compare(
      MachineConfig cfg, Program p, long seed, long maxSteps, boolean track, int parts) {
    byte[] image = new byte[cfg.dramBytes()];
    new Random(seed * 31 + 7).nextBytes(image);
    Machine interpreter = new Machine(cfg, Engine.INTERPRETER);
    Machine parallel = new Machine(cfg, Engine.PARALLEL);
    parallel.setParallelSplit(0, parts);
    interpreter.trackAccumulatorWidth(track);
    parallel.trackAccumulatorWidth(track);
    interpreter.writeDram(0, image);
    parallel.writeDram(0, image);
    String a = RunOutcome.of(interpreter, p, maxSteps);
    String b = RunOutcome.of(parallel, p, maxSteps);
    merged += parallel.parallelParts()[0];
    discarded += parallel.parallelParts()[1];
    timed += parallel.parallelParts()[2];
    epilogueRuns += parallel.parallelParts()[3];
    assertEquals(a, b, "run outcome differs on\n" + p);
    assertEquals(
        FastEngineProperties.state(interpreter),
        FastEngineProperties.state(parallel),
        "machine state differs on\n" + p);
  }

  // ------------------------------------------------------------------ tile loops

  private static final int ACT = Scratchpad.ACT.ordinal();
  private static final int WGT = Scratchpad.WGT.ordinal();
  private static final int PAR = Scratchpad.PAR.ordinal();
  private static final int OUT = Scratchpad.OUT.ordinal();

  /**
   * A compiled kernel's tile loop: per iteration, pixel pointers from a base register, fresh
   * accumulators (vbias or vclr), pixel and weight loads with MACs (sometimes in a nested loop over
   * taps), requantization and stores to the output with a post-incremented pointer, then the base
   * advanced; with one of the mutations listed in the class comment now and then.
   */
  static Program tileLoopProgram(Random r, MachineConfig cfg) {
    int lanes = cfg.lanes();
    List<Instruction> p = new ArrayList<>();
    int vl = r.nextInt(3) == 0 ? 1 + r.nextInt(lanes) : lanes;
    csrwi(p, Csr.ZX, r.nextInt(384) - 128);
    csrwi(p, Csr.ZO, r.nextInt(384) - 128);
    csrwi(p, Csr.VL, vl);
    csrwi(p, Csr.RQMODE, r.nextInt(3) == 0 ? 1 : 0);
    if (r.nextInt(4) == 0) {
      csrwi(p, Csr.ACCMODE, r.nextInt(2));
    }
    // Random bytes into every scratchpad the loop reads; the output scratchpad keeps its zeros.
    for (int s : new int[] {ACT, WGT, PAR}) {
      int size = cfg.scratchpadBytes(Scratchpad.of(s));
      int bytes = Math.min(size, 4096);
      dma(p, s, 0, r.nextInt(cfg.dramBytes() - bytes), 1, bytes);
    }
    p.add(Instruction.of(Opcode.DMA_WAIT, DmaQueue.LD.ordinal(), 0));
    // Requantization registers from random bytes (a random shift often faults: rarely loaded).
    if (r.nextInt(4) == 0) {
      li(p, 1, 4 * r.nextInt(256));
      li(p, 2, 4 * r.nextInt(256));
      p.add(Instruction.of(Opcode.RQLD, 1, 2));
    }
    li(p, 9, r.nextInt(64));
    p.add(Instruction.of(r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8, 31, WGT, 9, 0));
    p.add(Instruction.of(Opcode.VSETZW, 31));
    // Weights kept in registers across the loop (as depthwise kernels keep their taps).
    for (int w = 20; w < 24; w++) {
      li(p, 9, r.nextInt(512));
      p.add(Instruction.of(Opcode.VLD_S8, w, WGT, 9, 0));
    }
    int mutation = r.nextInt(30);
    boolean outstanding = r.nextInt(5) == 0;
    int pixels = 1 + r.nextInt(4);
    int count = 2 + r.nextInt(30);
    int pixelStep = r.nextInt(4) == 0 ? r.nextInt(9) : lanes * (1 + r.nextInt(2));
    int rowStep = r.nextInt(48);
    li(p, 8, r.nextInt(128)); // activation base, advanced per iteration
    int outAt =
        mutation == 1 ? cfg.scratchpadBytes(Scratchpad.OUT) - lanes * (1 + r.nextInt(40)) : 0;
    li(p, 10, outAt); // output pointer, post-incremented
    li(p, 11, 4 * r.nextInt(64)); // bias address
    li(p, 12, 1 + r.nextInt(5)); // a count register for nested loops of unknown count
    if (outstanding) {
      // A transfer still in flight into the end of the activations (sometimes read by the loop:
      // a hazard), its banks busy for a while: bank-conflict stalls depend on the cycle.
      int size = cfg.scratchpadBytes(Scratchpad.of(ACT));
      int bytes = 64 + r.nextInt(Math.min(size / 2, 2048));
      dma(p, ACT, size - bytes, r.nextInt(1024), 1, bytes);
    }
    li(p, 7, count);
    int loopAt = p.size();
    p.add(null);
    for (int i = 0; i < pixels; i++) {
      p.add(Instruction.of(Opcode.ADDI, 16 + i, 8, i * pixelStep));
      boolean fresh = !(mutation == 2 && i == 0);
      if (fresh) {
        if (r.nextInt(3) == 0) {
          p.add(Instruction.of(Opcode.VCLR, i));
        } else {
          p.add(Instruction.of(Opcode.VBIAS, i, 11));
        }
      }
    }
    li(p, 14, r.nextInt(128)); // weight pointer
    boolean nested = r.nextInt(3) == 0;
    int innerAt = -1;
    if (nested) {
      if (mutation == 3) {
        p.add(Instruction.of(Opcode.LOOP, 12, 0)); // count from a register: unknown
      } else {
        li(p, 13, 1 + r.nextInt(4));
        p.add(Instruction.of(Opcode.LOOP, 13, 0));
      }
      innerAt = p.size() - 1;
    }
    int groups = 1 + r.nextInt(3);
    for (int g = 0; g < groups; g++) {
      for (int i = 0; i < pixels; i++) {
        p.add(
            Instruction.of(
                r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8, i, ACT, 16 + i, r.nextInt(3)));
      }
      for (int q = 0; q < 4; q++) {
        p.add(Instruction.of(Opcode.VLD_S8, 8 + q, WGT, 14, lanes));
      }
      for (int i = 0; i < pixels; i++) {
        switch (r.nextInt(4)) {
          case 0 -> p.add(Instruction.of(Opcode.VMAC, i, i, 20 + r.nextInt(4)));
          case 1 -> p.add(Instruction.of(Opcode.VMAC_E, i, i, r.nextInt(lanes), 8));
          default -> p.add(Instruction.of(Opcode.VDOT4, i, i, r.nextInt(lanes / 4), 8));
        }
      }
    }
    if (nested) {
      p.set(innerAt, Instruction.of(Opcode.LOOP, mutation == 3 ? 12 : 13, p.size()));
    }
    for (int i = 0; i < pixels; i++) {
      p.add(Instruction.of(Opcode.VRQ, 4 + i, i));
      if (mutation == 4 && i == 0) {
        p.add(Instruction.of(Opcode.VMAX, 4, 4, 24)); // v24 carried: written after, read here
        p.add(Instruction.of(Opcode.VCLAMP, 24, 4));
      }
      if (mutation == 5 && i == 0) {
        p.add(Instruction.of(Opcode.VMAX, 25, 4, 4)); // a partial write: v25 keeps its tail
      }
      int to = mutation == 6 && i == 0 ? ACT : OUT; // a store into a scratchpad the loop reads
      if (mutation == 7 && i == 0) {
        li(p, 15, 1 + r.nextInt(3));
        p.add(Instruction.of(Opcode.VSTS, 4 + i, to, 10, 15, vl));
      } else {
        p.add(Instruction.of(Opcode.VST, 4 + i, to, 10, vl));
      }
    }
    if (mutation == 8) {
      p.add(Instruction.of(Opcode.MUL, 8, 8, 8)); // a quadratic base: predictions fail
      p.add(Instruction.of(Opcode.ANDI, 8, 8, 1023));
    } else {
      p.add(Instruction.of(Opcode.ADDI, 8, 8, mutation == 9 ? 4000 : rowStep));
    }
    if (mutation == 10) {
      p.add(Instruction.of(Opcode.VACC, 7, 0)); // acc7 accumulates over the iterations
    }
    p.set(loopAt, Instruction.of(Opcode.LOOP, 7, p.size()));
    if (mutation == 11) {
      p.add(Instruction.of(Opcode.VRQ, 26, 7));
    }
    // The output to DRAM, as a kernel ends.
    li(p, 1, 1);
    li(p, 2, 1024);
    li(p, 3, 0);
    li(p, 4, 0);
    p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
    li(p, 5, 0);
    li(p, 6, 0);
    p.add(Instruction.of(Opcode.DMA_ST, OUT, 5, 6));
    p.add(Instruction.of(Opcode.HALT));
    try {
      return Program.of(p);
    } catch (dev.npusim.isa.ProgramException e) {
      throw new AssertionError("generator made an invalid program: " + e.getMessage(), e);
    }
  }

  private static void dma(List<Instruction> p, int spad, int at, int dram, int rows, int bytes) {
    li(p, 1, rows);
    li(p, 2, bytes);
    li(p, 3, 0);
    li(p, 4, 0);
    p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
    li(p, 5, at);
    li(p, 6, dram);
    p.add(Instruction.of(Opcode.DMA_LD, spad, 5, 6));
  }

  private static void li(List<Instruction> p, int reg, int value) {
    p.add(Instruction.of(Opcode.LI, reg, value));
  }

  private static void csrwi(List<Instruction> p, Csr csr, int value) {
    p.add(Instruction.of(Opcode.CSRWI, csr.number(), value));
  }
}
