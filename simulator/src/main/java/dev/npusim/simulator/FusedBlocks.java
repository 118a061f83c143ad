package dev.npusim.simulator;

import dev.npusim.isa.Opcode;
import dev.npusim.simulator.BlockPlanner.Block;
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

  FusedBlocks(Executor ex) {
    this.ex = ex;
    Opcode[] ops = ex.ops;
    int n = ops.length;
    boolean[] boundary = BlockPlanner.boundaries(ex);
    blockAt = new int[n];
    Arrays.fill(blockAt, -1);
    List<Block> found = new ArrayList<>();
    int maxLoads = 0;
    int maxWeights = 0;
    int maxTerms = 0;
    int pc = 0;
    while (pc < n) {
      if (!BlockPlanner.fusible(ex, pc)) {
        pc++;
        continue;
      }
      int end = pc + 1;
      while (end < n && !boundary[end] && BlockPlanner.fusible(ex, end)) {
        end++;
      }
      Block b = BlockPlanner.plan(ex, pc, end);
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
      BlockPlanner.planVmacRows(b, ex, slots);
    }
    wz = new int[Math.max(1, maxWeights) * ex.lanes];
    acc = new int[ex.lanes];
    termA = new int[Math.max(1, maxTerms)];
    rowAddrs = new int[Math.max(1, maxTerms)];
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
