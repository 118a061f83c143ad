package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.isa.Csr;
import dev.npusim.isa.Csr.RequantMode;
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
 * {@link Engine#FAST} against {@link Engine#INTERPRETER} on programs shaped like a compiled
 * kernel's tiles, whose every iteration has a prologue ({@code addi}, {@code vbias} or {@code
 * vclr}, {@code li}, {@code nop}), a MAC block, and an epilogue ({@code vrq}, {@code vst}, {@code
 * addi}): the runs {@link FusedEpilogue} fuses. Both requantization modes and all three roundings,
 * with requantization parameters that give outputs across the 8-bit range as well as edge
 * multipliers, shifts and float scales (NaN, infinities, zeros, the largest floats); biases small
 * and huge; clamps inside and outside the type; and the conditions under which a run must fall back
 * to the interpreter: stores and bias reads out of range, DMA transfers outstanding over the bytes
 * they touch (hazards and bank-conflict stalls), and step limits inside a run. Complete machine
 * state and every counter are compared ({@link FastEngineProperties#compare}).
 */
class FastEngineEpilogueProperties {
  private static long fusedRuns;
  private static final long[] fusedRunsByMode = new long[2];
  private static long trackedRuns;

  @Test
  void tileProgramsWithEpiloguesRunTheSameOnBothEngines() {
    fusedRuns = 0;
    trackedRuns = 0;
    fusedRunsByMode[0] = fusedRunsByMode[1] = 0;
    qt().withExamples(1500)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig cfg =
                  FastEngineProperties.MACHINES[r.nextInt(FastEngineProperties.MACHINES.length)];
              RequantMode mode = RequantMode.values()[r.nextInt(2)];
              byte[] image = image(r, cfg, mode);
              Program p = tileProgram(r, cfg, mode);
              long steps = r.nextInt(5) == 0 ? 1 + r.nextInt(600) : 200_000;
              boolean track = r.nextInt(5) == 0;
              Machine fast = FastEngineProperties.compare(cfg, p, image, steps, track);
              if (fast.core().epilogue != null) {
                fusedRuns += fast.core().epilogue.fusedRuns;
                fusedRunsByMode[mode.ordinal()] += fast.core().epilogue.fusedRuns;
                trackedRuns += track ? fast.core().epilogue.fusedRuns : 0;
              }
            });
    // Not vacuous: epilogues ran fused, many times, in both requantization modes.
    assertTrue(fusedRuns > 3_000, "only " + fusedRuns + " epilogue runs ran fused");
    assertTrue(fusedRunsByMode[0] > 1_000, "Q31: only " + fusedRunsByMode[0]);
    assertTrue(fusedRunsByMode[1] > 1_000, "float32: only " + fusedRunsByMode[1]);
    // With width tracking too (vbias then folds its biases into the watermark).
    assertTrue(trackedRuns > 300, "tracked: only " + trackedRuns);
  }

  /** DRAM bytes of the requantization parameters: 64 multipliers, 64 shifts, 64 biases. */
  private static final int MULTIPLIERS = 0;

  private static final int SHIFTS = 256;
  private static final int BIASES = 512;
  private static final int PARAMS = 1024;

  /**
   * Random DRAM, with valid requantization parameters at its start: multipliers and shifts (or
   * float scales) that spread outputs over the 8-bit range, some edge values among them, and small
   * biases.
   */
  static byte[] image(Random r, MachineConfig cfg, RequantMode mode) {
    byte[] image = new byte[cfg.dramBytes()];
    r.nextBytes(image);
    boolean edges = r.nextInt(3) == 0;
    for (int l = 0; l < 64; l++) {
      int m;
      int s;
      if (mode == RequantMode.Q31) {
        m = (1 << 30) + r.nextInt(1 << 30);
        s = -8 - r.nextInt(14);
        if (edges && r.nextInt(4) == 0) {
          m =
              VectorEpilogueProperties.EDGE_MULTIPLIERS[
                  r.nextInt(VectorEpilogueProperties.EDGE_MULTIPLIERS.length)];
          s = r.nextInt(63) - 31;
        }
      } else {
        float scale = (float) Math.scalb(0.5 + r.nextDouble(), -6 - r.nextInt(14));
        if (edges && r.nextInt(4) == 0) {
          scale =
              VectorEpilogueProperties.EDGE_SCALES[
                  r.nextInt(VectorEpilogueProperties.EDGE_SCALES.length)];
        }
        m = Float.floatToRawIntBits(scale);
        s = r.nextInt(63) - 31;
      }
      word(image, MULTIPLIERS + 4 * l, m);
      word(image, SHIFTS + 4 * l, s);
      word(image, BIASES + 4 * l, r.nextInt(1 << 16) - (1 << 15));
    }
    return image;
  }

  private static void word(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >> 8);
    b[at + 2] = (byte) (v >> 16);
    b[at + 3] = (byte) (v >> 24);
  }

  // Scalar registers of the generated programs.
  private static final int X_ACT = 8;
  private static final int X_OUT = 9;
  private static final int X_BIAS = 10;
  private static final int X_WGT = 14;
  private static final int X_PIXEL0 = 16;

  /**
   * Control registers, parameters and data by DMA (sometimes not waited for), {@code rqld}, weight
   * zero points, then a hardware loop of tile iterations, and a store of the outputs.
   */
  static Program tileProgram(Random r, MachineConfig cfg, RequantMode mode) {
    int lanes = cfg.lanes();
    List<Instruction> p = new ArrayList<>();
    csrwi(p, Csr.ZX, r.nextInt(384) - 128);
    csrwi(p, Csr.ZO, r.nextInt(384) - 128);
    int otype = r.nextInt(2);
    csrwi(p, Csr.OTYPE, otype);
    if (r.nextBoolean()) {
      csrwi(p, Csr.AMIN, otype == 0 ? -128 + r.nextInt(100) : r.nextInt(100));
      csrwi(p, Csr.AMAX, r.nextInt(384) - 128);
    } else {
      csrwi(p, Csr.AMIN, otype == 0 ? -128 : 0);
      csrwi(p, Csr.AMAX, otype == 0 ? 127 : 255);
    }
    csrwi(p, Csr.RQMODE, mode.ordinal());
    if (r.nextInt(3) == 0) {
      csrwi(p, Csr.RMODE, r.nextInt(3));
    }
    if (r.nextInt(4) == 0) {
      csrwi(p, Csr.ACCMODE, r.nextInt(2));
    }
    csrwi(p, Csr.VL, r.nextInt(3) == 0 ? 1 + r.nextInt(lanes) : lanes);
    // Parameters into par[0, 1024), activations and weights from random DRAM.
    li(p, 1, 1);
    li(p, 3, 0);
    li(p, 4, 0);
    li(p, 2, PARAMS);
    p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
    li(p, 5, 0);
    li(p, 6, 0);
    p.add(Instruction.of(Opcode.DMA_LD, Scratchpad.PAR.ordinal(), 5, 6));
    for (Scratchpad s : new Scratchpad[] {Scratchpad.ACT, Scratchpad.WGT}) {
      int bytes = Math.min(cfg.scratchpadBytes(s), 2048);
      li(p, 2, bytes);
      p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
      li(p, 5, 0);
      li(p, 6, PARAMS + r.nextInt(cfg.dramBytes() - bytes - PARAMS));
      p.add(Instruction.of(Opcode.DMA_LD, s.ordinal(), 5, 6));
    }
    if (r.nextInt(5) != 0) {
      p.add(Instruction.of(Opcode.DMA_WAIT, DmaQueue.LD.ordinal(), 0));
    }
    li(p, 11, MULTIPLIERS);
    li(p, 12, SHIFTS);
    p.add(Instruction.of(Opcode.RQLD, 11, 12));
    li(p, 13, r.nextInt(512));
    p.add(Instruction.of(r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8, 31, 1, 13, 0));
    p.add(Instruction.of(Opcode.VSETZW, 31));
    // Biases: the small ones, or (sometimes) any four bytes of the parameters.
    li(p, X_BIAS, r.nextInt(6) == 0 ? r.nextInt(PARAMS) : BIASES);
    li(p, X_ACT, r.nextInt(256));
    int outSize = cfg.scratchpadBytes(Scratchpad.OUT);
    li(p, X_OUT, r.nextInt(8) == 0 ? outSize - r.nextInt(4 * lanes) : r.nextInt(512));
    int pixels = 1 + r.nextInt(8);
    li(p, 7, 1 + r.nextInt(6));
    int loopAt = p.size();
    p.add(null); // patched with the end below
    prologue(p, r, lanes, pixels);
    block(p, r, lanes, pixels);
    epilogue(p, r, lanes, pixels);
    switch (r.nextInt(8)) {
      case 0 -> {
        // The outputs so far, stored and left outstanding: later stores to them must fault.
        li(p, 2, 256);
        p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
        li(p, 5, r.nextInt(512));
        li(p, 6, PARAMS + r.nextInt(4096));
        p.add(Instruction.of(Opcode.DMA_ST, Scratchpad.OUT.ordinal(), 5, 6));
      }
      case 1 -> {
        // Parameters reloaded and left outstanding: biases read from them must fault or stall.
        li(p, 2, 64);
        p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
        li(p, 5, r.nextBoolean() ? BIASES : 4096);
        li(p, 6, BIASES);
        p.add(Instruction.of(Opcode.DMA_LD, Scratchpad.PAR.ordinal(), 5, 6));
      }
      case 2 -> p.add(Instruction.of(Opcode.DMA_WAIT, DmaQueue.ST.ordinal(), 0));
      default -> {}
    }
    p.set(loopAt, Instruction.of(Opcode.LOOP, 7, p.size()));
    li(p, 2, 512);
    p.add(Instruction.of(Opcode.DMA_CFG, 1, 2, 3, 4));
    li(p, 5, 0);
    li(p, 6, PARAMS);
    p.add(Instruction.of(Opcode.DMA_ST, Scratchpad.OUT.ordinal(), 5, 6));
    p.add(Instruction.of(Opcode.HALT));
    try {
      return Program.of(p);
    } catch (dev.npusim.isa.ProgramException e) {
      throw new AssertionError("generator made an invalid program: " + e.getMessage(), e);
    }
  }

  /** Pixel addresses and fresh accumulators, as a kernel's tile iteration starts. */
  private static void prologue(List<Instruction> p, Random r, int lanes, int pixels) {
    for (int i = 0; i < pixels; i++) {
      p.add(Instruction.of(Opcode.ADDI, X_PIXEL0 + i, X_ACT, i * lanes));
      switch (r.nextInt(8)) {
        case 0 -> p.add(Instruction.of(Opcode.VCLR, i));
        case 1 -> {
          // A bias address that may lie outside par.
          li(p, 13, r.nextInt(3) == 0 ? 8192 - r.nextInt(64) : r.nextInt(1024));
          p.add(Instruction.of(Opcode.VBIAS, i, 13));
        }
        case 2 -> p.add(Instruction.of(Opcode.NOP));
        default -> p.add(Instruction.of(Opcode.VBIAS, i, X_BIAS));
      }
    }
    p.add(Instruction.of(Opcode.ADDI, X_WGT, 0, r.nextInt(64)));
  }

  /** A shared MAC block: pixels into v0.., groups of four weight rows into every accumulator. */
  private static void block(List<Instruction> p, Random r, int lanes, int pixels) {
    for (int i = 0; i < pixels; i++) {
      p.add(
          Instruction.of(
              r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8,
              i,
              Scratchpad.ACT.ordinal(),
              X_PIXEL0 + i,
              lanes));
    }
    int groups = 1 + r.nextInt(4);
    for (int g = 0; g < groups; g++) {
      for (int q = 0; q < 4; q++) {
        p.add(
            Instruction.of(
                r.nextBoolean() ? Opcode.VLD_U8 : Opcode.VLD_S8,
                8 + q,
                Scratchpad.WGT.ordinal(),
                X_WGT,
                lanes));
      }
      int lane = r.nextInt(lanes / 4);
      for (int i = 0; i < pixels; i++) {
        p.add(Instruction.of(Opcode.VDOT4, i, i, lane, 8));
      }
    }
  }

  /** Requantize and store every pixel (sometimes into act or par), then the next pixels. */
  private static void epilogue(List<Instruction> p, Random r, int lanes, int pixels) {
    for (int i = 0; i < pixels; i++) {
      int vd = r.nextInt(6) == 0 ? 20 + r.nextInt(8) : i;
      p.add(Instruction.of(Opcode.VRQ, vd, i));
      int spad =
          switch (r.nextInt(12)) {
            case 0 -> Scratchpad.ACT.ordinal();
            case 1 -> Scratchpad.PAR.ordinal();
            default -> Scratchpad.OUT.ordinal();
          };
      p.add(Instruction.of(Opcode.VST, vd, spad, X_OUT, r.nextInt(6) == 0 ? 0 : lanes));
    }
    if (r.nextInt(4) == 0) {
      li(p, 13, r.nextInt(1024));
    }
    p.add(Instruction.of(Opcode.ADDI, X_ACT, X_ACT, pixels * lanes));
  }

  private static void li(List<Instruction> p, int reg, int value) {
    p.add(Instruction.of(Opcode.LI, reg, value));
  }

  private static void csrwi(List<Instruction> p, Csr csr, int value) {
    p.add(Instruction.of(Opcode.CSRWI, csr.number(), value));
  }
}
