package dev.npusim.simulator;

import dev.npusim.isa.Opcode;

/**
 * The static half of {@link ParallelLoops}: for each {@code loop}, whether its iterations can run
 * in parts, and if so its {@link ParallelLoops.Plan}: the scalar registers' affine advance per
 * iteration ({@link #scalarTransfer}) and the state an iteration can observe ({@link Liveness}).
 */
final class LoopPlanner {
  // State components of the liveness pass: x0..x31, v0..v31, acc0..acc7, zw, rqM and rqS together.
  static final int X = 0;
  static final int V = 32;
  static final int ACC = 64;
  static final int ZW = 72;
  static final int RQ = 73;
  static final int COMPONENTS = 74;

  private LoopPlanner() {}

  /** The plan of the loop at pc, or null if its iterations cannot run in parts. */
  static ParallelLoops.Plan planLoop(Executor e, int pc) {
    int start = pc + 1;
    int end = e.imm[pc];
    if (end <= start || end > e.ops.length) {
      return null;
    }
    Liveness l = new Liveness(e);
    boolean[] written = new boolean[COMPONENTS];
    boolean[] known = new boolean[Executor.XREGS];
    int[] value = new int[Executor.XREGS];
    known[0] = true;
    long steps = l.walk(start, end, written, known, value, new boolean[Executor.XREGS]);
    if (steps < 0 || (l.reads & l.writes) != 0) {
      return null;
    }
    int[] observed =
        java.util.stream.IntStream.range(V, COMPONENTS)
            .filter(c -> l.live[c] || (l.mayWrite[c] && !written[c]))
            .toArray();
    int[] base = new int[Executor.XREGS];
    int[] off = new int[Executor.XREGS];
    for (int r = 0; r < Executor.XREGS; r++) {
      base[r] = r;
    }
    long[] cycles = new long[2];
    if (!scalarTransfer(e, start, end, base, off, cycles)) {
      return null;
    }
    return new ParallelLoops.Plan(start, end, observed, l.writes, steps, cycles[0], base, off);
  }

  /**
   * Applies one pass over [from, to) to the symbolic registers {@code x[base[r]] + off[r]} (values
   * at the start of the pass); false if a register gets a value of another form (a product, a
   * shift, a control register, a nested loop of unknown or very large count). Registers wrap in 32
   * bits, as the machine's do. Adds the pass's issue cycles (without stalls) to {@code cycles[0]}
   * and its instructions to {@code cycles[1]}.
   */
  static boolean scalarTransfer(
      Executor e, int from, int to, int[] base, int[] off, long[] cycles) {
    for (int pc = from; pc < to; pc++) {
      cycles[0] += e.latency[pc];
      if (++cycles[1] > MAX_WALKED) {
        return false;
      }
      int a = e.f1[pc];
      int b = e.f2[pc];
      int c = e.f3[pc];
      int k = e.imm[pc];
      switch (e.ops[pc]) {
        case LI -> set(base, off, a, 0, k);
        case ADDI -> set(base, off, a, base[b], off[b] + k);
        case ADD -> {
          if (base[c] == 0) {
            set(base, off, a, base[b], off[b] + off[c]);
          } else if (base[b] == 0) {
            set(base, off, a, base[c], off[b] + off[c]);
          } else {
            set(base, off, a, -1, 0);
          }
        }
        case SUB -> set(base, off, a, base[c] == 0 ? base[b] : -1, off[b] - off[c]);
        case MUL, AND, OR, XOR, SLL, SRL, SRA, SLT, MULI, ANDI, SLLI, SRLI, SRAI, CSRR ->
            set(base, off, a, -1, 0);
        case VLD_S8, VLD_U8, VLDS_S8, VLDS_U8, VBC_S8, VBC_U8, VST, VSTS ->
            set(base, off, c, base[c], off[c] + k);
        case LOOP -> {
          if (base[a] != 0 || Integer.toUnsignedLong(off[a]) > MAX_UNROLLED) {
            return false;
          }
          int times = off[a];
          int inner = k;
          for (int t = 0; t < times; t++) {
            if (!scalarTransfer(e, pc + 1, inner, base, off, cycles)) {
              return false;
            }
          }
          pc = inner - 1;
        }
        default -> {}
      }
      for (int r = 1; r < Executor.XREGS; r++) {
        if (base[r] < 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** Bodies longer than this, nested loops unrolled, are not planned. */
  private static final long MAX_WALKED = 1 << 18;

  /** Nested loops of larger counts are not unrolled by {@link #scalarTransfer}. */
  private static final long MAX_UNROLLED = 4096;

  private static void set(int[] base, int[] off, int r, int b, int o) {
    if (r != 0) {
      base[r] = b;
      off[r] = o;
    }
  }

  /**
   * The liveness pass over a loop body. {@link #walk} goes through it in program order with the set
   * of components certainly written so far in this iteration; a read of any other component makes
   * it live (observable from before the iteration). A nested loop's body is walked once with a copy
   * of that set (what its earlier instructions wrote also holds in its later iterations); its
   * writes count as certain after it only if its count is a known non-zero constant (from {@code
   * li}, or unchanged since), since a count of 0 skips the body.
   */
  private static final class Liveness {
    final Executor e;
    final boolean[] live = new boolean[COMPONENTS];
    final boolean[] mayWrite = new boolean[COMPONENTS];
    int reads;
    int writes;

    Liveness(Executor e) {
      this.e = e;
    }

    private void read(boolean[] written, int c) {
      if (c != X && !written[c]) {
        live[c] = true;
      }
    }

    /** A write of every lane (or the whole register). */
    private void define(boolean[] written, int c) {
      if (c != X) {
        written[c] = true;
        mayWrite[c] = true;
      }
    }

    /** A write that keeps part of the old value (lanes from vl up, or the accumulated sum). */
    private void update(boolean[] written, int c) {
      read(written, c);
      if (c != X) {
        mayWrite[c] = true;
      }
    }

    private static void unknown(boolean[] known, boolean[] changed, int r) {
      if (r != 0) {
        known[r] = false;
        changed[r] = true;
      }
    }

    /**
     * Walks [from, to); returns its instruction count per pass (nested loops of known count
     * multiplied), or -1 if it holds an instruction a part cannot run.
     */
    long walk(
        int from, int to, boolean[] written, boolean[] known, int[] value, boolean[] changed) {
      long steps = 0;
      for (int pc = from; pc < to; pc++) {
        int a = e.f1[pc];
        int b = e.f2[pc];
        int c = e.f3[pc];
        int d = e.f4[pc];
        int k = e.imm[pc];
        steps++;
        switch (e.ops[pc]) {
          case NOP -> {}
          case LI -> {
            define(written, X + a);
            if (a != 0) {
              known[a] = true;
              value[a] = k;
              changed[a] = true;
            }
          }
          case ADD, SUB, MUL, AND, OR, XOR, SLL, SRL, SRA, SLT -> {
            read(written, X + b);
            read(written, X + c);
            define(written, X + a);
            unknown(known, changed, a);
          }
          case ADDI, MULI, ANDI, SLLI, SRLI, SRAI -> {
            read(written, X + b);
            define(written, X + a);
            if (e.ops[pc] == Opcode.ADDI && known[b] && a != 0) {
              value[a] = value[b] + k;
              known[a] = true;
              changed[a] = true;
            } else {
              unknown(known, changed, a);
            }
          }
          case CSRR -> {
            define(written, X + a);
            unknown(known, changed, a);
          }
          case LOOP -> {
            int innerEnd = k;
            if (innerEnd <= pc + 1 || innerEnd > to) {
              return -1;
            }
            read(written, X + a);
            boolean runs = known[a] && value[a] != 0;
            boolean[] innerWritten = written.clone();
            boolean[] innerKnown = known.clone();
            int[] innerValue = value.clone();
            boolean[] innerChanged = new boolean[Executor.XREGS];
            long inner = walk(pc + 1, innerEnd, innerWritten, innerKnown, innerValue, innerChanged);
            if (inner < 0) {
              return -1;
            }
            long times = runs ? Integer.toUnsignedLong(value[a]) : 1;
            steps = saturatingAdd(steps, saturatingMul(times, inner));
            if (runs) {
              System.arraycopy(innerWritten, 0, written, 0, COMPONENTS);
            }
            for (int r = 1; r < Executor.XREGS; r++) {
              if (innerChanged[r]) {
                unknown(known, changed, r);
              }
            }
            pc = innerEnd - 1;
          }
          case VSETZW -> {
            read(written, V + a);
            update(written, ZW);
          }
          case VLD_S8, VLD_U8, VBC_S8, VBC_U8 -> {
            reads |= 1 << b;
            update(written, X + c);
            unknown(known, changed, c);
            define(written, V + a);
          }
          case VLDS_S8, VLDS_U8 -> {
            reads |= 1 << b;
            read(written, X + d);
            update(written, X + c);
            unknown(known, changed, c);
            define(written, V + a);
          }
          case VST, VSTS -> {
            writes |= 1 << b;
            read(written, V + a);
            if (e.ops[pc] == Opcode.VSTS) {
              read(written, X + d);
            }
            update(written, X + c);
            unknown(known, changed, c);
          }
          case VMAC -> {
            read(written, V + b);
            read(written, V + c);
            read(written, ZW);
            update(written, ACC + a);
          }
          case VMAC_E -> {
            read(written, V + b);
            read(written, V + c);
            read(written, ZW);
            update(written, ACC + a);
          }
          case VDOT4 -> {
            if (c + 3 >= Executor.VREGS) {
              return -1;
            }
            read(written, V + b);
            for (int q = 0; q < 4; q++) {
              read(written, V + c + q);
            }
            read(written, ZW);
            update(written, ACC + a);
          }
          case VCLR -> define(written, ACC + a);
          case VBIAS -> {
            reads |= 1 << dev.npusim.isa.Scratchpad.PAR.ordinal();
            read(written, X + b);
            define(written, ACC + a);
          }
          case RQLD -> {
            reads |= 1 << dev.npusim.isa.Scratchpad.PAR.ordinal();
            read(written, X + a);
            read(written, X + b);
            update(written, RQ);
          }
          case VRQ -> {
            read(written, ACC + b);
            read(written, RQ);
            define(written, V + a);
          }
          case VACC -> {
            read(written, V + b);
            update(written, ACC + a);
          }
          case VMAX -> {
            read(written, V + b);
            read(written, V + c);
            update(written, V + a);
          }
          case VCLAMP -> {
            read(written, V + b);
            update(written, V + a);
          }
          case VAVG -> {
            read(written, ACC + b);
            read(written, X + c);
            update(written, V + a);
          }
          case VSADD -> {
            read(written, V + b);
            read(written, X + c);
            read(written, X + d);
            update(written, ACC + a);
          }
          // Branches, halt, control-register writes and DMA, and any instruction added later
          // without a rule here.
          default -> {
            return -1;
          }
        }
      }
      return steps;
    }
  }

  static long saturatingMul(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
  }

  private static long saturatingAdd(long a, long b) {
    long s = a + b;
    return s < 0 ? Long.MAX_VALUE : s;
  }
}
