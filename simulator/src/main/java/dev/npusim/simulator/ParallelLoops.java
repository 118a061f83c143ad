package dev.npusim.simulator;

import static dev.npusim.simulator.LoopPlanner.ACC;
import static dev.npusim.simulator.LoopPlanner.RQ;
import static dev.npusim.simulator.LoopPlanner.V;
import static dev.npusim.simulator.LoopPlanner.ZW;

import dev.npusim.isa.Opcode;
import java.util.Arrays;

/**
 * {@link Engine#PARALLEL}: the fast engine ({@link FusedBlocks} and {@link FusedEpilogue}, here and
 * in every worker), plus iterations of a hardware loop run on other threads when that provably
 * gives the sequential machine's result.
 *
 * <h2>Which loops (static, once per program)</h2>
 *
 * A {@code loop} whose body (nested loops included) has no branch, {@code halt}, DMA instruction or
 * control-register write, whose nested loops lie inside it, which stores only to scratchpads it
 * never reads, and whose iterations change the scalar registers only by adding constants ({@link
 * LoopPlanner#scalarTransfer}: the compiled kernels' addresses and counters; nested loops need
 * constant counts). Such a body's iterations differ only by the state they start from. A liveness
 * pass ({@link LoopPlanner}) finds the part of that state an iteration can observe: components
 * (vector and accumulator registers, weight zero points, requantization registers) read before the
 * iteration writes them, and components it may leave unwritten (written only inside a nested loop
 * whose count is not a known non-zero constant). Everything else an iteration overwrites before
 * use.
 *
 * <h2>How (at run time, at each entry of such a loop with enough work, {@link #minSteps})</h2>
 *
 * <ol>
 *   <li>the iterations are split into consecutive parts; part 0 runs here, on the machine; each
 *       other part runs on a worker core ({@link Executor#Executor(Executor)}) that starts from a
 *       <em>prediction</em> of the state at its first iteration b: the scalar transfer applied b
 *       times to the registers at entry; everything else as at entry; the loop's count {@code n -
 *       b}; a copy of the DMA engine (no instruction in the body changes its queues). If a transfer
 *       in flight can still stall an access ({@link DmaEngine#settled}), the cycle matters too, and
 *       is predicted as the entry cycle plus b iterations without stalls; otherwise it does not. A
 *       worker reads the scratchpads the body reads (nobody writes them during the loop) and stores
 *       into private arrays, logging where (interpreted stores before they execute, a fused
 *       epilogue's through {@link FusedEpilogue#storeLog}; fused blocks holding a store are
 *       interpreted);
 *   <li>in order, each part is <em>verified</em> against the real state at its start (the
 *       machine's, after the parts before it): every scalar register, every observable component
 *       and the cycle, if predicted, equal to the prediction. Execution being deterministic, the
 *       part's was then the sequential one, instruction by instruction, and it is merged:
 *       registers, logged stores, counters (hits and lanes per pc, steps, cycles, stalls,
 *       saturations, overflows, width bits), provided the step limit is not passed. Otherwise the
 *       part and those after it are discarded (nothing of theirs has touched the machine) and the
 *       rest of the loop runs here, sequentially, from the real state.
 * </ol>
 *
 * A worker that faults or meets the step limit is discarded the same way, so faults happen where
 * the sequential machine has them (part 0 and the sequential rest are the machine's own execution).
 * {@code ParallelLoopsProperties} and {@code ParallelEngineLayerProperties} compare this engine
 * with the interpreter on random programs and compiled layers.
 */
final class ParallelLoops {
  /**
   * Below this many instructions in a loop, handing half of it to another thread costs more than it
   * saves.
   */
  static final long DEFAULT_MIN_STEPS = 4_096;

  private final Executor ex;

  /** Instructions a loop's iterations must hold, in all, for it to be split. */
  long minSteps = DEFAULT_MIN_STEPS;

  /** How many parts a loop is split into (this thread and parts - 1 workers). */
  int parts = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));

  /** Parts run on workers and merged, and parts discarded (tests check that both happen). */
  long partsMerged;

  long partsDiscarded;

  /** Of the parts merged, those whose start cycle was predicted (transfers in flight). */
  long partsMergedTimed;

  /** {@link FusedEpilogue} runs done as one operation in the parts merged. */
  long partsEpilogueRuns;

  private Opcode[] plannedFor;
  private Plan[] planAt = new Plan[0];
  private boolean[] store = new boolean[0];
  private LoopPartWorker[] workers = new LoopPartWorker[0];

  /** Scalar registers predicted for the start of a part. */
  private final int[] predicted = new int[Executor.XREGS];

  private final int[] scratch = new int[Executor.XREGS];

  /** Loops of more iterations are not split (predicting a part's registers takes one step each). */
  static final long MAX_SPLIT_COUNT = 1 << 20;

  // The observable non-scalar components at the loop's entry: what each worker starts from.
  private final int[][] entryV;
  private final long[][] entryAcc;
  private final long[] entryBound = new long[AccumulatorFile.REGISTERS];
  private final int[] entryZw;
  private final int[] entryRqM;
  private final int[] entryRqS;

  ParallelLoops(Executor ex) {
    this.ex = ex;
    this.entryV = new int[Executor.VREGS][ex.lanes];
    this.entryAcc = new long[AccumulatorFile.REGISTERS][ex.lanes];
    this.entryZw = new int[ex.lanes];
    this.entryRqM = new int[ex.lanes];
    this.entryRqS = new int[ex.lanes];
  }

  /** A loop that may run in parts: its body, what a part must match, and where it stores. */
  static final class Plan {
    final int start;
    final int end;

    /** Non-scalar components (indices as in the liveness pass) an iteration can observe. */
    final int[] observed;

    /** Scratchpads the body stores to (bit per scratchpad). */
    final int writes;

    /** Instructions of one iteration, nested loops of unknown count counted once. */
    final long stepsPerIteration;

    /**
     * Entries whose parts were merged or discarded: a loop whose predictions keep failing (its
     * iterations depend on each other) is left to run sequentially.
     */
    long merged;

    long discarded;

    /** Cycles of one iteration without stalls. */
    final long cyclesPerIteration;

    /**
     * What one iteration does to the scalar registers: {@code x'[r] = x[base[r]] + off[r]} (base 0
     * is x0, so a constant), from {@link LoopPlanner#scalarTransfer}.
     */
    final int[] base;

    final int[] off;

    Plan(
        int start,
        int end,
        int[] observed,
        int writes,
        long stepsPerIteration,
        long cyclesPerIteration,
        int[] base,
        int[] off) {
      this.cyclesPerIteration = cyclesPerIteration;
      this.base = base;
      this.off = off;
      this.start = start;
      this.end = end;
      this.observed = observed;
      this.writes = writes;
      this.stepsPerIteration = stepsPerIteration;
    }
  }

  // ------------------------------------------------------------------ the run loop

  /** Runs the loaded program from pc 0 until halt, as {@link Executor#runFast} does. */
  int run(long maxSteps) throws SimulationFault {
    final Executor e = ex;
    if (plannedFor != e.ops) {
      plan();
    }
    final Plan[] planAt = this.planAt;
    int pc = 0;
    try {
      while (true) {
        e.checkPc(pc);
        int end = e.runFused(pc, maxSteps);
        if (end >= 0) {
          pc = e.loopBack(end);
          continue;
        }
        int top = e.loopTop;
        int next = e.step(pc, maxSteps);
        if (next == Executor.HALTED) {
          return pc;
        }
        Plan plan = planAt[pc];
        if (plan != null && e.loopTop > top) {
          // The loop was entered (next is its first pc, which ends no loop).
          int after = runLoop(plan, maxSteps);
          pc = after == plan.end ? e.loopBack(after) : after;
          continue;
        }
        pc = e.loopBack(next);
      }
    } catch (FaultSignal f) {
      throw e.fault(f, pc);
    }
  }

  /**
   * Runs the loop just entered (on top of the loop stack, at its first pc): in parts if it pays and
   * is safe, else sequentially. Returns the loop's end once it has finished (its back edges
   * applied, the enclosing loops' not yet), or its start with the loop still on the stack when the
   * rest is left to the caller's sequential loop.
   */
  private int runLoop(Plan plan, long maxSteps) throws SimulationFault {
    final Executor e = ex;
    final int depth = e.loopTop;
    final long count = e.loopCount[depth];
    int splits = (int) Math.min(parts, count);
    if (splits < 2
        || count > MAX_SPLIT_COUNT
        || plan.discarded > 4 + 4 * plan.merged
        || LoopPlanner.saturatingMul(count, plan.stepsPerIteration) < minSteps) {
      return plan.start;
    }
    // With transfers in flight, an access may stall depending on the cycle: then each part starts
    // at the cycle it would reach without stalls, and must find it so.
    boolean timed = !e.dma.settled(e.cycle);
    snapshotObserved(plan);
    ensureWorkers(splits - 1);
    // Part j runs iterations [first[j], first[j + 1]); part 0 here. Each worker starts from the
    // registers the scalar transfer predicts for its first iteration.
    long[] first = new long[splits + 1];
    for (int j = 0; j <= splits; j++) {
      first[j] = count * j / splits;
    }
    int[] x = predicted;
    System.arraycopy(e.x, 0, x, 0, x.length);
    long at = 0;
    for (int j = 1; j < splits; j++) {
      for (; at < first[j]; at++) {
        step(plan, x);
      }
      LoopPartWorker w = workers[j - 1];
      long cycle = timed ? e.cycle + first[j] * plan.cyclesPerIteration : e.cycle;
      w.prepare(
          e, plan, depth, count, first[j], first[j + 1] - first[j], x, cycle, timed, maxSteps);
      w.start();
    }
    int pc;
    boolean ok = false;
    try {
      pc = runPart(e, e.fused, null, e.epilogue, plan.start, depth, first[1], maxSteps, null, null);
      ok = true;
    } finally {
      if (!ok) {
        for (int j = 1; j < splits; j++) {
          workers[j - 1].discard();
        }
      }
    }
    for (int j = 1; j < splits; j++) {
      LoopPartWorker w = workers[j - 1];
      if (w.finish() && verify(plan, w) && e.steps + (w.core.steps - w.steps0) <= maxSteps) {
        merge(plan, w);
        partsMerged++;
        partsMergedTimed += w.timed ? 1 : 0;
        plan.merged++;
        pc = j == splits - 1 ? plan.end : plan.start;
      } else {
        for (int i = j; i < splits; i++) {
          workers[i - 1].discard();
          partsDiscarded++;
        }
        plan.discarded++;
        return plan.start;
      }
    }
    return pc;
  }

  /** Advances predicted registers by one iteration of the plan's loop. */
  private void step(Plan plan, int[] x) {
    int[] y = scratch;
    for (int r = 0; r < y.length; r++) {
      y[r] = x[plan.base[r]] + plan.off[r];
    }
    System.arraycopy(y, 0, x, 0, y.length);
  }

  /**
   * Runs core e from pc inside the loop at stack index depth until `iterations` more iterations are
   * complete (returns the loop's start, the loop still on the stack) or the loop finishes (returns
   * its end). Returns -1 if the worker w is cancelled meanwhile.
   */
  int runPart(
      Executor e,
      FusedBlocks f,
      boolean[] usable,
      FusedEpilogue epilogue,
      int pc,
      int depth,
      long iterations,
      long maxSteps,
      StoreLog log,
      LoopPartWorker w)
      throws SimulationFault {
    final int[] blockAt = f.blockAt;
    final BlockPlanner.Block[] blocks = f.blocks;
    final int[] runAt = epilogue.runAt;
    final FusedEpilogue.Run[] runs = epilogue.runs;
    final boolean[] store = this.store;
    final int[] loopEnd = e.loopEnd;
    final long[] loopCount = e.loopCount;
    long done = 0;
    try {
      while (true) {
        int next;
        int block = blockAt[pc];
        int run;
        // Inside the loop at depth, a block's own inner loop may run several iterations at once
        // (FusedBlocks.runInLoop); the loop at depth itself counts its iterations one by one.
        if (block >= 0
            && (usable == null || usable[block])
            && (e.loopTop > depth
                ? f.runInLoop(blocks[block], maxSteps)
                : f.run(blocks[block], maxSteps))) {
          next = blocks[block].end;
        } else if ((run = runAt[pc]) >= 0 && epilogue.run(runs[run], maxSteps)) {
          // On a worker, the epilogue logs its stores itself (FusedEpilogue.storeLog).
          next = runs[run].end;
        } else {
          e.checkStepLimit(maxSteps);
          if (log != null && store[pc]) {
            log.record(e, pc);
          }
          next = e.execute(pc);
          e.retire(pc);
        }
        // The back edges of Executor.loopBack, stopping at the loop at depth.
        while (e.loopTop >= depth && next == loopEnd[e.loopTop]) {
          int top = e.loopTop;
          if (--loopCount[top] > 0) {
            next = e.loopStart[top];
            if (top == depth) {
              if (++done == iterations) {
                return next;
              }
              if (w != null && w.cancelled) {
                return -1;
              }
            }
            break;
          }
          e.loopTop--;
          if (top == depth) {
            return next;
          }
        }
        pc = next;
      }
    } catch (FaultSignal s) {
      throw e.fault(s, pc);
    }
  }

  // ------------------------------------------------------------------ verification and merge

  private void snapshotObserved(Plan plan) {
    Executor e = ex;
    for (int c : plan.observed) {
      if (c >= V && c < ACC) {
        System.arraycopy(e.v[c - V], 0, entryV[c - V], 0, e.lanes);
      } else if (c >= ACC && c < ZW) {
        System.arraycopy(e.accs.lanes[c - ACC], 0, entryAcc[c - ACC], 0, e.lanes);
        entryBound[c - ACC] = e.accs.bound[c - ACC];
      } else if (c == ZW) {
        System.arraycopy(e.zw, 0, entryZw, 0, e.lanes);
      } else if (c == RQ) {
        System.arraycopy(e.rqM, 0, entryRqM, 0, e.lanes);
        System.arraycopy(e.rqS, 0, entryRqS, 0, e.lanes);
      }
    }
  }

  /**
   * True if the machine's state at the start of worker w's first iteration is what w started from,
   * in everything the iteration can observe.
   */
  private boolean verify(Plan plan, LoopPartWorker w) {
    Executor e = ex;
    if (!Arrays.equals(e.x, w.startX) || (w.timed && e.cycle != w.cycle0)) {
      return false;
    }
    for (int c : plan.observed) {
      boolean same;
      if (c >= V && c < ACC) {
        same = Arrays.equals(e.v[c - V], entryV[c - V]);
      } else if (c >= ACC && c < ZW) {
        same =
            Arrays.equals(e.accs.lanes[c - ACC], entryAcc[c - ACC])
                && e.accs.bound[c - ACC] == entryBound[c - ACC];
      } else if (c == ZW) {
        same = Arrays.equals(e.zw, entryZw);
      } else {
        same = Arrays.equals(e.rqM, entryRqM) && Arrays.equals(e.rqS, entryRqS);
      }
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** Takes over a verified worker's state and adds its counters and stores to the machine's. */
  private void merge(Plan plan, LoopPartWorker w) {
    Executor e = ex;
    Executor c = w.core;
    System.arraycopy(c.x, 0, e.x, 0, e.x.length);
    for (int r = 0; r < Executor.VREGS; r++) {
      System.arraycopy(c.v[r], 0, e.v[r], 0, e.lanes);
    }
    for (int r = 0; r < AccumulatorFile.REGISTERS; r++) {
      System.arraycopy(c.accs.lanes[r], 0, e.accs.lanes[r], 0, e.lanes);
      e.accs.bound[r] = c.accs.bound[r];
    }
    System.arraycopy(c.zw, 0, e.zw, 0, e.lanes);
    System.arraycopy(c.rqM, 0, e.rqM, 0, e.lanes);
    System.arraycopy(c.rqS, 0, e.rqS, 0, e.lanes);
    e.loopTop = c.loopTop;
    if (c.loopTop >= w.depth) {
      e.loopCount[w.depth] = c.loopCount[w.depth];
    }
    long[] hits = e.hits;
    long[] units = e.units;
    for (int pc = plan.start; pc < plan.end; pc++) {
      hits[pc] += c.hits[pc];
      units[pc] += c.units[pc];
    }
    e.steps += c.steps - w.steps0;
    e.cycle += c.cycle - w.cycle0;
    e.dma.bankConflictStalls += c.dma.bankConflictStalls - w.stalls0;
    e.outputCounts[0] += c.outputCounts[0];
    e.outputCounts[1] += c.outputCounts[1];
    e.accs.overflows += c.accs.overflows;
    e.accs.magnitudeBits |= c.accs.magnitudeBits;
    w.log.replay(c, e);
    partsEpilogueRuns += w.epilogue.fusedRuns;
  }

  // ------------------------------------------------------------------ workers

  private void ensureWorkers(int needed) {
    if (workers.length < needed) {
      LoopPartWorker[] more = Arrays.copyOf(workers, needed);
      for (int i = workers.length; i < needed; i++) {
        more[i] = new LoopPartWorker(this, ex);
        more[i].adopt(ex, store);
      }
      workers = more;
    }
  }

  /** Where a worker stored: scratchpad, address and lane stride of each vector store, in order. */
  static final class StoreLog {
    int size;
    int[] entries = new int[3 * 64];

    void clear() {
      size = 0;
    }

    /** Logs the store the instruction at pc is about to make (registers as they stand). */
    void record(Executor e, int pc) {
      add(e.f2[pc], e.x[e.f3[pc]], e.ops[pc] == Opcode.VSTS ? e.x[e.f4[pc]] : 1);
    }

    /** Logs a store of vl lanes to scratchpad spad from addr, lane l at addr + l * stride. */
    void add(int spad, int addr, int stride) {
      if (3 * size + 3 > entries.length) {
        entries = Arrays.copyOf(entries, 2 * entries.length);
      }
      entries[3 * size] = spad;
      entries[3 * size + 1] = addr;
      entries[3 * size + 2] = stride;
      size++;
    }

    /** Copies the logged stores' bytes from the worker's private scratchpads to the machine's. */
    void replay(Executor worker, Executor machine) {
      int vl = worker.vl;
      for (int i = 0; i < size; i++) {
        int s = entries[3 * i];
        int addr = entries[3 * i + 1];
        int stride = entries[3 * i + 2];
        byte[] from = worker.spads[s];
        byte[] to = machine.spads[s];
        if (stride == 1) {
          System.arraycopy(from, addr, to, addr, vl);
        } else {
          for (int l = 0; l < vl; l++) {
            to[addr + l * stride] = from[addr + l * stride];
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ the static plan

  private void plan() {
    Executor e = ex;
    int n = e.ops.length;
    store = new boolean[n];
    for (int pc = 0; pc < n; pc++) {
      store[pc] = e.ops[pc] == Opcode.VST || e.ops[pc] == Opcode.VSTS;
    }
    planAt = new Plan[n];
    for (int pc = 0; pc < n; pc++) {
      if (e.ops[pc] == Opcode.LOOP) {
        planAt[pc] = LoopPlanner.planLoop(e, pc);
      }
    }
    for (LoopPartWorker w : workers) {
      w.adopt(e, store);
    }
    plannedFor = e.ops;
  }
}
