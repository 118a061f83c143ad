package dev.npusim.simulator;

import dev.npusim.isa.Opcode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The static half of {@link FusedBlocks}: where fused blocks may start and end ({@link
 * #boundaries}), and each block's {@link Block}, planned once per program from the decoded arrays.
 * {@link FusedBlocks} keeps the run half: the pre-checks, the kernels' calls, the scratch buffers
 * and the counters.
 */
final class BlockPlanner {
  private static final int INITIAL = -1;

  private BlockPlanner() {}

  /** One block, decoded into primitive arrays. */
  static final class Block {
    int start;
    int end;
    long cycles;

    /** Vector instructions (loads and MACs), for the lanes counters. */
    int[] vectorPcs;

    // Loads, in program order: destination register, scratchpad, signedness, address register at
    // block entry and offset.
    int loads;
    int[] loadSpad;
    boolean[] loadSigned;
    int[] loadBase;
    int[] loadOff;

    // Final scalar registers: x[r] = x0[base] + off.
    int[] xReg;
    int[] xBase;
    int[] xOff;

    // Final vector registers: v[r] = slot.
    int[] vReg;
    int[] vSlot;

    // MACs grouped by accumulator, each group in program order.
    int[] accs;
    long[] maxAdd;

    /**
     * Per accumulator, its broadcast terms (four per vdot4, one per vmac.e) in program order: where
     * the scalar comes from (a slot lane {@code slot * lanes + lane}, or {@code -1 - (r * lanes +
     * lane)} for register r at entry) and the offset of the weight row it multiplies.
     */
    int[][] termFrom;

    int[][] termW;

    /** Per accumulator, its vmacs in program order: input operand and weight row offset. */
    int[][] vmacIn;

    int[][] vmacW;

    /**
     * Per accumulator, its MACs in program order as their count of broadcast terms (4 for vdot4, 1
     * for vmac.e) or 0 for the next vmac: width tracking needs the partial sums in that order.
     */
    int[][] opTerms;

    /**
     * Operands used as weights (slots >= 0, registers as -1 - r), for their w - zw rows; {@link
     * #termW} and {@link #vmacW} hold offsets of their rows.
     */
    int[] weightOperands;

    int[] spads;

    /**
     * True when every accumulator's broadcast terms multiply the same weight rows in the same order
     * and there is no vmac (a compiled kernel's 8 pixels x 32 channels block): the terms then run
     * as one small matrix product over raw weight rows ({@link VectorLanes#sharedTerms}).
     */
    boolean shared;

    /**
     * For a shared block, where each term's raw weight row lies in the slots array: a load's slot,
     * or {@code loads + r} for vector register r, copied there at entry.
     */
    int[] rawW;

    /**
     * True for a shared block of vdot4s only (the compiled kernels' tiles): with width tracking it
     * runs as one matrix product that observes every vdot4's partial sums ({@link
     * VectorLanes#dot4Tracked}).
     */
    boolean sharedDot4;

    /**
     * Per accumulator, where each vmac's input row lies in the slots array (a load's slot, or
     * {@code loads + r} for vector register r, copied there at entry), for the tracked lane kernel.
     */
    int[][] vmacAt;

    /** The vector registers that vmacs read as they were at entry, copied into the slots array. */
    int[] vmacRegs;

    /**
     * True when every accumulator's MACs are vmacs only (a compiled depthwise pixel): they then run
     * on {@link VectorLanes#vmacs}, straight from the operands' rows, with zw subtracted in the
     * kernel instead of a copy of the weights minus zw per block ({@link
     * FusedBlocks#weightRowsMinusZw}).
     */
    boolean vmacsOnly;

    /**
     * Per accumulator, each vmac's input and weight rows: the array (the slots array for a load of
     * the block, or the vector register itself, read before the block writes any register) and the
     * offset of lane 0 in it. Set by the constructor, which knows both arrays.
     */
    int[][][] vmacInRow;

    int[][] vmacInOff;
    int[][][] vmacWRow;
    int[][] vmacWOff;

    /**
     * True for a shared block whose weight rows and broadcast terms all come from its own loads,
     * the weight rows from one scratchpad with one signedness (every compiled conv2d tile):
     * untracked, it runs on the scratchpads' bytes ({@link FusedBlocks#runDirect}), widening only
     * the loads that end in a register, since the slots would be read once.
     */
    boolean direct;

    /**
     * True for a direct block of vdot4s that runs direct with width tracking too ({@link
     * FusedBlocks#runDirectTracked}): with the Vector API, only when every accumulator's terms are
     * gathered by the vector loop (dense, a multiple of its width); the scalar fallback takes every
     * one.
     */
    boolean trackedDirect;

    /** A direct block's weight scratchpad, and 0xFF (vld.u8) or -1 (vld.s8) as its byte mask. */
    int rowSpad;

    int rowMask;

    /** A direct block's load of each term's weight row. */
    int[] rowLoad;

    /** Per accumulator of a direct block, each term's load and lane. */
    int[][] termLoad;

    int[][] termLane;

    /**
     * Per accumulator of a direct block, the load whose lanes {@code denseLane[i]} onward are its
     * terms in order, or -1 when its terms are not such a run.
     */
    int[] denseLoad;

    int[] denseLane;

    /** A direct block's largest term lane: it runs direct only when vl is above it. */
    int maxTermLane;

    /** Per load, 0xFF (vld.u8) or -1 (vld.s8): the mask that makes a byte its lane value. */
    int[] loadMask;

    /**
     * The loads as spans: per scratchpad and address register at entry, the least and greatest
     * offset, so that the pre-check tests a few spans instead of every load (the weight rows of a
     * compiled tile are 32 loads from one register). Null when there are as many spans as loads.
     */
    int[] spanSpad;

    int[] spanBase;

    int[] spanMinOff;

    int[] spanMaxOff;

    /** True when every instruction of the block is a vector one (loads and MACs, no addi). */
    boolean allVector;

    /**
     * Per span, what one iteration adds to its address register: the register's xOff when the block
     * leaves it at its own value plus xOff, else 0 (a register the block does not write).
     */
    int[] spanDelta;

    /** Per load, the same for its address register. */
    int[] loadDelta;

    /**
     * True for a direct block that leaves every scalar register it writes at its own value at entry
     * plus a constant (post-increments and addi from itself): k iterations of it are then one
     * direct block of k times the terms ({@link FusedBlocks#runInLoop}).
     */
    boolean repeatable;

    /**
     * How many iterations {@link FusedBlocks#runInLoop} runs at once at most (its buffers' size).
     */
    int maxRepeat = 1;
  }

  private static final int OP_VDOT4 = 0;
  private static final int OP_VMAC = 1;
  private static final int OP_VMAC_E = 2;

  /**
   * The pcs at which no fused run may continue ({@code [n + 1]}, true at each): every loop's first
   * and end pc, and every branch target. Nothing inside a block may be followed by a loop's back
   * edge, and a block should start where each iteration starts. Shared with {@link FusedEpilogue}.
   */
  static boolean[] boundaries(Executor ex) {
    int n = ex.ops.length;
    boolean[] boundary = new boolean[n + 1];
    for (int pc = 0; pc < n; pc++) {
      switch (ex.ops[pc]) {
        case LOOP -> {
          int end = ex.imm[pc];
          if (end >= 0 && end <= n) {
            boundary[end] = true;
          }
          boundary[pc + 1] = true;
        }
        case BEQ, BNE, BLT, BGE, J -> {
          int target = ex.imm[pc];
          if (target >= 0 && target <= n) {
            boundary[target] = true;
          }
        }
        default -> {}
      }
    }
    return boundary;
  }

  static boolean fusible(Executor ex, int pc) {
    return switch (ex.ops[pc]) {
      case VLD_S8, VLD_U8, ADDI, VMAC, VMAC_E -> true;
      case VDOT4 -> ex.f3[pc] + 3 < Executor.VREGS;
      default -> false;
    };
  }

  /** Plans a block over [start, end), or null if it holds no MAC worth fusing. */
  static Block plan(Executor ex, int start, int end) {
    Scan scan = new Scan();
    for (int pc = start; pc < end; pc++) {
      scan.step(ex, pc);
    }
    if (scan.macs == 0 || end - start < 2) {
      return null;
    }
    Block blk = new Block();
    blk.start = start;
    blk.end = end;
    blk.cycles = scan.cycles;
    blk.vectorPcs = scan.vectorPcs.stream().mapToInt(Integer::intValue).toArray();
    planLoads(blk, scan.loads);
    planSpans(blk);
    blk.allVector = blk.vectorPcs.length == end - start;
    planFinalRegisters(blk, scan);
    planAccumulators(blk, scan.perAcc, scan.weightOperands, ex.lanes);
    blk.weightOperands = scan.weightOperands.stream().mapToInt(Integer::intValue).toArray();
    planShared(blk, ex.lanes);
    planTracked(blk, ex.lanes);
    planRepeat(blk);
    return blk;
  }

  /**
   * One pass over a candidate block's instructions in program order, tracking symbolically what
   * each register holds relative to block entry, and collecting its loads and MACs.
   */
  private static final class Scan {
    // Symbolic scalar registers: value = x0[base] + off at block entry.
    final int[] base = new int[Executor.XREGS];
    final int[] off = new int[Executor.XREGS];
    final boolean[] xWritten = new boolean[Executor.XREGS];
    // Which load last wrote each vector register, or INITIAL.
    final int[] vSlot = new int[Executor.VREGS];
    final List<int[]> loads = new ArrayList<>(); // {spad, signed, base, off}
    final List<Integer> vectorPcs = new ArrayList<>();
    // Per accumulator: list of {op, a, imm, w}.
    final List<List<int[]>> perAcc = new ArrayList<>();
    final List<Integer> weightOperands = new ArrayList<>();
    long cycles = 0;
    int macs = 0;

    Scan() {
      for (int r = 0; r < Executor.XREGS; r++) {
        base[r] = r;
      }
      Arrays.fill(vSlot, INITIAL);
      for (int i = 0; i < AccumulatorFile.REGISTERS; i++) {
        perAcc.add(new ArrayList<>());
      }
    }

    void step(Executor ex, int pc) {
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
            xWritten[a] = true;
          }
        }
        case VLD_S8, VLD_U8 -> {
          loads.add(new int[] {b, ex.ops[pc] == Opcode.VLD_S8 ? 1 : 0, base[c], off[c]});
          vSlot[a] = loads.size() - 1;
          vectorPcs.add(pc);
          if (c != 0) {
            off[c] += k;
            xWritten[c] = true;
          }
        }
        case VDOT4 -> {
          int[] w = {
            operand(vSlot, c), operand(vSlot, c + 1), operand(vSlot, c + 2), operand(vSlot, c + 3)
          };
          for (int o : w) {
            weight(o);
          }
          perAcc.get(a).add(new int[] {OP_VDOT4, operand(vSlot, b), k, w[0], w[1], w[2], w[3]});
          vectorPcs.add(pc);
          macs++;
        }
        case VMAC -> {
          int w = operand(vSlot, c);
          weight(w);
          perAcc.get(a).add(new int[] {OP_VMAC, operand(vSlot, b), 0, w});
          vectorPcs.add(pc);
          macs++;
        }
        case VMAC_E -> {
          int w = operand(vSlot, c);
          weight(w);
          perAcc.get(a).add(new int[] {OP_VMAC_E, operand(vSlot, b), k, w});
          vectorPcs.add(pc);
          macs++;
        }
        default -> throw new AssertionError(ex.ops[pc]);
      }
    }

    /** Records an operand used as weights, once, in order of first use. */
    private void weight(int o) {
      if (!weightOperands.contains(o)) {
        weightOperands.add(o);
      }
    }
  }

  /** The loads' arrays, and the scratchpads they read in order of first use. */
  private static void planLoads(Block blk, List<int[]> loads) {
    blk.loads = loads.size();
    blk.loadSpad = new int[blk.loads];
    blk.loadSigned = new boolean[blk.loads];
    blk.loadBase = new int[blk.loads];
    blk.loadOff = new int[blk.loads];
    List<Integer> spads = new ArrayList<>();
    for (int j = 0; j < blk.loads; j++) {
      int[] l = loads.get(j);
      blk.loadSpad[j] = l[0];
      blk.loadSigned[j] = l[1] == 1;
      blk.loadBase[j] = l[2];
      blk.loadOff[j] = l[3];
      if (!spads.contains(l[0])) {
        spads.add(l[0]);
      }
    }
    blk.spads = spads.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Most terms per accumulator that {@link FusedBlocks#runInLoop} gathers for one run of
   * iterations.
   */
  private static final int REPEAT_TERMS = 1024;

  /** {@link Block#repeatable}, the deltas of its spans and loads, and {@link Block#maxRepeat}. */
  private static void planRepeat(Block blk) {
    int[] delta = new int[Executor.XREGS];
    boolean repeatable = blk.direct;
    for (int i = 0; i < blk.xReg.length; i++) {
      repeatable &= blk.xBase[i] == blk.xReg[i];
      delta[blk.xReg[i]] = blk.xOff[i];
    }
    blk.repeatable = repeatable;
    blk.loadDelta = new int[blk.loads];
    blk.spanDelta = new int[blk.spanSpad.length];
    if (!repeatable) {
      return;
    }
    for (int j = 0; j < blk.loads; j++) {
      blk.loadDelta[j] = delta[blk.loadBase[j]];
    }
    for (int g = 0; g < blk.spanSpad.length; g++) {
      blk.spanDelta[g] = delta[blk.spanBase[g]];
    }
    blk.maxRepeat = Math.max(1, REPEAT_TERMS / blk.rowLoad.length);
  }

  /** The loads' spans ({@link Block#spanSpad}). */
  private static void planSpans(Block blk) {
    List<int[]> spans = new ArrayList<>(); // {spad, base, min, max}
    for (int j = 0; j < blk.loads; j++) {
      int[] span = null;
      for (int[] g : spans) {
        if (g[0] == blk.loadSpad[j] && g[1] == blk.loadBase[j]) {
          span = g;
        }
      }
      if (span == null) {
        spans.add(new int[] {blk.loadSpad[j], blk.loadBase[j], blk.loadOff[j], blk.loadOff[j]});
      } else {
        span[2] = Math.min(span[2], blk.loadOff[j]);
        span[3] = Math.max(span[3], blk.loadOff[j]);
      }
    }
    blk.spanSpad = spans.stream().mapToInt(g -> g[0]).toArray();
    blk.spanBase = spans.stream().mapToInt(g -> g[1]).toArray();
    blk.spanMinOff = spans.stream().mapToInt(g -> g[2]).toArray();
    blk.spanMaxOff = spans.stream().mapToInt(g -> g[3]).toArray();
  }

  /** The scalar and vector registers the block writes, with their final symbolic values. */
  private static void planFinalRegisters(Block blk, Scan scan) {
    List<int[]> xs = new ArrayList<>();
    for (int r = 1; r < Executor.XREGS; r++) {
      if (scan.xWritten[r]) {
        xs.add(new int[] {r, scan.base[r], scan.off[r]});
      }
    }
    blk.xReg = xs.stream().mapToInt(v -> v[0]).toArray();
    blk.xBase = xs.stream().mapToInt(v -> v[1]).toArray();
    blk.xOff = xs.stream().mapToInt(v -> v[2]).toArray();
    List<int[]> vs = new ArrayList<>();
    for (int r = 0; r < Executor.VREGS; r++) {
      if (scan.vSlot[r] != INITIAL) {
        vs.add(new int[] {r, scan.vSlot[r]});
      }
    }
    blk.vReg = vs.stream().mapToInt(v -> v[0]).toArray();
    blk.vSlot = vs.stream().mapToInt(v -> v[1]).toArray();
  }

  /**
   * Per accumulator the block adds to: the bound on what it can add, and its MACs as broadcast
   * terms and vmacs in program order.
   */
  private static void planAccumulators(
      Block blk, List<List<int[]>> perAcc, List<Integer> weightOperands, int lanes) {
    List<Integer> accs = new ArrayList<>();
    for (int d = 0; d < AccumulatorFile.REGISTERS; d++) {
      if (!perAcc.get(d).isEmpty()) {
        accs.add(d);
      }
    }
    int m = accs.size();
    blk.accs = accs.stream().mapToInt(Integer::intValue).toArray();
    blk.maxAdd = new long[m];
    for (int i = 0; i < m; i++) {
      long max = 0;
      for (int[] op : perAcc.get(blk.accs[i])) {
        max += (op[0] == OP_VDOT4 ? 4 : 1) * Datapath.MAX_PRODUCT;
      }
      blk.maxAdd[i] = max;
    }
    blk.termFrom = new int[m][];
    blk.termW = new int[m][];
    blk.vmacIn = new int[m][];
    blk.vmacW = new int[m][];
    blk.opTerms = new int[m][];
    for (int i = 0; i < m; i++) {
      List<int[]> terms = new ArrayList<>();
      List<int[]> vmacs = new ArrayList<>();
      List<int[]> order = perAcc.get(blk.accs[i]);
      blk.opTerms[i] = new int[order.size()];
      for (int j = 0; j < order.size(); j++) {
        int[] op = order.get(j);
        blk.opTerms[i][j] = op[0] == OP_VDOT4 ? 4 : op[0] == OP_VMAC ? 0 : 1;
      }
      for (int[] op : order) {
        int src = op[1];
        switch (op[0]) {
          case OP_VDOT4 -> {
            for (int q = 0; q < 4; q++) {
              int lane = 4 * op[2] + q;
              terms.add(
                  new int[] {from(src, lane, lanes), weightOperands.indexOf(op[3 + q]) * lanes});
            }
          }
          case OP_VMAC -> vmacs.add(new int[] {src, weightOperands.indexOf(op[3]) * lanes});
          default ->
              terms.add(new int[] {from(src, op[2], lanes), weightOperands.indexOf(op[3]) * lanes});
        }
      }
      blk.termFrom[i] = terms.stream().mapToInt(t -> t[0]).toArray();
      blk.termW[i] = terms.stream().mapToInt(t -> t[1]).toArray();
      blk.vmacIn[i] = vmacs.stream().mapToInt(t -> t[0]).toArray();
      blk.vmacW[i] = vmacs.stream().mapToInt(t -> t[1]).toArray();
    }
  }

  /** Decides whether the block is shared ({@link Block#shared}) and, if so, its raw weight rows. */
  private static void planShared(Block blk, int lanes) {
    int m = blk.accs.length;
    blk.shared = m > 0;
    for (int i = 0; i < m; i++) {
      blk.shared &= blk.vmacIn[i].length == 0 && Arrays.equals(blk.termW[i], blk.termW[0]);
    }
    if (blk.shared) {
      // Raw rows: the weight operand's own lanes (a load slot, or a register read from its copy).
      blk.rawW = new int[blk.termW[0].length];
      for (int t = 0; t < blk.rawW.length; t++) {
        int o = blk.weightOperands[blk.termW[0][t] / lanes];
        blk.rawW[t] = o >= 0 ? o * lanes : (blk.loads + (-1 - o)) * lanes;
      }
    }
    planDirect(blk, lanes);
  }

  /** Decides whether a shared block is direct ({@link Block#direct}) and, if so, its plan. */
  private static void planDirect(Block blk, int lanes) {
    blk.loadMask = new int[blk.loads];
    for (int j = 0; j < blk.loads; j++) {
      blk.loadMask[j] = blk.loadSigned[j] ? -1 : 0xFF;
    }
    if (!blk.shared) {
      return;
    }
    int m = blk.accs.length;
    int n = blk.rawW.length;
    boolean direct = true;
    blk.rowLoad = new int[n];
    for (int t = 0; t < n; t++) {
      int o = blk.weightOperands[blk.termW[0][t] / lanes];
      direct &= o >= 0;
      if (o >= 0) {
        blk.rowLoad[t] = o;
        direct &=
            blk.loadSpad[o] == blk.loadSpad[blk.rowLoad[0]]
                && blk.loadSigned[o] == blk.loadSigned[blk.rowLoad[0]];
      }
    }
    blk.termLoad = new int[m][n];
    blk.termLane = new int[m][n];
    blk.denseLoad = new int[m];
    blk.denseLane = new int[m];
    for (int i = 0; i < m; i++) {
      int[] from = blk.termFrom[i];
      for (int t = 0; t < n; t++) {
        direct &= from[t] >= 0;
        blk.termLoad[i][t] = Math.max(from[t], 0) / lanes;
        blk.termLane[i][t] = Math.max(from[t], 0) % lanes;
        blk.maxTermLane = Math.max(blk.maxTermLane, blk.termLane[i][t]);
      }
      boolean dense = n > 0;
      for (int t = 0; t < n; t++) {
        dense &= from[t] == from[0] + t && blk.termLoad[i][t] == blk.termLoad[i][0];
      }
      blk.denseLoad[i] = dense ? blk.termLoad[i][0] : -1;
      blk.denseLane[i] = dense ? blk.termLane[i][0] : 0;
    }
    blk.direct = direct && n > 0;
    if (blk.direct) {
      blk.rowSpad = blk.loadSpad[blk.rowLoad[0]];
      blk.rowMask = blk.loadMask[blk.rowLoad[0]];
    }
  }

  /** The tracked kernels' extra plan: {@link Block#sharedDot4}, {@link Block#vmacAt}. */
  private static void planTracked(Block blk, int lanes) {
    int m = blk.accs.length;
    blk.sharedDot4 = blk.shared;
    for (int i = 0; i < m; i++) {
      for (int count : blk.opTerms[i]) {
        blk.sharedDot4 &= count == 4;
      }
    }
    boolean dense = true;
    for (int i = 0; i < m && blk.direct; i++) {
      dense &= blk.denseLoad[i] >= 0;
    }
    // Measured (TrackedCpuTimes): Conv2d_0's tiles (28 terms, not a multiple of the vector width,
    // so the vector loop does not gather them) ran tracked in 16.4 ms direct against 14.7 ms on the
    // old path (cause not isolated); the pointwise tiles (dense, 32 terms) gain.
    blk.trackedDirect =
        blk.direct
            && blk.sharedDot4
            && (!Datapath.VECTOR_LANES || dense && blk.rowLoad.length % VectorLanes.width() == 0);
    blk.vmacAt = new int[m][];
    List<Integer> regs = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      int[] in = blk.vmacIn[i];
      blk.vmacAt[i] = new int[in.length];
      for (int j = 0; j < in.length; j++) {
        int src = in[j];
        if (src < 0 && !regs.contains(-1 - src)) {
          regs.add(-1 - src);
        }
        blk.vmacAt[i][j] = (src >= 0 ? src : blk.loads + (-1 - src)) * lanes;
      }
    }
    blk.vmacRegs = regs.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@link Block#vmacsOnly} and the vmacs' rows: each operand's array and offset. */
  static void planVmacRows(Block blk, Executor ex, int[] slots) {
    int m = blk.accs.length;
    int lanes = ex.lanes;
    blk.vmacsOnly = m > 0;
    blk.vmacInRow = new int[m][][];
    blk.vmacInOff = new int[m][];
    blk.vmacWRow = new int[m][][];
    blk.vmacWOff = new int[m][];
    for (int i = 0; i < m; i++) {
      int count = blk.vmacIn[i].length;
      blk.vmacsOnly &= count > 0 && blk.termFrom[i].length == 0;
      blk.vmacInRow[i] = new int[count][];
      blk.vmacInOff[i] = new int[count];
      blk.vmacWRow[i] = new int[count][];
      blk.vmacWOff[i] = new int[count];
      for (int j = 0; j < count; j++) {
        int in = blk.vmacIn[i][j];
        blk.vmacInRow[i][j] = in >= 0 ? slots : ex.v[-1 - in];
        blk.vmacInOff[i][j] = in >= 0 ? in * lanes : 0;
        int w = blk.weightOperands[blk.vmacW[i][j] / lanes];
        blk.vmacWRow[i][j] = w >= 0 ? slots : ex.v[-1 - w];
        blk.vmacWOff[i][j] = w >= 0 ? w * lanes : 0;
      }
    }
  }

  private static int from(int operand, int lane, int lanes) {
    return operand >= 0 ? operand * lanes + lane : -1 - ((-1 - operand) * lanes + lane);
  }

  /** A load's slot, or -1 - r for register r as it was at block entry. */
  private static int operand(int[] vSlot, int r) {
    return vSlot[r] != INITIAL ? vSlot[r] : -1 - r;
  }
}
