package dev.npusim.simulator;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker core of {@link ParallelLoops}: an {@link Executor} of its own that runs one part of a
 * split loop from a predicted start state, on a thread it keeps while parts keep coming, storing
 * into private scratchpads and logging where ({@link ParallelLoops.StoreLog}) until the part is
 * verified and merged, or discarded.
 */
final class LoopPartWorker {
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

  private final ParallelLoops loops;
  final Executor core;
  final ParallelLoops.StoreLog log = new ParallelLoops.StoreLog();
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

  LoopPartWorker(ParallelLoops loops, Executor machine) {
    this.loops = loops;
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
      ParallelLoops.Plan plan,
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
            loops.runPart(
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
