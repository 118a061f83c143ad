package dev.npusim.simulator;

import static dev.npusim.simulator.LoopPlanner.ACC;
import static dev.npusim.simulator.LoopPlanner.RQ;
import static dev.npusim.simulator.LoopPlanner.V;
import static dev.npusim.simulator.LoopPlanner.ZW;

import dev.npusim.isa.Opcode;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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
  private Worker[] workers = new Worker[0];

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
      Worker w = workers[j - 1];
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
      Worker w = workers[j - 1];
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
  private int runPart(
      Executor e,
      FusedBlocks f,
      boolean[] usable,
      FusedEpilogue epilogue,
      int pc,
      int depth,
      long iterations,
      long maxSteps,
      StoreLog log,
      Worker w)
      throws SimulationFault {
    final int[] blockAt = f.blockAt;
    final FusedBlocks.Block[] blocks = f.blocks;
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
  private boolean verify(Plan plan, Worker w) {
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
  private void merge(Plan plan, Worker w) {
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
      Worker[] more = Arrays.copyOf(workers, needed);
      for (int i = workers.length; i < needed; i++) {
        more[i] = new Worker(ex);
        more[i].adopt(ex, store);
      }
      workers = more;
    }
  }

  // A worker's phases: no part to run, a part handed over, its result ready, its thread gone.
  private static final int IDLE = 0;
  private static final int GO = 1;
  private static final int DONE = 2;
  private static final int EXIT = 3;

  /**
   * How long a worker's thread and a waiting caller spin before they park: the loops of one layer
   * follow each other within microseconds, and waking a parked thread costs tens of them.
   */
  private static final long SPIN_NANOS = 50_000;

  /** A worker's thread ends after this long without a part (a new one starts on demand). */
  private static final long IDLE_NANOS = 1_000_000_000L;

  private final class Worker {
    final Executor core;
    final StoreLog log = new StoreLog();
    final int[] startX = new int[Executor.XREGS];
    final byte[][] own;
    FusedBlocks fused;

    /** Per fused block: false if it holds a store (a worker must log every store it makes). */
    boolean[] usable;

    /** The worker's epilogue runs, logging their stores into {@link #log}. */
    FusedEpilogue epilogue;

    int depth;
    long iterations;
    long maxSteps;
    long steps0;
    long cycle0;
    long stalls0;

    /** The part's start cycle was predicted, and verification must find it. */
    boolean timed;

    /** {@link #IDLE}, {@link #GO}, {@link #DONE} or {@link #EXIT}; its thread's handshake. */
    final AtomicInteger phase = new AtomicInteger(EXIT);

    volatile boolean cancelled;

    /** The last part's outcome, valid once the phase is DONE. */
    boolean result;

    Thread thread;

    /** The caller parked in {@link #finish}, to be woken when the part is done. */
    volatile Thread waiter;

    Worker(Executor machine) {
      this.core = new Executor(machine);
      this.own = new byte[machine.spads.length][];
    }

    /** Takes the machine's decoded program and plans its own fused blocks. */
    void adopt(Executor m, boolean[] store) {
      Executor c = core;
      c.insns = m.insns;
      c.ops = m.ops;
      c.f1 = m.f1;
      c.f2 = m.f2;
      c.f3 = m.f3;
      c.f4 = m.f4;
      c.imm = m.imm;
      c.latency = m.latency;
      c.hits = new long[m.ops.length];
      c.units = new long[m.ops.length];
      fused = new FusedBlocks(c);
      usable = new boolean[fused.blocks.length];
      for (int b = 0; b < usable.length; b++) {
        usable[b] = true;
        for (int pc = fused.blocks[b].start; pc < fused.blocks[b].end; pc++) {
          usable[b] &= !store[pc];
        }
      }
      epilogue = new FusedEpilogue(c, fused.blockAt);
      epilogue.storeLog = log;
    }

    /** Sets up the predicted state at the start of iteration {@code first} of the loop. */
    void prepare(
        Executor m,
        Plan plan,
        int depth,
        long count,
        long first,
        long iterations,
        int[] x,
        long cycle,
        boolean timed,
        long maxSteps) {
      Executor c = core;
      this.timed = timed;
      this.depth = depth;
      this.iterations = iterations;
      this.maxSteps = maxSteps;
      System.arraycopy(x, 0, startX, 0, startX.length);
      System.arraycopy(startX, 0, c.x, 0, startX.length);
      for (int r = 0; r < Executor.VREGS; r++) {
        System.arraycopy(m.v[r], 0, c.v[r], 0, m.lanes);
      }
      for (int r = 0; r < AccumulatorFile.REGISTERS; r++) {
        System.arraycopy(m.accs.lanes[r], 0, c.accs.lanes[r], 0, m.lanes);
        c.accs.bound[r] = m.accs.bound[r];
      }
      c.accs.saturate = m.accs.saturate;
      c.accs.trackWidth = m.accs.trackWidth;
      c.accs.overflows = 0;
      c.accs.magnitudeBits = 0;
      System.arraycopy(m.zw, 0, c.zw, 0, m.lanes);
      System.arraycopy(m.rqM, 0, c.rqM, 0, m.lanes);
      System.arraycopy(m.rqS, 0, c.rqS, 0, m.lanes);
      c.zx = m.zx;
      c.zo = m.zo;
      c.amin = m.amin;
      c.amax = m.amax;
      c.rounding = m.rounding;
      c.requantMode = m.requantMode;
      c.outputType = m.outputType;
      c.vl = m.vl;
      System.arraycopy(m.loopStart, 0, c.loopStart, 0, depth + 1);
      System.arraycopy(m.loopEnd, 0, c.loopEnd, 0, depth + 1);
      System.arraycopy(m.loopCount, 0, c.loopCount, 0, depth + 1);
      c.loopCount[depth] = count - first;
      c.loopTop = depth;
      // A part retires instructions of the body only (merge reads these).
      Arrays.fill(c.hits, plan.start, plan.end, 0);
      Arrays.fill(c.units, plan.start, plan.end, 0);
      c.outputCounts[0] = c.outputCounts[1] = 0;
      // Untimed, the machine's cycle: the DMA engine is settled from it on, so any later cycle is
      // as good.
      c.cycle = cycle0 = cycle;
      c.dma.copyStateOf(m.dma);
      stalls0 = c.dma.bankConflictStalls;
      c.steps = steps0 = m.steps;
      for (int s = 0; s < c.spads.length; s++) {
        if ((plan.writes & (1 << s)) != 0) {
          if (own[s] == null) {
            own[s] = new byte[m.spads[s].length];
          }
          c.spads[s] = own[s];
        } else {
          c.spads[s] = m.spads[s];
        }
      }
      log.clear();
      epilogue.fusedRuns = 0;
      cancelled = false;
    }

    /** Hands the prepared part to the worker's thread (starting one if it has none). */
    void start() {
      int p = phase.get();
      // The thread may be ending (IDLE or DONE to EXIT) at the same moment: then start another.
      if (p != EXIT && phase.compareAndSet(p, GO)) {
        LockSupport.unpark(thread);
        return;
      }
      phase.set(GO);
      thread = new Thread(this::serve, "npusim-parallel-loop");
      thread.setDaemon(true);
      thread.start();
    }

    /** The worker's thread: runs each part handed over, spins a little, then parks, then ends. */
    private void serve() {
      while (true) {
        long idleSince = System.nanoTime();
        int p;
        while ((p = phase.get()) != GO) {
          long idle = System.nanoTime() - idleSince;
          if (idle < SPIN_NANOS) {
            Thread.onSpinWait();
          } else if (idle < IDLE_NANOS) {
            LockSupport.parkNanos(this, IDLE_NANOS);
          } else if (phase.compareAndSet(p, EXIT)) {
            return;
          }
        }
        boolean ok;
        try {
          int pc =
              runPart(
                  core,
                  fused,
                  usable,
                  epilogue,
                  core.loopStart[depth],
                  depth,
                  iterations,
                  maxSteps,
                  log,
                  this);
          ok = pc >= 0;
        } catch (SimulationFault | RuntimeException f) {
          ok = false;
        }
        result = ok;
        phase.set(DONE);
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }

    /** Waits until the part handed over is done; false if it faulted or was cancelled. */
    boolean finish() {
      long since = System.nanoTime();
      while (phase.get() == GO) {
        if (System.nanoTime() - since < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          waiter = Thread.currentThread();
          if (phase.get() == GO) {
            LockSupport.park(this);
          }
          waiter = null;
        }
      }
      return result && !cancelled;
    }

    /** Stops the part (if it runs, at its next iteration) and waits until it has. */
    void discard() {
      cancelled = true;
      finish();
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
    for (Worker w : workers) {
      w.adopt(e, store);
    }
    plannedFor = e.ops;
  }
}
