package dev.npusim.simulator;

import dev.npusim.isa.Opcode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fast engine's blocks: maximal straight-line runs of unit-stride vector loads, {@code addi},
 * and MACs ({@code vdot4}, {@code vmac}, {@code vmac.e}), the bodies compiled layers spend their
 * time in. A block runs as one operation when, at its entry, nothing in it can fault, stall, or
 * overflow:
 *
 * <ul>
 *   <li>every load lies inside its scratchpad, and no outstanding DMA transfer overlaps the block's
 *       loads or can cost a bank-conflict stall from the entry cycle on ({@link DmaEngine#quiet});
 *   <li>each accumulator's bound plus the largest possible sum of the block's products stays inside
 *       the configured width and inside 32 bits, so no lane overflows and every partial sum is an
 *       exact int;
 *   <li>the step limit is not reached inside the block.
 * </ul>
 *
 * Then the result is the interpreter's, computed in another order: loads go to one buffer per load
 * (so a MAC reads what its source register held at that point in program order), the MACs run per
 * accumulator in program order in int arithmetic, and then the registers get their final values;
 * counters advance in closed form (each instruction retires once, cycles are the sum of its issue
 * cycles, lanes per vector instruction are vl). Otherwise the block's instructions are interpreted
 * one by one, so faults, stalls and overflows happen exactly where the interpreter has them.
 */
final class FusedBlocks {
  private static final int INITIAL = -1;

  /** Block index starting at each pc, or -1. */
  final int[] blockAt;

  final Block[] blocks;

  private final Executor ex;

  /** Blocks run as one operation since this plan was made (tests check that they happen). */
  long fusedRuns;

  /** Of those, shared blocks run as one matrix product (tests check that they happen too). */
  long sharedRuns;

  /** Of those, shared blocks run on the scratchpads' bytes ({@link Block#direct}; tested). */
  long directRuns;

  /** Runs of several iterations of a loop at once ({@link #runInLoop}; tested). */
  long repeatedRuns;

  /** Blocks run fused with width tracking, as one tracked matrix product (tests check these). */
  long trackedSharedRuns;

  /** Of the direct runs, those with width tracking ({@link #runDirectTracked}; tested). */
  long trackedDirectRuns;

  /** Of the repeated runs, those with width tracking (tested). */
  long trackedRepeatedRuns;

  /** Accumulators of other fused blocks run by a tracked lane kernel, not MAC by MAC (tested). */
  long trackedLaneRuns;

  /** Blocks of vmacs only run on the vmac kernels, tracked or not (tests check these). */
  long vmacRuns;

  private final int[] x0 = new int[Executor.XREGS];

  /** Each load's address, at the block's current run. */
  private final int[] addrs;

  /** One row of lanes per load of a block. */
  private final int[] slots;

  /** One row of lanes per weight operand of a block: its lanes minus zw. */
  private final int[] wz;

  private final int[] acc;

  /** The scalars of one accumulator's broadcast terms, at the current run. */
  private final int[] termA;

  /** Shared blocks: every accumulator's term scalars (row i at i * terms), its lanes, its sums. */
  private final int[] sharedA;

  private final int[] sharedAcc;

  private final int[] sharedSums = new int[AccumulatorFile.REGISTERS];

  /** A direct block's weight row addresses, one per term, at the current run. */
  private final int[] rowAddrs;

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
     * kernel instead of a copy of the weights minus zw per block ({@link #weightRowsMinusZw}).
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
     * untracked, it runs on the scratchpads' bytes ({@link #runDirect}), widening only the loads
     * that end in a register, since the slots would be read once.
     */
    boolean direct;

    /**
     * True for a direct block of vdot4s that runs direct with width tracking too ({@link
     * #runDirectTracked}): with the Vector API, only when every accumulator's terms are gathered by
     * the vector loop (dense, a multiple of its width); the scalar fallback takes every one.
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
     * direct block of k times the terms ({@link #runInLoop}).
     */
    boolean repeatable;

    /** How many iterations {@link #runInLoop} runs at once at most (its buffers' size). */
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

  FusedBlocks(Executor ex) {
    this.ex = ex;
    Opcode[] ops = ex.ops;
    int n = ops.length;
    boolean[] boundary = boundaries(ex);
    blockAt = new int[n];
    Arrays.fill(blockAt, -1);
    List<Block> found = new ArrayList<>();
    int maxLoads = 0;
    int maxWeights = 0;
    int maxTerms = 0;
    int pc = 0;
    while (pc < n) {
      if (!fusible(ex, pc)) {
        pc++;
        continue;
      }
      int end = pc + 1;
      while (end < n && !boundary[end] && fusible(ex, end)) {
        end++;
      }
      Block b = plan(ex, pc, end);
      if (b != null) {
        blockAt[pc] = found.size();
        found.add(b);
        maxLoads = Math.max(maxLoads, b.loads);
        maxWeights = Math.max(maxWeights, b.weightOperands.length);
        for (int[] list : b.termFrom) {
          maxTerms = Math.max(maxTerms, list.length * b.maxRepeat);
        }
      }
      pc = end;
    }
    blocks = found.toArray(new Block[0]);
    addrs = new int[Math.max(1, maxLoads)];
    // Load slots, then room for a copy of every vector register (raw weight rows of shared blocks).
    slots = new int[(Math.max(1, maxLoads) + Executor.VREGS) * ex.lanes];
    sharedA = new int[AccumulatorFile.REGISTERS * Math.max(1, maxTerms)];
    sharedAcc = new int[AccumulatorFile.REGISTERS * ex.lanes];
    for (Block b : blocks) {
      planVmacRows(b, ex, slots);
    }
    wz = new int[Math.max(1, maxWeights) * ex.lanes];
    acc = new int[ex.lanes];
    termA = new int[Math.max(1, maxTerms)];
    rowAddrs = new int[Math.max(1, maxTerms)];
  }

  private static boolean fusible(Executor ex, int pc) {
    return switch (ex.ops[pc]) {
      case VLD_S8, VLD_U8, ADDI, VMAC, VMAC_E -> true;
      case VDOT4 -> ex.f3[pc] + 3 < Executor.VREGS;
      default -> false;
    };
  }

  /** Plans a block over [start, end), or null if it holds no MAC worth fusing. */
  private static Block plan(Executor ex, int start, int end) {
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

  /** Most terms per accumulator that {@link #runInLoop} gathers for one run of iterations. */
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
  private static void planVmacRows(Block blk, Executor ex, int[] slots) {
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

  /**
   * Runs the block at its start pc as one operation if nothing in it can fault, stall or overflow;
   * returns false, having changed nothing, otherwise.
   */
  boolean run(Block b, long maxSteps) {
    return runTimes(b, maxSteps, 1);
  }

  /**
   * As {@link #run}, and when the block is the whole body of the innermost hardware loop, at the
   * start of one of its iterations, runs up to {@link Block#maxRepeat} iterations at once if
   * nothing in any of them can fault, stall or overflow, taking their back edges but the last one
   * (which the caller's {@link Executor#loopBack} takes). The loop's back edge costs no cycle and
   * retires nothing, so k iterations are k runs of the block back to back: their MACs are one
   * direct block of k times the terms, its accumulators kept in int lanes throughout.
   */
  boolean runInLoop(Block b, long maxSteps) {
    Executor e = ex;
    int top = e.loopTop;
    if (b.repeatable
        && top >= 0
        && e.loopStart[top] == b.start
        && e.loopEnd[top] == b.end
        && e.loopCount[top] > 1) {
      int k = (int) Math.min(e.loopCount[top], b.maxRepeat);
      if (k > 1 && runTimes(b, maxSteps, k)) {
        e.loopCount[top] -= k - 1;
        repeatedRuns++;
        if (e.accs.trackWidth) {
          trackedRepeatedRuns++;
        }
        return true;
      }
    }
    return runTimes(b, maxSteps, 1);
  }

  /**
   * Runs k iterations of the block (k > 1 only for a {@link Block#repeatable} one, as a direct
   * block) if nothing in any of them can fault, stall or overflow; false, having changed nothing,
   * otherwise.
   */
  private boolean runTimes(Block b, long maxSteps, int k) {
    Executor e = ex;
    AccumulatorFile af = e.accs;
    if (e.steps + (long) k * (b.end - b.start) > maxSteps) {
      return false;
    }
    int vl = e.vl;
    // Lanes at or above vl read as 0 from a register, and from a scratchpad as whatever is there.
    // With width tracking, only blocks of vdot4s: the watermark is taken after every four terms.
    boolean direct = b.direct && b.maxTermLane < vl && (!af.trackWidth || b.trackedDirect);
    if (k > 1 && !direct) {
      return false;
    }
    int[] x = e.x;
    System.arraycopy(x, 0, x0, 0, x0.length);
    if (!loadsInRange(b, vl, k)) {
      return false;
    }
    long limit = Math.min(af.max, Integer.MAX_VALUE);
    for (int i = 0; i < b.accs.length; i++) {
      if (af.bound[b.accs[i]] + k * b.maxAdd[i] > limit) {
        return false;
      }
    }
    // Nothing below can fail.
    final int lanes = e.lanes;
    final int[] slot = slots;
    if (direct) {
      runDirect(b, k);
      sharedRuns += k;
      directRuns += k;
      if (af.trackWidth) {
        trackedDirectRuns += k;
      }
      // The registers as the last iteration's loads left them.
      for (int i = 0; i < b.vReg.length; i++) {
        int j = b.vSlot[i];
        int addr = addrs[j] + (k - 1) * b.loadDelta[j];
        widen(e.spads[b.loadSpad[j]], addr, b.loadSigned[j], e.v[b.vReg[i]], 0, vl);
      }
    } else {
      for (int j = 0; j < b.loads; j++) {
        widen(e.spads[b.loadSpad[j]], addrs[j], b.loadSigned[j], slot, j * lanes, vl);
      }
      if (b.shared && !af.trackWidth) {
        runShared(b);
        sharedRuns++;
      } else if (b.sharedDot4 && af.trackWidth) {
        runSharedTracked(b);
        trackedSharedRuns++;
      } else {
        runPerAccumulator(b);
      }
      for (int i = 0; i < b.vReg.length; i++) {
        System.arraycopy(slot, b.vSlot[i] * lanes, e.v[b.vReg[i]], 0, lanes);
      }
    }
    // k > 1 only when every written register is its own value at entry plus xOff (int wrap).
    for (int i = 0; i < b.xReg.length; i++) {
      x[b.xReg[i]] = x0[b.xBase[i]] + k * b.xOff[i];
    }
    long[] hits = e.hits;
    long[] units = e.units;
    long lanesRun = (long) k * vl;
    if (b.allVector) {
      for (int pc = b.start; pc < b.end; pc++) {
        hits[pc] += k;
        units[pc] += lanesRun;
      }
    } else {
      for (int pc = b.start; pc < b.end; pc++) {
        hits[pc] += k;
      }
      for (int pc : b.vectorPcs) {
        units[pc] += lanesRun;
      }
    }
    e.cycle += k * b.cycles;
    e.steps += (long) k * (b.end - b.start);
    fusedRuns += k;
    return true;
  }

  /**
   * A shared block's MACs: {@code acc_i[l] += sum_t a_i[t] * (w_t[l] - zw[l])}, computed as {@code
   * sum_t a_i[t] * w_t[l] - zw[l] * sum_t a_i[t]} over raw weight rows. Int arithmetic is exact
   * modulo 2^32 in any order, and {@link #run} proved that the true result fits in an int, so the
   * result is the interpreter's even where a partial sum of this other order would not fit.
   */
  private void runShared(Block b) {
    Executor e = ex;
    AccumulatorFile af = e.accs;
    final int lanes = e.lanes;
    final int vl = e.vl;
    final int[] slot = slots;
    for (int o : b.weightOperands) {
      if (o < 0) {
        System.arraycopy(e.v[-1 - o], 0, slot, (b.loads + (-1 - o)) * lanes, lanes);
      }
    }
    final int zx = e.zx;
    final int m = b.accs.length;
    final int n = b.rawW.length;
    final int[] as = sharedA;
    final int[] acc = sharedAcc;
    final int[] sums = sharedSums;
    for (int i = 0; i < m; i++) {
      int[] from = b.termFrom[i];
      long magnitudes = 0;
      int sum = 0;
      for (int t = 0; t < n; t++) {
        int f = from[t];
        int xo = (f >= 0 ? slot[f] : e.v[(-1 - f) / lanes][(-1 - f) % lanes]) - zx;
        as[i * n + t] = xo;
        magnitudes += Math.abs(xo);
        sum += xo;
      }
      sums[i] = sum;
      int d = b.accs[i];
      long[] lanesOfAcc = af.lanes[d];
      int l = Datapath.VECTOR_LANES ? VectorLanes.narrow(lanesOfAcc, acc, i * lanes, vl) : 0;
      for (; l < vl; l++) {
        acc[i * lanes + l] = (int) lanesOfAcc[l];
      }
      // The interpreter's bound: each vdot4 adds (|a0| + .. + |a3|) * 383, each vmac.e |a| * 383.
      af.bound[d] += magnitudes * Datapath.MAX_OFFSET_OPERAND;
    }
    int from =
        Datapath.VECTOR_LANES
            ? VectorLanes.sharedTerms(acc, as, n, m, slot, b.rawW, e.zw, sums, vl, lanes)
            : 0;
    int[] rows = b.rawW;
    int[] zw = e.zw;
    for (int i = 0; i < m; i++) {
      for (int l = from; l < vl; l++) {
        int v = acc[i * lanes + l];
        for (int t = 0; t < n; t++) {
          v += as[i * n + t] * slot[rows[t] + l];
        }
        acc[i * lanes + l] = v - zw[l] * sums[i];
      }
      long[] lanesOfAcc = af.lanes[b.accs[i]];
      int l = Datapath.VECTOR_LANES ? VectorLanes.widen(acc, i * lanes, lanesOfAcc, vl) : 0;
      for (; l < vl; l++) {
        lanesOfAcc[l] = acc[i * lanes + l];
      }
    }
  }

  /**
   * The loads' bounds and DMA rule by spans ({@link Block#spanSpad}) over k iterations: each span's
   * first and last address computed in long, so that when both lie in the scratchpad every load's
   * int address (which wraps as addi does) equals its long one; then {@link #addrs} (the first
   * iteration's). False, having changed nothing, when a load may lie outside or a transfer may
   * overlap or stall (the interpreter then runs the block; a wrapped address that lands inside is
   * only left to the interpreter). The DMA rule at the entry cycle holds at every later cycle until
   * the next DMA instruction ({@link DmaEngine#quiet}), and a block has none.
   */
  private boolean loadsInRange(Block b, int vl, int k) {
    Executor e = ex;
    int[] x = x0;
    int[] spadOf = b.spanSpad;
    for (int s : b.spads) {
      long lo = Long.MAX_VALUE;
      long hi = Long.MIN_VALUE;
      for (int g = 0; g < spadOf.length; g++) {
        if (spadOf[g] == s) {
          long base = x[b.spanBase[g]];
          long last = (long) (k - 1) * b.spanDelta[g];
          lo = Math.min(lo, base + b.spanMinOff[g] + Math.min(0, last));
          hi = Math.max(hi, base + b.spanMaxOff[g] + Math.max(0, last) + vl);
        }
      }
      if (lo < 0 || hi > e.spads[s].length || !e.dma.quiet(s, lo, hi, e.cycle)) {
        return false;
      }
    }
    int[] at = addrs;
    for (int j = 0; j < b.loads; j++) {
      at[j] = x[b.loadBase[j]] + b.loadOff[j];
    }
    return true;
  }

  /**
   * A direct shared block's MACs ({@link Block#direct}): as {@link #runShared}, reading the terms
   * and the weight rows straight from the scratchpads' bytes at the loads' addresses, which {@link
   * #run} checked; the same sums in the same int arithmetic.
   */
  private void runDirect(Block b, int k) {
    Executor e = ex;
    AccumulatorFile af = e.accs;
    final int lanes = e.lanes;
    final int vl = e.vl;
    final int zx = e.zx;
    final int m = b.accs.length;
    final int n = b.rowLoad.length;
    final int nk = n * k;
    final int[] as = sharedA;
    final int[] acc = sharedAcc;
    final int[] sums = sharedSums;
    final int[] rowAt = rowAddrs;
    final int[] at = addrs;
    final int[] delta = b.loadDelta;
    final boolean track = af.trackWidth;
    // Iteration it's terms and rows follow iteration it - 1's, as one block of nk terms.
    for (int it = 0; it < k; it++) {
      for (int t = 0; t < n; t++) {
        int j = b.rowLoad[t];
        rowAt[it * n + t] = at[j] + it * delta[j];
      }
    }
    boolean vectorTerms = Datapath.VECTOR_LANES && n % VectorLanes.width() == 0;
    for (int i = 0; i < m; i++) {
      long magnitudes = 0;
      int dense = b.denseLoad[i];
      if (dense >= 0 && vectorTerms) {
        magnitudes =
            VectorLanes.offsetRows(
                e.spads[b.loadSpad[dense]],
                at[dense] + b.denseLane[i],
                delta[dense],
                k,
                b.loadMask[dense],
                zx,
                as,
                i * nk,
                n,
                sums,
                i);
      } else {
        int[] loadOf = b.termLoad[i];
        int[] laneOf = b.termLane[i];
        int sum = 0;
        for (int it = 0; it < k; it++) {
          for (int t = 0; t < n; t++) {
            int j = loadOf[t];
            int addr = at[j] + it * delta[j] + laneOf[t];
            int xo = (e.spads[b.loadSpad[j]][addr] & b.loadMask[j]) - zx;
            as[i * nk + it * n + t] = xo;
            magnitudes += Math.abs(xo);
            sum += xo;
          }
        }
        sums[i] = sum;
      }
      int d = b.accs[i];
      if (!track) {
        long[] lanesOfAcc = af.lanes[d];
        int l = Datapath.VECTOR_LANES ? VectorLanes.narrow(lanesOfAcc, acc, i * lanes, vl) : 0;
        for (; l < vl; l++) {
          acc[i * lanes + l] = (int) lanesOfAcc[l];
        }
      }
      // The interpreter's bound: each vdot4 adds (|a0| + .. + |a3|) * 383, each vmac.e |a| * 383.
      af.bound[d] += magnitudes * Datapath.MAX_OFFSET_OPERAND;
    }
    final byte[] w = e.spads[b.rowSpad];
    final int mask = b.rowMask;
    final int[] zw = e.zw;
    if (track) {
      runDirectTracked(b, nk, w, mask);
      return;
    }
    int from =
        Datapath.VECTOR_LANES
            ? VectorLanes.sharedBytes(acc, as, nk, m, w, rowAt, mask, zw, sums, vl, lanes)
            : 0;
    for (int i = 0; i < m; i++) {
      for (int l = from; l < vl; l++) {
        int v = acc[i * lanes + l];
        for (int t = 0; t < nk; t++) {
          v += as[i * nk + t] * (w[rowAt[t] + l] & mask);
        }
        acc[i * lanes + l] = v - zw[l] * sums[i];
      }
      long[] lanesOfAcc = af.lanes[b.accs[i]];
      int l = Datapath.VECTOR_LANES ? VectorLanes.widen(acc, i * lanes, lanesOfAcc, vl) : 0;
      for (; l < vl; l++) {
        lanesOfAcc[l] = acc[i * lanes + l];
      }
    }
  }

  /**
   * A direct block of vdot4s with width tracking ({@link Block#sharedDot4}), over k iterations as
   * one block of nk terms per accumulator ({@link #runDirect} has gathered the terms and the rows'
   * addresses): each accumulator's terms in program order, zw subtracted from each weight row as it
   * is read from the scratchpad, and after every four terms (one vdot4; an iteration holds a whole
   * number of them) the watermark of the partial sums ORed in, so that it sees every partial sum
   * the interpreter's accumulators hold, as {@link #runSharedTracked} does. Each partial sum is an
   * exact int: {@link #runTimes} checked every accumulator's bound plus k times the block's largest
   * sum. The order across accumulators does not matter to an OR.
   */
  private void runDirectTracked(Block b, int nk, byte[] w, int mask) {
    Executor e = ex;
    AccumulatorFile af = e.accs;
    final int vl = e.vl;
    final int m = b.accs.length;
    final int[] as = sharedA;
    final int[] rowAt = rowAddrs;
    final int[] zw = e.zw;
    int bits = 0;
    int covered = 0;
    if (Datapath.VECTOR_LANES) {
      bits = VectorLanes.dot4TrackedBytes(af.lanes, b.accs, as, nk, m, w, rowAt, mask, zw, vl);
      covered = VectorLanes.covered(vl);
    }
    for (int i = 0; i < m; i++) {
      long[] lanesOfAcc = af.lanes[b.accs[i]];
      for (int l = covered; l < vl; l++) {
        int v = (int) lanesOfAcc[l];
        int z = zw[l];
        for (int t = 0; t < nk; t++) {
          v += as[i * nk + t] * ((w[rowAt[t] + l] & mask) - z);
          if (t % 4 == 3) {
            bits |= v ^ (v >> 31);
          }
        }
        lanesOfAcc[l] = v;
      }
    }
    af.magnitudeBits |= bits;
  }

  /** Any block's MACs, per accumulator, over weight rows minus zw (and in order when tracking). */
  private void runPerAccumulator(Block b) {
    if (b.vmacsOnly) {
      runVmacs(b);
      return;
    }
    Executor e = ex;
    AccumulatorFile af = e.accs;
    final int lanes = e.lanes;
    final int vl = e.vl;
    final int[] slot = slots;
    final int[] w = weightRowsMinusZw(b);
    if (af.trackWidth) {
      for (int r : b.vmacRegs) {
        System.arraycopy(e.v[r], 0, slot, (b.loads + r) * lanes, lanes);
      }
    }
    final int zx = e.zx;
    final int[] a = acc;
    for (int i = 0; i < b.accs.length; i++) {
      int d = b.accs[i];
      long[] lanesOfAcc = af.lanes[d];
      for (int l = 0; l < vl; l++) {
        a[l] = (int) lanesOfAcc[l];
      }
      int[] from = b.termFrom[i];
      int n = from.length;
      long magnitudes = 0;
      for (int t = 0; t < n; t++) {
        int f = from[t];
        int xo = (f >= 0 ? slot[f] : e.v[(-1 - f) / lanes][(-1 - f) % lanes]) - zx;
        termA[t] = xo;
        magnitudes += Math.abs(xo);
      }
      int[] vmacIn = b.vmacIn[i];
      int[] vmacW = b.vmacW[i];
      if (!af.trackWidth) {
        // Exact int sums: the order of the terms does not matter.
        terms(a, termA, b.termW[i], 0, n, w, vl);
        for (int j = 0; j < vmacIn.length; j++) {
          int src = vmacIn[j];
          int[] in = src < 0 ? e.v[-1 - src] : slot;
          mac(a, in, src < 0 ? 0 : src * lanes, zx, w, vmacW[j], vl);
        }
      } else if (vmacIn.length == 0 || n == 0) {
        af.magnitudeBits |= trackedLanes(b, i, a, n, w);
        trackedLaneRuns++;
      } else {
        // Width tracking sees every partial sum, so the MACs run in program order, and after each
        // the OR of v ^ (v >> 31) over its lanes (the interpreter's v ^ (v >> 63), for ints).
        long bits = 0;
        int t = 0;
        int j = 0;
        for (int count : b.opTerms[i]) {
          if (count == 0) {
            int src = vmacIn[j];
            int[] in = src < 0 ? e.v[-1 - src] : slot;
            mac(a, in, src < 0 ? 0 : src * lanes, zx, w, vmacW[j], vl);
            j++;
          } else {
            terms(a, termA, b.termW[i], t, count, w, vl);
            t += count;
          }
          for (int l = 0; l < vl; l++) {
            bits |= a[l] ^ (a[l] >> 31);
          }
        }
        af.magnitudeBits |= bits;
      }
      // The interpreter's bound: each vdot4 adds (|a0| + .. + |a3|) * 383, each vmac.e |a| * 383,
      // each vmac 383 * 383.
      long bound =
          af.bound[d]
              + magnitudes * Datapath.MAX_OFFSET_OPERAND
              + vmacIn.length * Datapath.MAX_PRODUCT;
      for (int l = 0; l < vl; l++) {
        lanesOfAcc[l] = a[l];
      }
      af.bound[d] = bound;
    }
  }

  /**
   * A {@link Block#vmacsOnly} block (a compiled depthwise pixel): per accumulator, {@code acc[l] +=
   * (in_j[l] - zx) * (w_j[l] - zw[l])} over its vmacs j in program order, each partial sum's
   * watermark ORed in when tracking; every partial sum is an exact int ({@link #run} proved it), so
   * the order and the int arithmetic give the interpreter's lanes.
   */
  private void runVmacs(Block b) {
    Executor e = ex;
    AccumulatorFile af = e.accs;
    final int vl = e.vl;
    final int zx = e.zx;
    final int[] zw = e.zw;
    final boolean track = af.trackWidth;
    int bits = 0;
    for (int i = 0; i < b.accs.length; i++) {
      int d = b.accs[i];
      long[] acc = af.lanes[d];
      int[][] inRow = b.vmacInRow[i];
      int[] inOff = b.vmacInOff[i];
      int[][] wRow = b.vmacWRow[i];
      int[] wOff = b.vmacWOff[i];
      int covered = 0;
      if (Datapath.VECTOR_LANES) {
        if (track) {
          bits |= VectorLanes.vmacsTracked(acc, inRow, inOff, zx, wRow, wOff, zw, vl);
        } else {
          VectorLanes.vmacs(acc, inRow, inOff, zx, wRow, wOff, zw, vl);
        }
        covered = VectorLanes.covered(vl);
      }
      for (int l = covered; l < vl; l++) {
        int v = (int) acc[l];
        int z = zw[l];
        for (int j = 0; j < inRow.length; j++) {
          v += (inRow[j][inOff[j] + l] - zx) * (wRow[j][wOff[j] + l] - z);
          bits |= v ^ (v >> 31);
        }
        acc[l] = v;
      }
      // The interpreter's bound: each vmac adds 383 * 383.
      af.bound[d] += inRow.length * Datapath.MAX_PRODUCT;
    }
    if (track) {
      af.magnitudeBits |= bits;
    }
    vmacRuns++;
  }

  /** The block's weight operands minus their zero points, one row of lanes each ({@link #wz}). */
  private int[] weightRowsMinusZw(Block b) {
    Executor e = ex;
    final int lanes = e.lanes;
    final int vl = e.vl;
    final int[] zw = e.zw;
    final int[] w = wz;
    for (int i = 0; i < b.weightOperands.length; i++) {
      int o = b.weightOperands[i];
      if (o < 0) {
        subtract(e.v[-1 - o], 0, zw, w, i * lanes, vl);
      } else {
        subtract(slots, o * lanes, zw, w, i * lanes, vl);
      }
    }
    return w;
  }

  /**
   * A shared block of vdot4s with width tracking ({@link Block#sharedDot4}): as {@link #runShared},
   * but with zw subtracted from each raw weight row as it is loaded and in program order, so that
   * every instruction's partial sums are the interpreter's (each fits an int: {@link #run} proved
   * it), their watermark ORed into {@link AccumulatorFile#magnitudeBits} as the interpreter's v ^
   * (v >> 63) (the same value for an int).
   */
  private void runSharedTracked(Block b) {
    Executor e = ex;
    AccumulatorFile af = e.accs;
    final int lanes = e.lanes;
    final int vl = e.vl;
    final int[] slot = slots;
    // The raw weight rows, read where they lie: a load's slot, or a register copied after them.
    for (int o : b.weightOperands) {
      if (o < 0) {
        System.arraycopy(e.v[-1 - o], 0, slot, (b.loads + (-1 - o)) * lanes, lanes);
      }
    }
    final int[] w = slot;
    final int[] rows = b.rawW;
    final int[] zw = e.zw;
    final int zx = e.zx;
    final int m = b.accs.length;
    final int n = rows.length;
    final int[] as = sharedA;
    for (int i = 0; i < m; i++) {
      int[] from = b.termFrom[i];
      long magnitudes = 0;
      for (int t = 0; t < n; t++) {
        int f = from[t];
        int xo = (f >= 0 ? slot[f] : e.v[(-1 - f) / lanes][(-1 - f) % lanes]) - zx;
        as[i * n + t] = xo;
        magnitudes += Math.abs(xo);
      }
      // The interpreter's bound: each vdot4 adds (|a0| + .. + |a3|) * 383, each vmac.e |a| * 383.
      af.bound[b.accs[i]] += magnitudes * Datapath.MAX_OFFSET_OPERAND;
    }
    int bits = 0;
    int covered = 0;
    if (Datapath.VECTOR_LANES) {
      bits = VectorLanes.dot4Tracked(af.lanes, b.accs, as, n, m, w, rows, zw, vl);
      covered = VectorLanes.covered(vl);
    }
    for (int i = 0; i < m; i++) {
      long[] lanesOfAcc = af.lanes[b.accs[i]];
      for (int l = covered; l < vl; l++) {
        int v = (int) lanesOfAcc[l];
        for (int t = 0; t < n; t++) {
          v += as[i * n + t] * (w[rows[t] + l] - zw[l]);
          if (t % 4 == 3) {
            bits |= v ^ (v >> 31);
          }
        }
        lanesOfAcc[l] = v;
      }
    }
    af.magnitudeBits |= bits;
  }

  /**
   * With width tracking, accumulator i's MACs when they are all broadcast terms or all vmacs (not a
   * mix): into its lanes {@code a}, in program order, returning the watermark of every partial sum
   * (as the in-order loop of {@link #runPerAccumulator}, one lane vector kept across the block).
   */
  private int trackedLanes(Block b, int i, int[] a, int n, int[] w) {
    final int vl = ex.vl;
    final int[] slot = slots;
    int bits = 0;
    int covered = 0;
    if (n > 0) {
      int[] rows = b.termW[i];
      int[] ops = b.opTerms[i];
      if (Datapath.VECTOR_LANES) {
        bits = VectorLanes.termsTracked(a, termA, ops, w, rows, vl);
        covered = VectorLanes.covered(vl);
      }
      for (int l = covered; l < vl; l++) {
        int v = a[l];
        int t = 0;
        for (int op : ops) {
          for (int end = t + op; t < end; t++) {
            v += termA[t] * w[rows[t] + l];
          }
          bits |= v ^ (v >> 31);
        }
        a[l] = v;
      }
    } else {
      int[] inAt = b.vmacAt[i];
      int[] wAt = b.vmacW[i];
      int zx = ex.zx;
      if (Datapath.VECTOR_LANES) {
        bits = VectorLanes.macsTracked(a, slot, inAt, zx, w, wAt, vl);
        covered = VectorLanes.covered(vl);
      }
      for (int l = covered; l < vl; l++) {
        int v = a[l];
        for (int j = 0; j < inAt.length; j++) {
          v += (slot[inAt[j] + l] - zx) * w[wAt[j] + l];
          bits |= v ^ (v >> 31);
        }
        a[l] = v;
      }
    }
    return bits;
  }

  /** Lane {@code l} of an operand: a load of this block or a register as it was at entry. */
  private int lane(int operand, int l) {
    return operand < 0 ? ex.v[-1 - operand][l] : slots[operand * ex.lanes + l];
  }

  /** {@code to[at + l]} = the vl bytes at {@code addr}, sign- or zero-extended; 0 above vl. */
  private void widen(byte[] sp, int addr, boolean signed, int[] to, int at, int vl) {
    int l = Datapath.VECTOR_LANES ? VectorLanes.widen(sp, addr, signed, to, at, vl) : 0;
    if (signed) {
      for (; l < vl; l++) {
        to[at + l] = sp[addr + l];
      }
    } else {
      for (; l < vl; l++) {
        to[at + l] = sp[addr + l] & 0xFF;
      }
    }
    Arrays.fill(to, at + vl, at + ex.lanes, 0);
  }

  /** {@code to[at + l] = from[fromAt + l] - zw[l]} for l < vl. */
  private static void subtract(int[] from, int fromAt, int[] zw, int[] to, int at, int vl) {
    int l = Datapath.VECTOR_LANES ? VectorLanes.subtract(from, fromAt, zw, to, at, vl) : 0;
    for (; l < vl; l++) {
      to[at + l] = from[fromAt + l] - zw[l];
    }
  }

  /** {@code acc[l] += sum_t a[t] * w[off[t] + l]} over t in [first, first + n), for l < vl. */
  private static void terms(int[] acc, int[] a, int[] off, int first, int n, int[] w, int vl) {
    if (Datapath.VECTOR_LANES) {
      VectorLanes.termsInt(acc, a, off, first, n, w, vl);
      return;
    }
    for (int l = 0; l < vl; l++) {
      int sum = acc[l];
      for (int t = first; t < first + n; t++) {
        sum += a[t] * w[off[t] + l];
      }
      acc[l] = sum;
    }
  }

  /** {@code acc[l] += (in[inAt + l] - zx) * w[wAt + l]} for l < vl. */
  private static void mac(int[] acc, int[] in, int inAt, int zx, int[] w, int wAt, int vl) {
    int l = Datapath.VECTOR_LANES ? VectorLanes.macInt(acc, in, inAt, zx, w, wAt, vl) : 0;
    for (; l < vl; l++) {
      acc[l] += (in[inAt + l] - zx) * w[wAt + l];
    }
  }
}
