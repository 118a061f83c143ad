package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.isa.Csr;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Program;
import dev.npusim.isa.Scratchpad;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Engine#FAST} against {@link Engine#INTERPRETER}: random programs run both ways must leave
 * the complete machine state identical (scalar, vector and accumulator registers, control
 * registers, zero points and requantization registers, the hardware-loop stack, every scratchpad,
 * DRAM) and every counter (cycles, steps, hits and lanes per pc, stalls, DMA statistics, overflows,
 * saturations, accumulator width), or fault at the same pc with the same message after the same
 * number of steps.
 *
 * <p>Two program families: the uniform random programs of {@link RandomProgramProperties} (every
 * opcode, mostly faults), and MAC-heavy programs shaped like compiled layers, whose hardware loops
 * run blocks of loads, {@code addi} and MACs that the fast engine fuses, with the conditions that
 * must make it fall back: addresses out of range, DMA transfers still outstanding (hazards and
 * bank-conflict stalls), accumulators near overflow (biases up to 2^31, 16 to 48-bit accumulators
 * that wrap or saturate), and step limits inside a block; two fifths of them track the accumulator
 * width, which blocks must reproduce partial sum by partial sum. Random compiled layers are
 * compared in the {@code tests} module ({@code FastEngineLayerProperties}).
 */
class FastEngineProperties {
  static final MachineConfig[] MACHINES = {
    MachineConfig.defaults().withLanes(8).withDram(1 << 16),
    MachineConfig.defaults().withDram(1 << 16),
    MachineConfig.defaults()
        .withLanes(20)
        .withDram(1 << 16)
        .withAccumulator(24, AccumulatorMode.SATURATE),
    MachineConfig.defaults()
        .withLanes(16)
        .withDram(1 << 16)
        .withAccumulator(16, AccumulatorMode.WRAP)
        .withScratchpad(Scratchpad.ACT, 2048, 2),
    MachineConfig.defaults()
        .withLanes(32)
        .withDram(1 << 16)
        .withAccumulator(48, AccumulatorMode.WRAP),
  };

  @Test
  void uniformRandomProgramsRunTheSameOnBothEngines() {
    qt().withExamples(800)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              MachineConfig cfg = MACHINES[Math.floorMod(seed, MACHINES.length)];
              Program p = RandomProgramProperties.randomProgram(seed, cfg.lanes());
              compare(cfg, p, seed, 20_000, false);
            });
  }

  @Test
  void macHeavyProgramsRunTheSameOnBothEngines() {
    fusedTotal = 0;
    sharedTotal = 0;
    trackedSharedTotal = 0;
    trackedLaneTotal = 0;
    qt().withExamples(800)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig cfg = MACHINES[r.nextInt(MACHINES.length)];
              Program p = macHeavyProgram(r, cfg);
              long steps = r.nextInt(4) == 0 ? 1 + r.nextInt(400) : 200_000;
              compare(cfg, p, seed, steps, r.nextInt(5) < 2);
            });
    // Not vacuous: the fast engine did fuse blocks, many times, shared blocks among them.
    org.junit.jupiter.api.Assertions.assertTrue(
        fusedTotal > 1_000, "only " + fusedTotal + " blocks ran fused");
    org.junit.jupiter.api.Assertions.assertTrue(
        sharedTotal > 300, "only " + sharedTotal + " shared blocks ran fused");
    // With width tracking too, by the tracked matrix product and the tracked lane kernels.
    org.junit.jupiter.api.Assertions.assertTrue(
        trackedSharedTotal > 50, "only " + trackedSharedTotal + " tracked shared blocks ran fused");
    org.junit.jupiter.api.Assertions.assertTrue(
        trackedLaneTotal > 200, "only " + trackedLaneTotal + " tracked lane kernels ran");
  }

  /**
   * Width tracking over one fused block from clear accumulators, often on data that is constant
   * over runs of 64 bytes so that the lanes hold few distinct values: the watermark then ORs few
   * partial sums, and an instruction's partial sums that the fast engine failed to see, or saw at
   * the wrong point, change its bits (runs over random bytes OR so many sums that their low and
   * middle bits are all set, and a kernel that saw only each block's final sums went unnoticed).
   */
  @Test
  void trackedSingleBlocksRunTheSameOnBothEngines() {
    trackedSharedTotal = 0;
    trackedLaneTotal = 0;
    vmacTotal = 0;
    qt().withExamples(600)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig cfg = MACHINES[r.nextInt(MACHINES.length)];
              Program p = singleBlockProgram(r, cfg);
              byte[] image = new byte[cfg.dramBytes()];
              r.nextBytes(image);
              if (r.nextInt(4) != 0) {
                for (int at = 0; at < image.length; at += 64) {
                  Arrays.fill(image, at, Math.min(image.length, at + 64), image[at]);
                }
              }
              compare(cfg, p, image, 10_000, true);
            });
    org.junit.jupiter.api.Assertions.assertTrue(
        trackedSharedTotal > 150,
        "only " + trackedSharedTotal + " tracked shared blocks ran fused");
    // The broadcast tiles' accumulators on the tracked lane kernel, depthwise taps on the vmac one.
    org.junit.jupiter.api.Assertions.assertTrue(
        trackedLaneTotal > 100, "only " + trackedLaneTotal + " tracked lane kernels ran");
    org.junit.jupiter.api.Assertions.assertTrue(
        vmacTotal > 100, "only " + vmacTotal + " tracked vmac blocks ran");
  }

  /**
   * Depthwise kernels' blocks (vmacs only, weights often in registers from before the block), with
   * and without width tracking, from clear accumulators and often on data constant over 64 bytes as
   * in {@link #trackedSingleBlocksRunTheSameOnBothEngines}: the fast engine runs them on its vmac
   * kernels ({@link FusedBlocks#vmacRuns}), zw subtracted inside the kernel.
   */
  @Test
  void depthwiseBlocksRunTheSameOnBothEngines() {
    long[] vmacRuns = new long[2];
    qt().withExamples(400)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig cfg = MACHINES[r.nextInt(MACHINES.length)];
              Program p = singleBlockProgram(r, cfg, true);
              byte[] image = new byte[cfg.dramBytes()];
              r.nextBytes(image);
              if (r.nextInt(4) != 0) {
                for (int at = 0; at < image.length; at += 64) {
                  Arrays.fill(image, at, Math.min(image.length, at + 64), image[at]);
                }
              }
              boolean track = r.nextBoolean();
              Machine fast = compare(cfg, p, image, 10_000, track);
              if (fast.core().fused != null) {
                vmacRuns[track ? 1 : 0] += fast.core().fused.vmacRuns;
              }
            });
    org.junit.jupiter.api.Assertions.assertTrue(
        vmacRuns[0] > 100, "only " + vmacRuns[0] + " untracked vmac blocks ran fused");
    org.junit.jupiter.api.Assertions.assertTrue(
        vmacRuns[1] > 100, "only " + vmacRuns[1] + " tracked vmac blocks ran fused");
  }

  private static long fusedTotal;

  private static long sharedTotal;

  private static long trackedSharedTotal;

  private static long trackedLaneTotal;

  private static long vmacTotal;

  /** Runs the program on both engines from the same DRAM image and compares everything. */
  static void compare(MachineConfig cfg, Program p, long seed, long maxSteps, boolean track) {
    byte[] image = new byte[cfg.dramBytes()];
    new Random(seed * 31 + 7).nextBytes(image);
    compare(cfg, p, image, maxSteps, track);
  }

  /**
   * Runs the program on both engines from the given DRAM image and compares everything.
   *
   * @return the fast engine's machine, for its plan's counters
   */
  static Machine compare(MachineConfig cfg, Program p, byte[] image, long maxSteps, boolean track) {
    Machine interpreter = new Machine(cfg, Engine.INTERPRETER);
    Machine fast = new Machine(cfg, Engine.FAST);
    interpreter.trackAccumulatorWidth(track);
    fast.trackAccumulatorWidth(track);
    interpreter.writeDram(0, image);
    fast.writeDram(0, image);
    String a = RunOutcome.of(interpreter, p, maxSteps);
    String b = RunOutcome.of(fast, p, maxSteps);
    if (fast.core().fused != null) {
      fusedTotal += fast.core().fused.fusedRuns;
      sharedTotal += fast.core().fused.sharedRuns;
      trackedSharedTotal += fast.core().fused.trackedSharedRuns;
      trackedLaneTotal += fast.core().fused.trackedLaneRuns;
      vmacTotal += fast.core().fused.vmacRuns;
    }
    assertEquals(a, b, "run outcome differs on\n" + p);
    assertEquals(state(interpreter), state(fast), "machine state differs on\n" + p);
    return fast;
  }

  /** Every piece of architectural state and every counter of the core, as text. */
  static String state(Machine m) {
    Executor c = m.core();
    StringBuilder sb = new StringBuilder();
    sb.append("x=").append(Arrays.toString(c.x)).append('\n');
    for (int i = 0; i < Executor.VREGS; i++) {
      sb.append("v").append(i).append('=').append(Arrays.toString(c.v[i])).append('\n');
    }
    for (int i = 0; i < AccumulatorFile.REGISTERS; i++) {
      sb.append("acc").append(i).append('=').append(Arrays.toString(c.accs.lanes[i])).append('\n');
    }
    sb.append("zw=").append(Arrays.toString(c.zw)).append('\n');
    sb.append("rqM=").append(Arrays.toString(c.rqM)).append(" rqS=").append(Arrays.toString(c.rqS));
    sb.append("\ncsr zx=").append(c.zx).append(" zo=").append(c.zo).append(" amin=").append(c.amin);
    sb.append(" amax=").append(c.amax).append(" rmode=").append(c.rounding);
    sb.append(" rqmode=").append(c.requantMode).append(" otype=").append(c.outputType);
    sb.append(" accmode=").append(c.accs.saturate).append(" vl=").append(c.vl).append('\n');
    sb.append("loops top=").append(c.loopTop);
    for (int i = 0; i <= c.loopTop; i++) {
      sb.append(" [").append(c.loopStart[i]).append(',').append(c.loopEnd[i]);
      sb.append(',').append(c.loopCount[i]).append(']');
    }
    sb.append("\ncycle=").append(c.cycle).append(" steps=").append(c.steps);
    sb.append(" drain=").append(c.drainStall);
    sb.append(" outputs=").append(Arrays.toString(c.outputCounts));
    sb.append(" overflows=").append(c.accs.overflows);
    sb.append(" magnitudeBits=").append(c.accs.magnitudeBits).append('\n');
    sb.append("hits=").append(Arrays.toString(c.hits)).append('\n');
    sb.append("units=").append(Arrays.toString(c.units)).append('\n');
    DmaEngine d = c.dma;
    sb.append("dma moved=").append(Arrays.toString(d.bytesMoved));
    sb.append(" transfers=").append(Arrays.toString(d.transfers));
    sb.append(" busy=").append(Arrays.toString(d.busyCycles));
    sb.append(" stalls=").append(d.waitStalls).append('/').append(d.queueFullStalls);
    sb.append('/').append(d.bankConflictStalls);
    sb.append(" outstanding=").append(d.outstanding(0)).append('/').append(d.outstanding(1));
    sb.append('\n');
    for (byte[] s : c.spads) {
      sb.append("spad ").append(Arrays.hashCode(s)).append('\n');
    }
    sb.append("dram ").append(Arrays.hashCode(c.dram));
    return sb.toString();
  }

  // ------------------------------------------------------------------ MAC-heavy programs

  private static final int X_ADDR0 = 8;
  private static final int X_ADDRS = 8;

  /**
   * A program shaped like a compiled layer: control registers, DMA of random DRAM bytes into the
   * scratchpads (sometimes without waiting), zero points, biases, then nested hardware loops whose
   * bodies are runs of loads, {@code addi} and MACs, and a requantize-and-store tail.
   */
  static Program macHeavyProgram(Random r, MachineConfig cfg) {
    int lanes = cfg.lanes();
    List<Instruction> p = new ArrayList<>();
    csrwi(p, Csr.ZX, r.nextInt(384) - 128);
    csrwi(p, Csr.VL, r.nextInt(3) == 0 ? 1 + r.nextInt(lanes) : lanes);
    if (r.nextInt(4) == 0) {
      csrwi(p, Csr.ACCMODE, r.nextInt(2));
    }
    if (r.nextInt(3) == 0) {
      csrwi(p, Csr.RQMODE, 1);
    }
    boolean waited = r.nextInt(4) != 0;
    int wgtLoaded = 0;
    for (Scratchpad s :
        new Scratchpad[] {Scratchpad.ACT, Scratchpad.WGT, Scratchpad.PAR, Scratchpad.OUT}) {
      if (s == Scratchpad.OUT && r.nextBoolean()) {
        continue;
      }
      int size = cfg.scratchpadBytes(s);
      int bytes = Math.min(size, 64 + r.nextInt(4096));
      li(p, 1, 1);
      li(p, 2, bytes);
      li(p, 3, 0);
      li(p, 4, 0);
      p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
      int at = r.nextInt(Math.max(1, size - bytes + 1));
      if (s == Scratchpad.WGT) {
        wgtLoaded = at;
      }
      li(p, 5, at);
      li(p, 6, r.nextInt(cfg.dramBytes() - bytes));
      p.add(Instruction.of(Opcode.DMA_LD, s.ordinal(), 5, 6));
    }
    if (waited) {
      p.add(Instruction.of(Opcode.DMA_WAIT, DmaQueue.LD.ordinal(), 0));
    }
    // Zero points of the weights, per lane: random bytes when the loads have landed (zeros from
    // reset would hide any mistake in how a block applies them).
    li(p, 9, waited ? wgtLoaded : r.nextInt(64));
    p.add(Instruction.of(r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8, 31, 1, 9, 0));
    p.add(Instruction.of(Opcode.VSETZW, 31));
    // Requantization parameters (often faulting on a random shift) and biases (often huge).
    if (r.nextInt(3) == 0) {
      li(p, 10, 4 * r.nextInt(64));
      li(p, 11, 4 * r.nextInt(64));
      p.add(Instruction.of(Opcode.RQLD, 10, 11));
    }
    for (int d = 0; d < 8; d++) {
      if (r.nextBoolean()) {
        li(p, 12, 4 * r.nextInt(128));
        p.add(Instruction.of(Opcode.VBIAS, d, 12));
      } else if (r.nextBoolean()) {
        p.add(Instruction.of(Opcode.VCLR, d));
      }
    }
    // Vector registers with something in them before the loops.
    for (int i = 0; i < 6; i++) {
      li(p, 13, r.nextInt(512));
      p.add(Instruction.of(Opcode.VLD_U8, r.nextInt(32), r.nextInt(2), 13, 0));
    }
    for (int i = 0; i < X_ADDRS; i++) {
      int spadSize = 2048;
      int v =
          switch (r.nextInt(10)) {
            case 0 -> r.nextInt(1 << 20) - (1 << 19);
            case 1 -> spadSize - r.nextInt(64);
            default -> r.nextInt(1024);
          };
      li(p, X_ADDR0 + i, v);
    }
    loopNest(p, r, lanes, 0);
    // Tail: requantize some accumulators and store them.
    for (int i = 0; i < 2; i++) {
      p.add(Instruction.of(Opcode.VRQ, 20 + i, r.nextInt(8)));
      li(p, 14, r.nextInt(1024));
      p.add(Instruction.of(Opcode.VST, 20 + i, Scratchpad.OUT.ordinal(), 14, lanes));
    }
    if (r.nextInt(3) != 0) {
      li(p, 5, 0);
      li(p, 6, 1024);
      p.add(Instruction.of(Opcode.DMA_ST, Scratchpad.OUT.ordinal(), 5, 6));
    }
    p.add(Instruction.of(Opcode.HALT));
    try {
      return Program.of(p);
    } catch (dev.npusim.isa.ProgramException e) {
      throw new AssertionError("generator made an invalid program: " + e.getMessage(), e);
    }
  }

  /**
   * Scratchpads filled from DRAM, zero points, then one block from clear accumulators: a compiled
   * kernel's tile (vdot4 or vmac.e, {@link #tileRun}) or a depthwise kernel's taps (vmac), then
   * halt.
   */
  static Program singleBlockProgram(Random r, MachineConfig cfg) {
    return singleBlockProgram(r, cfg, r.nextInt(3) == 0);
  }

  /** {@link #singleBlockProgram}, its block a depthwise kernel's taps when {@code depthwise}. */
  static Program singleBlockProgram(Random r, MachineConfig cfg, boolean depthwise) {
    int lanes = cfg.lanes();
    List<Instruction> p = new ArrayList<>();
    csrwi(p, Csr.ZX, r.nextInt(384) - 128);
    csrwi(p, Csr.VL, r.nextBoolean() ? 1 + r.nextInt(lanes) : lanes);
    for (Scratchpad s : new Scratchpad[] {Scratchpad.ACT, Scratchpad.WGT}) {
      li(p, 1, 1);
      li(p, 2, 2048);
      li(p, 3, 0);
      li(p, 4, 0);
      p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
      li(p, 5, 0);
      li(p, 6, r.nextInt(cfg.dramBytes() - 2048));
      p.add(Instruction.of(Opcode.DMA_LD, s.ordinal(), 5, 6));
    }
    p.add(Instruction.of(Opcode.DMA_WAIT, DmaQueue.LD.ordinal(), 0));
    li(p, 9, r.nextInt(1024));
    p.add(Instruction.of(r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8, 31, 1, 9, 0));
    p.add(Instruction.of(Opcode.VSETZW, 31));
    for (int i = 0; i < X_ADDRS; i++) {
      li(p, X_ADDR0 + i, r.nextInt(1024));
    }
    if (!depthwise) {
      tileRun(p, r, lanes);
    } else {
      int pixels = 1 + r.nextInt(8);
      int taps = 1 + r.nextInt(9);
      // The compiled depthwise kernel keeps each tap's weights in a register for a whole tile
      // (loaded before the block: vclr ends a block); here sometimes the inputs too.
      boolean weightsBefore = r.nextBoolean();
      boolean inputsBefore = r.nextInt(4) == 0;
      for (int t = 0; t < taps && (weightsBefore || inputsBefore); t++) {
        int at = X_ADDR0 + r.nextInt(X_ADDRS);
        if (weightsBefore) {
          p.add(Instruction.of(Opcode.VLD_S8, 8 + t % 8, 1, at, lanes));
        }
        if (inputsBefore) {
          p.add(Instruction.of(Opcode.VLD_U8, t % 8, 0, at, lanes));
        }
      }
      for (int i = 0; i < pixels; i++) {
        p.add(Instruction.of(Opcode.VCLR, i));
      }
      for (int t = 0; t < taps; t++) {
        int x = t % 8;
        int w = 8 + t % 8;
        if (!inputsBefore) {
          p.add(Instruction.of(Opcode.VLD_U8, x, 0, X_ADDR0 + r.nextInt(X_ADDRS), lanes));
        }
        if (!weightsBefore) {
          p.add(Instruction.of(Opcode.VLD_S8, w, 1, X_ADDR0 + r.nextInt(X_ADDRS), lanes));
        }
        for (int i = 0; i < pixels; i++) {
          p.add(Instruction.of(Opcode.VMAC, i, x, w));
        }
      }
      if (inputsBefore && weightsBefore) {
        // A block needs two instructions or more, and one fusible instruction besides MACs.
        p.add(Instruction.of(Opcode.ADDI, X_ADDR0, X_ADDR0, 1));
      }
    }
    p.add(Instruction.of(Opcode.HALT));
    try {
      return Program.of(p);
    } catch (dev.npusim.isa.ProgramException e) {
      throw new AssertionError("generator made an invalid program: " + e.getMessage(), e);
    }
  }

  /** A hardware loop (up to three deep) around a body of fusible runs and breaks between them. */
  private static void loopNest(List<Instruction> p, Random r, int lanes, int depth) {
    int count = 1 + r.nextInt(depth == 0 ? 6 : 4);
    li(p, 7, count);
    int loopAt = p.size();
    p.add(null); // patched with the end below
    int runs = 1 + r.nextInt(3);
    for (int k = 0; k < runs; k++) {
      if (r.nextInt(3) == 0) {
        // A block of its own, as in a compiled kernel (a run beside it would join its block).
        p.add(Instruction.of(Opcode.NOP));
        tileRun(p, r, lanes);
        p.add(Instruction.of(Opcode.NOP));
      } else {
        fusibleRun(p, r, lanes);
      }
      switch (r.nextInt(6)) {
        case 0 -> {
          if (depth < 2) {
            loopNest(p, r, lanes, depth + 1);
          }
        }
        case 1 -> p.add(Instruction.of(Opcode.VCLR, r.nextInt(8)));
        case 2 -> p.add(Instruction.of(Opcode.NOP));
        case 3 -> {
          // A transfer into the scratchpads the loads read, left outstanding for a while.
          li(p, 5, r.nextInt(1024));
          li(p, 6, r.nextInt(1 << 15));
          p.add(Instruction.of(Opcode.DMA_LD, r.nextInt(2), 5, 6));
        }
        case 4 -> p.add(Instruction.of(Opcode.DMA_WAIT, DmaQueue.LD.ordinal(), r.nextInt(2)));
        default -> {}
      }
    }
    p.set(loopAt, Instruction.of(Opcode.LOOP, 7, p.size()));
  }

  /** A run of loads, addi and MACs, as compiled kernels emit. */
  private static void fusibleRun(List<Instruction> p, Random r, int lanes) {
    int n = 2 + r.nextInt(24);
    for (int i = 0; i < n; i++) {
      int addr = X_ADDR0 + r.nextInt(X_ADDRS);
      switch (r.nextInt(9)) {
        case 0, 1, 2 -> {
          int inc = r.nextInt(8) == 0 ? r.nextInt(200) - 100 : r.nextInt(3) * lanes;
          p.add(
              Instruction.of(
                  r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8,
                  r.nextInt(32),
                  r.nextInt(4) == 0 ? Scratchpad.WGT.ordinal() : Scratchpad.ACT.ordinal(),
                  addr,
                  inc));
        }
        case 3 -> {
          int src = r.nextInt(4) == 0 ? X_ADDR0 + r.nextInt(X_ADDRS) : addr;
          int dst = r.nextInt(16) == 0 ? 0 : addr;
          p.add(Instruction.of(Opcode.ADDI, dst, src, r.nextInt(65) - 32));
        }
        case 4, 5, 6 ->
            p.add(
                Instruction.of(
                    Opcode.VDOT4,
                    r.nextInt(8),
                    r.nextInt(32),
                    r.nextInt(lanes / 4),
                    r.nextInt(29)));
        case 7 -> p.add(Instruction.of(Opcode.VMAC, r.nextInt(8), r.nextInt(32), r.nextInt(32)));
        default ->
            p.add(
                Instruction.of(
                    Opcode.VMAC_E, r.nextInt(8), r.nextInt(32), r.nextInt(lanes), r.nextInt(32)));
      }
    }
  }

  /**
   * A compiled kernel's tile: pixels into v0.., then groups of weight rows, each multiplied into
   * every pixel's accumulator in the same order (the fast engine's shared blocks). Weights are
   * sometimes left to registers loaded before the run, and sometimes broadcast by vmac.e.
   */
  private static void tileRun(List<Instruction> p, Random r, int lanes) {
    int pixels = 1 + r.nextInt(8);
    int a0 = r.nextInt(9 - pixels);
    if (r.nextInt(4) != 0) {
      // Fresh accumulators, as a kernel's vbias or vclr before its tile (else often no headroom).
      for (int i = 0; i < pixels; i++) {
        p.add(Instruction.of(Opcode.VCLR, a0 + i));
      }
    }
    for (int i = 0; i < pixels; i++) {
      if (r.nextInt(8) != 0) {
        int addr = X_ADDR0 + r.nextInt(X_ADDRS);
        p.add(
            Instruction.of(
                r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8,
                i,
                Scratchpad.ACT.ordinal(),
                addr,
                r.nextInt(3) * lanes));
      }
    }
    boolean broadcast = r.nextInt(4) == 0;
    int groups = 1 + r.nextInt(4);
    for (int g = 0; g < groups; g++) {
      int w = 8 + r.nextInt(20);
      int addr = X_ADDR0 + r.nextInt(X_ADDRS);
      for (int q = 0; q < 4; q++) {
        if (r.nextInt(6) != 0) {
          p.add(
              Instruction.of(
                  r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8,
                  w + q,
                  r.nextInt(3) == 0 ? Scratchpad.ACT.ordinal() : Scratchpad.WGT.ordinal(),
                  addr,
                  lanes));
        }
      }
      int lane = r.nextInt(lanes / 4);
      for (int i = 0; i < pixels; i++) {
        if (broadcast) {
          p.add(Instruction.of(Opcode.VMAC_E, a0 + i, i, 4 * lane + g % 4, w));
        } else {
          p.add(Instruction.of(Opcode.VDOT4, a0 + i, i, lane, w));
        }
      }
    }
  }

  private static void li(List<Instruction> p, int reg, int value) {
    p.add(Instruction.of(Opcode.LI, reg, value));
  }

  private static void csrwi(List<Instruction> p, Csr csr, int value) {
    p.add(Instruction.of(Opcode.CSRWI, csr.number(), value));
  }
}
