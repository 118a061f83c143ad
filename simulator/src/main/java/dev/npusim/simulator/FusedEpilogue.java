package dev.npusim.simulator;

import dev.npusim.isa.Csr.RequantMode;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fast engine's epilogues: the straight-line runs between {@link FusedBlocks} blocks of {@code
 * vbias}, {@code vclr}, {@code vrq}, {@code vst}, {@code addi}, {@code li} and {@code nop}, such as
 * a compiled kernel's tile iteration has before its MAC block (an {@code addi} and a {@code vbias}
 * per pixel) and after it (a {@code vrq} and a {@code vst} per pixel, then an {@code addi}).
 *
 * <p>A run goes as one operation when, at its entry, none of its instructions can fault or stall:
 * every {@code vbias} reads and every {@code vst} writes inside its scratchpad, no outstanding DMA
 * transfer overlaps the span of those bytes in each scratchpad or can cost a bank-conflict stall
 * there from the entry cycle on ({@link DmaEngine#quiet}, {@link DmaEngine#quietForWrite}), and the
 * step limit is not reached inside the run. (The others cannot fault: {@code vrq} saturates and
 * counts, and {@code vbias} counts its own overflows.) Then its vector instructions run in program
 * order through the same {@link Datapath} methods the interpreter calls, except that {@code vrq},
 * {@code vbias} and {@code vst} run on {@link VectorEpilogue} where the Vector API is present;
 * addresses come from the scalar registers as they stand at each instruction, computed symbolically
 * at planning time; the scalar registers get their final values; the counters advance in closed
 * form (each instruction retires once, cycles are the sum of issue cycles, lanes are vl, or all
 * lanes for {@code vclr}). Otherwise the interpreter's {@code execute} runs the instructions one by
 * one, so faults and stalls happen exactly where it has them.
 */
final class FusedEpilogue {
  /** Run index starting at each pc, or -1. */
  final int[] runAt;

  final Run[] runs;

  private final Executor ex;

  /** Runs executed as one operation since this plan was made (tests check that they happen). */
  long fusedRuns;

  /**
   * Where a {@link ParallelLoops} worker's stores go on record (each fused {@code vst} adds its
   * scratchpad, address and stride 1, as the worker does for an interpreted one), or null on the
   * machine itself.
   */
  ParallelLoops.StoreLog storeLog;

  /** Each memory access's address, at the run's current entry. */
  private final int[] addrs;

  /** Per scratchpad, the span of a run's accesses while a transfer is outstanding on it. */
  private final long[] spanLo = new long[Scratchpad.count()];

  private final long[] spanHi = new long[Scratchpad.count()];
  private final boolean[] spanWrite = new boolean[Scratchpad.count()];

  /** Final values of the scalar registers a run writes, before they are stored. */
  private final int[] finals = new int[Executor.XREGS];

  private static final int K_VBIAS = 0;
  private static final int K_VCLR = 1;
  private static final int K_VRQ = 2;
  private static final int K_VST = 3;

  /** One run, decoded into primitive arrays. */
  static final class Run {
    int start;
    int end;
    long cycles;

    // Vector instructions in program order: kind, pc, first and second register field, and for
    // memory accesses the scratchpad and address as x0[base] + off at run entry.
    int[] kind;
    int[] pc;
    int[] a;
    int[] b;
    int[] spad;
    int[] base;
    int[] off;

    // Final scalar registers: x[r] = x0[base] + off.
    int[] xReg;
    int[] xBase;
    int[] xOff;
  }

  FusedEpilogue(Executor ex, int[] blockAt) {
    this.ex = ex;
    int n = ex.ops.length;
    boolean[] boundary = BlockPlanner.boundaries(ex);
    runAt = new int[n];
    Arrays.fill(runAt, -1);
    List<Run> found = new ArrayList<>();
    int maxOps = 1;
    int pc = 0;
    while (pc < n) {
      if (!fusible(ex.ops[pc]) || blockAt[pc] >= 0) {
        pc++;
        continue;
      }
      int end = pc + 1;
      while (end < n && !boundary[end] && fusible(ex.ops[end]) && blockAt[end] < 0) {
        end++;
      }
      Run run = plan(ex, pc, end);
      if (run != null) {
        runAt[pc] = found.size();
        found.add(run);
        maxOps = Math.max(maxOps, run.kind.length);
      }
      pc = end;
    }
    runs = found.toArray(new Run[0]);
    addrs = new int[maxOps];
  }

  private static boolean fusible(Opcode op) {
    return switch (op) {
      case VBIAS, VCLR, VRQ, VST, ADDI, LI, NOP -> true;
      default -> false;
    };
  }

  /** Plans a run over [start, end), or null if it has no vector instruction. */
  private static Run plan(Executor ex, int start, int end) {
    // Symbolic scalar registers: value = x0[base] + off at run entry (x0 is always 0).
    int[] base = new int[Executor.XREGS];
    int[] off = new int[Executor.XREGS];
    boolean[] written = new boolean[Executor.XREGS];
    for (int r = 0; r < Executor.XREGS; r++) {
      base[r] = r;
    }
    List<int[]> ops = new ArrayList<>(); // {kind, pc, a, b, spad, base, off}
    long cycles = 0;
    for (int pc = start; pc < end; pc++) {
      int a = ex.f1[pc];
      int b = ex.f2[pc];
      int c = ex.f3[pc];
      int k = ex.imm[pc];
      cycles += ex.latency[pc];
      switch (ex.ops[pc]) {
        case ADDI -> {
          if (a != 0) {
            base[a] = base[b];
            off[a] = off[b] + k;
            written[a] = true;
          }
        }
        case LI -> {
          if (a != 0) {
            base[a] = 0;
            off[a] = k;
            written[a] = true;
          }
        }
        case NOP -> {}
        case VBIAS ->
            ops.add(new int[] {K_VBIAS, pc, a, 0, Scratchpad.PAR.ordinal(), base[b], off[b]});
        case VCLR -> ops.add(new int[] {K_VCLR, pc, a, 0, -1, 0, 0});
        case VRQ -> ops.add(new int[] {K_VRQ, pc, a, b, -1, 0, 0});
        case VST -> {
          ops.add(new int[] {K_VST, pc, a, 0, b, base[c], off[c]});
          if (c != 0) {
            off[c] += k;
            written[c] = true;
          }
        }
        default -> throw new AssertionError(ex.ops[pc]);
      }
    }
    if (ops.isEmpty()) {
      return null;
    }
    Run run = new Run();
    run.start = start;
    run.end = end;
    run.cycles = cycles;
    run.kind = column(ops, 0);
    run.pc = column(ops, 1);
    run.a = column(ops, 2);
    run.b = column(ops, 3);
    run.spad = column(ops, 4);
    run.base = column(ops, 5);
    run.off = column(ops, 6);
    List<int[]> xs = new ArrayList<>();
    for (int r = 1; r < Executor.XREGS; r++) {
      if (written[r]) {
        xs.add(new int[] {r, base[r], off[r]});
      }
    }
    run.xReg = column(xs, 0);
    run.xBase = column(xs, 1);
    run.xOff = column(xs, 2);
    return run;
  }

  private static int[] column(List<int[]> rows, int i) {
    return rows.stream().mapToInt(row -> row[i]).toArray();
  }

  /**
   * Runs the run at its start pc as one operation if nothing in it can fault or stall; returns
   * false, having changed nothing, otherwise.
   */
  boolean run(Run run, long maxSteps) {
    Executor e = ex;
    if (e.steps + (run.end - run.start) > maxSteps) {
      return false;
    }
    final int vl = e.vl;
    final int[] x = e.x;
    final int[] kind = run.kind;
    final int ops = kind.length;
    DmaEngine dma = e.dma;
    int touched = 0;
    for (int j = 0; j < ops; j++) {
      int k = kind[j];
      if (k != K_VBIAS && k != K_VST) {
        continue;
      }
      // Scalar registers wrap in 32 bits, as addi and the post-increment do.
      int addr = x[run.base[j]] + run.off[j];
      int spad = run.spad[j];
      long hi = addr + (k == K_VBIAS ? 4L * vl : vl);
      if (addr < 0 || hi > e.spads[spad].length) {
        return false;
      }
      addrs[j] = addr;
      if (dma.busy(spad)) {
        // One DMA check per scratchpad over the span of the run's accesses to it.
        int bit = 1 << spad;
        if ((touched & bit) == 0) {
          touched |= bit;
          spanLo[spad] = addr;
          spanHi[spad] = hi;
          spanWrite[spad] = k == K_VST;
        } else {
          spanLo[spad] = Math.min(spanLo[spad], addr);
          spanHi[spad] = Math.max(spanHi[spad], hi);
          spanWrite[spad] |= k == K_VST;
        }
      }
    }
    for (int spad = 0; touched != 0; spad++, touched >>>= 1) {
      if ((touched & 1) != 0
          && !(spanWrite[spad]
              ? dma.quietForWrite(spad, spanLo[spad], spanHi[spad], e.cycle)
              : dma.quiet(spad, spanLo[spad], spanHi[spad], e.cycle))) {
        return false;
      }
    }
    // Nothing below can fail.
    AccumulatorFile accs = e.accs;
    long[] units = e.units;
    for (int j = 0; j < ops; j++) {
      int a = run.a[j];
      switch (kind[j]) {
        case K_VBIAS -> {
          vbias(accs, a, e.spads[Scratchpad.PAR.ordinal()], addrs[j], vl);
          units[run.pc[j]] += vl;
        }
        case K_VCLR -> {
          Datapath.vclr(accs, a);
          units[run.pc[j]] += e.lanes;
        }
        case K_VRQ -> {
          vrq(e, e.v[a], accs.lanes[run.b[j]]);
          units[run.pc[j]] += vl;
        }
        default -> {
          vst(e.spads[run.spad[j]], addrs[j], e.v[a], vl);
          units[run.pc[j]] += vl;
          if (storeLog != null) {
            storeLog.add(run.spad[j], addrs[j], 1);
          }
        }
      }
    }
    int[] xReg = run.xReg;
    for (int i = 0; i < xReg.length; i++) {
      finals[i] = x[run.xBase[i]] + run.xOff[i];
    }
    for (int i = 0; i < xReg.length; i++) {
      x[xReg[i]] = finals[i];
    }
    long[] hits = e.hits;
    for (int pc = run.start; pc < run.end; pc++) {
      hits[pc]++;
    }
    e.cycle += run.cycles;
    e.steps += run.end - run.start;
    fusedRuns++;
    return true;
  }

  /**
   * {@link Datapath#vbias}: on {@link VectorEpilogue#bias} (or {@link VectorEpilogue#biasTracked}
   * with width tracking) where every int32 fits the accumulator (the case {@link Datapath#vbias}
   * does in one pass), else that method. With tracking, the biases' watermark is folded into {@link
   * AccumulatorFile#magnitudeBits} as {@link Datapath#vbias} folds it: scalar, this was the one
   * per-pixel instruction of the study's tracked runs left off the Vector API (about 60 ns against
   * 9 ns per 32-lane vbias).
   */
  static void vbias(AccumulatorFile accs, int d, byte[] par, int addr, int vl) {
    if (!Datapath.VECTOR_LANES || accs.bits < 32) {
      Datapath.vbias(accs, d, par, addr, vl);
      return;
    }
    long[] acc = accs.lanes[d];
    long bound;
    long bits = 0;
    if (accs.trackWidth) {
      long both = VectorEpilogue.biasTracked(acc, par, addr, vl);
      bound = both >>> 32;
      bits = both & 0xFFFF_FFFFL;
    } else {
      bound = VectorEpilogue.bias(acc, par, addr, vl);
    }
    for (int l = vl - vl % VectorEpilogue.STEP; l < vl; l++) {
      long bias = Datapath.int32(par, addr + 4 * l);
      acc[l] = bias;
      bound = Math.max(bound, Math.abs(bias));
      bits |= bias ^ (bias >> 63);
    }
    if (vl < acc.length) {
      Arrays.fill(acc, vl, acc.length, 0);
    }
    accs.bound[d] = bound;
    if (accs.trackWidth) {
      accs.magnitudeBits |= bits;
    }
  }

  /** {@link Datapath#vst}, whole vector steps on {@link VectorEpilogue#store}. */
  static void vst(byte[] spad, int addr, int[] v, int vl) {
    int l = Datapath.VECTOR_LANES ? VectorEpilogue.store(spad, addr, v, vl) : 0;
    for (; l < vl; l++) {
      spad[addr + l] = (byte) v[l];
    }
  }

  /** {@code vrq vd, acc} with the machine's control registers. */
  private static void vrq(Executor e, int[] vd, long[] acc) {
    vrq(
        vd,
        acc,
        e.rqM,
        e.rqS,
        e.rounding,
        e.requantMode,
        e.outputType,
        e.zo,
        e.amin,
        e.amax,
        e.vl,
        e.outputCounts);
  }

  /**
   * {@link Datapath#vrq}, the lanes a vector step covers on {@link VectorEpilogue} (when the JVM
   * has the Vector API) and the rest on the scalar lanes of {@link Datapath#vrqLanes}; the same
   * outputs and counts.
   */
  static void vrq(
      int[] vd,
      long[] acc,
      int[] m,
      int[] s,
      dev.npusim.isa.Csr.RoundingMode rounding,
      RequantMode mode,
      dev.npusim.isa.Csr.OutputType type,
      int zeroPoint,
      int clampMin,
      int clampMax,
      int vl,
      long[] counts) {
    int done = 0;
    if (Datapath.VECTOR_LANES) {
      done =
          mode == RequantMode.Q31
              ? VectorEpilogue.q31(
                  vd,
                  acc,
                  m,
                  s,
                  rounding,
                  zeroPoint,
                  type.min(),
                  type.max(),
                  clampMin,
                  clampMax,
                  vl,
                  counts)
              : VectorEpilogue.float32(
                  vd, acc, m, zeroPoint, type.min(), type.max(), clampMin, clampMax, vl, counts);
    }
    Datapath.vrqLanes(
        vd, acc, m, s, rounding, mode, type, zeroPoint, clampMin, clampMax, done, vl, counts);
    Datapath.clearTail(vd, vl);
  }
}
