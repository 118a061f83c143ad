package dev.npusim.simulator;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.isa.CycleClass;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.EnergyEvent;
import dev.npusim.isa.EnergyTerm;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.OperandKind;
import dev.npusim.isa.Program;
import dev.npusim.isa.Scratchpad;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * A simulated machine: DRAM, which persists between runs, and a core whose registers, scratchpads
 * and DMA queues are reset at the start of every run.
 *
 * <pre>{@code
 * Machine m = new Machine(MachineConfig.defaults());
 * m.writeDram(0, input);
 * RunResult r = m.run(program, 1_000_000);
 * byte[] out = m.readDram(4096, 64);
 * }</pre>
 */
public final class Machine {
  /** Default step limit: enough for any single layer of the networks in this project. */
  public static final long DEFAULT_MAX_STEPS = 2_000_000_000L;

  private final MachineConfig config;
  private final Executor core;
  private Program loaded;
  private Engine engine = defaultEngine;

  /**
   * The engine new machines start with: {@link Engine#FAST} unless the command line's {@code
   * --engine} chose another for the whole process (the machines are built deep inside the study and
   * the cost model, which need not know how instructions execute).
   */
  private static volatile Engine defaultEngine = Engine.FAST;

  /** Sets the engine of machines built from now on, in this process. */
  public static void setDefaultEngine(Engine engine) {
    defaultEngine = java.util.Objects.requireNonNull(engine, "engine");
  }

  public static Engine defaultEngine() {
    return defaultEngine;
  }

  public Machine(MachineConfig config) {
    this.config = config;
    this.core = new Executor(config);
  }

  /** A machine that runs programs on the given engine. */
  public Machine(MachineConfig config, Engine engine) {
    this(config);
    setEngine(engine);
  }

  /** {@link Engine#PARALLEL}'s planner and workers, made on the first parallel run. */
  private ParallelLoops parallel;

  ParallelLoops parallelLoops() {
    if (parallel == null) {
      parallel = new ParallelLoops(core);
    }
    return parallel;
  }

  /**
   * {@link Engine#PARALLEL}: the least number of instructions a loop's remaining iterations must
   * hold to be split over threads ({@value ParallelLoops#DEFAULT_MIN_STEPS} by default), and how
   * many parts (threads, this one included; the host's processors by default, at most 8). Results
   * and counters do not depend on either; tests lower the threshold to split small loops.
   */
  public void setParallelSplit(long minSteps, int parts) {
    checkArgument(minSteps >= 0, "min steps must not be negative, got %s", minSteps);
    checkArgument(parts >= 1 && parts <= 64, "parts must be in [1, 64], got %s", parts);
    parallelLoops().minSteps = minSteps;
    parallelLoops().parts = parts;
  }

  /**
   * {@link Engine#PARALLEL}: parts of loops run on other threads and merged, parts discarded (their
   * prediction failed, they faulted, or a step limit fell inside them), and merged parts whose
   * start cycle had to be predicted (DMA transfers in flight), and fused epilogue runs (stores
   * included) done as one operation inside the merged parts, since this machine was built.
   */
  public long[] parallelParts() {
    return parallel == null
        ? new long[4]
        : new long[] {
          parallel.partsMerged,
          parallel.partsDiscarded,
          parallel.partsMergedTimed,
          parallel.partsEpilogueRuns
        };
  }

  /** The core, for tests in this package that compare complete machine states. */
  Executor core() {
    return core;
  }

  /** Selects the engine of later runs; {@link #defaultEngine} at construction. */
  public void setEngine(Engine engine) {
    this.engine = java.util.Objects.requireNonNull(engine, "engine");
  }

  public Engine engine() {
    return engine;
  }

  public MachineConfig config() {
    return config;
  }

  /** Copies bytes into DRAM. */
  public void writeDram(int addr, byte[] data) {
    checkDram(addr, data.length);
    System.arraycopy(data, 0, core.dram, addr, data.length);
  }

  /** Copies {@code length} bytes of {@code data} from {@code offset} into DRAM. */
  public void writeDram(int addr, byte[] data, int offset, int length) {
    checkDram(addr, length);
    System.arraycopy(data, offset, core.dram, addr, length);
  }

  /** Copies bytes out of DRAM. */
  public byte[] readDram(int addr, int length) {
    checkDram(addr, length);
    byte[] out = new byte[length];
    System.arraycopy(core.dram, addr, out, 0, length);
    return out;
  }

  public int dramSize() {
    return core.dram.length;
  }

  /** Zeroes all of DRAM. */
  public void clearDram() {
    java.util.Arrays.fill(core.dram, (byte) 0);
  }

  private void checkDram(int addr, int length) {
    checkArgument(
        addr >= 0 && length >= 0 && (long) addr + length <= core.dram.length,
        "dram[%s..%s) is outside the %s bytes of DRAM",
        addr,
        (long) addr + length,
        core.dram.length);
  }

  /** A copy of a scratchpad's bytes after the last run. */
  public byte[] scratchpad(Scratchpad s) {
    return core.spads[s.ordinal()].clone();
  }

  /** Scalar register value after the last run. */
  public int x(int i) {
    return core.x[i];
  }

  /** Vector register lanes after the last run. */
  public int[] v(int i) {
    return core.v[i].clone();
  }

  /** Accumulator lanes after the last run. */
  public long[] acc(int i) {
    return core.accs.lanes[i].clone();
  }

  /**
   * Watches every accumulator add and reports in {@link RunResult#accumulatorBitsNeeded()} the
   * narrowest accumulator that would never overflow, in the program's own accumulation order.
   */
  public void trackAccumulatorWidth(boolean on) {
    checkArgument(!(on && !core.computeValues), "a timing-only run cannot track widths");
    core.accs.trackWidth = on;
  }

  /**
   * Timing only: later runs compute every counter that cannot depend on data values, and no values.
   * No instruction moves a vector, accumulator or memory value into a scalar register, a control
   * register or an address, so control flow, addresses, DMA, stalls, and therefore cycles, hits per
   * pc, lanes, bytes and energy events are the same whatever the data (the cost model reads nothing
   * else). Vector instructions still check their addresses and stall on DMA, {@code rqld} still
   * loads and checks its shifts (a fault that does depend on data); the rest of the datapath is
   * skipped. Registers, accumulators and the memory that vector instructions write then hold stale
   * values, and overflow, saturation and clamp counts are zero: read only the value-independent
   * counters of such a run. Runs take the interpreter's loop (there is no arithmetic left to fuse).
   */
  public void setTimingOnly(boolean on) {
    checkArgument(!(on && core.accs.trackWidth), "a timing-only run cannot track widths");
    core.computeValues = !on;
  }

  public boolean timingOnly() {
    return !core.computeValues;
  }

  /** Runs a program from pc 0 until halt. */
  public RunResult run(Program program, long maxSteps) throws SimulationFault {
    return run(program, maxSteps, null, null);
  }

  /**
   * Runs a program from pc 0 until halt.
   *
   * @param trace receives one line per retired instruction (pc, text, changed state), or null
   * @param timeline receives DMA transfers and compute intervals for a trace viewer, or null
   */
  public RunResult run(Program program, long maxSteps, Appendable trace, Timeline timeline)
      throws SimulationFault {
    return run(program, maxSteps, trace, timeline, null);
  }

  /**
   * Runs a program from pc 0 until halt, reporting one {@link CommitRecord} per retired instruction
   * (the commit log, {@code docs/commit-log.md}). It takes the traced path; a run without a
   * listener is untouched.
   */
  public RunResult run(Program program, long maxSteps, CommitListener commits)
      throws SimulationFault {
    return run(program, maxSteps, null, null, commits);
  }

  private RunResult run(
      Program program, long maxSteps, Appendable trace, Timeline timeline, CommitListener commits)
      throws SimulationFault {
    checkArgument(maxSteps > 0, "max steps must be positive, got %s", maxSteps);
    if (program != loaded) {
      core.load(program.instructions().toArray(new Instruction[0]));
      loaded = program;
    }
    core.reset();
    core.dma.listener =
        timeline == null
            ? null
            : (queue, spad, pc, start, end, bytes) ->
                timeline.dmaTransfer(queue, spad, pc, start, end, bytes);
    try {
      if (trace == null && timeline == null && commits == null) {
        if (engine == Engine.FAST && core.computeValues) {
          core.runFast(maxSteps);
        } else if (engine == Engine.PARALLEL) {
          parallelLoops().run(maxSteps);
        } else {
          core.run(maxSteps);
        }
      } else {
        new TracedRun(core, trace, timeline, commits).run(maxSteps);
      }
    } finally {
      core.dma.listener = null;
    }
    return result();
  }

  private static final Opcode[] OPCODES = Opcode.values();

  /** Per opcode, the index of its scratchpad operand, or -1. */
  private static final int[] SPAD_OPERAND = new int[OPCODES.length];

  /** Per opcode without a scratchpad operand, the scratchpad it always uses, or -1. */
  private static final int[] FIXED_SPAD = new int[OPCODES.length];

  static {
    for (Opcode op : OPCODES) {
      SPAD_OPERAND[op.ordinal()] = op.indexOf(OperandKind.SPAD);
      FIXED_SPAD[op.ordinal()] = op.fixedScratchpad().map(Enum::ordinal).orElse(-1);
    }
  }

  private RunResult result() {
    Executor c = core;
    long[] byClass = c.countsByClass();
    Map<CycleClass, Long> classes = new EnumMap<>(CycleClass.class);
    for (CycleClass k : CycleClass.values()) {
      classes.put(k, byClass[k.ordinal()]);
    }
    long[] events = new long[EnergyEvent.values().length];
    long[] reads = new long[Scratchpad.count()];
    long[] writes = new long[Scratchpad.count()];
    // Energy is linear in hits and lanes: sum them per opcode and scratchpad first (a program has
    // tens of thousands of pcs and a few dozen opcodes), then apply each opcode's terms once.
    int spadSlots = Scratchpad.count() + 1;
    long[] hitsBy = new long[OPCODES.length * spadSlots];
    long[] unitsBy = new long[OPCODES.length * spadSlots];
    for (int pc = 0; pc < c.ops.length; pc++) {
      long hits = c.hits[pc];
      if (hits == 0) {
        continue;
      }
      int o = c.ops[pc].ordinal();
      int spadIndex = SPAD_OPERAND[o];
      int spad = spadIndex >= 0 ? c.insns[pc].operand(spadIndex) : FIXED_SPAD[o];
      int at = o * spadSlots + spad + 1;
      hitsBy[at] += hits;
      unitsBy[at] += c.units[pc];
    }
    for (int o = 0; o < OPCODES.length; o++) {
      for (int spad = -1; spad < Scratchpad.count(); spad++) {
        long hits = hitsBy[o * spadSlots + spad + 1];
        if (hits == 0) {
          continue;
        }
        long units = unitsBy[o * spadSlots + spad + 1];
        for (EnergyTerm t : OPCODES[o].energy()) {
          long amount =
              t.factor()
                  * switch (t.per()) {
                    case INSTRUCTION -> hits;
                    case LANE, TRANSFER_BYTE -> units;
                  };
          switch (t.event()) {
            case SPAD_READ_BYTE -> reads[spad] += amount;
            case SPAD_WRITE_BYTE -> writes[spad] += amount;
            default -> events[t.event().ordinal()] += amount;
          }
        }
      }
    }
    events[EnergyEvent.INSTRUCTION_FETCH.ordinal()] = c.steps;
    Map<EnergyEvent, Long> ev = new EnumMap<>(EnergyEvent.class);
    for (EnergyEvent e : EnergyEvent.values()) {
      if (e != EnergyEvent.SPAD_READ_BYTE && e != EnergyEvent.SPAD_WRITE_BYTE) {
        ev.put(e, events[e.ordinal()]);
      }
    }
    Map<Scratchpad, Long> rd = new EnumMap<>(Scratchpad.class);
    Map<Scratchpad, Long> wr = new EnumMap<>(Scratchpad.class);
    for (Scratchpad s : Scratchpad.values()) {
      rd.put(s, reads[s.ordinal()]);
      wr.put(s, writes[s.ordinal()]);
    }
    DmaEngine d = c.dma;
    return new RunResult(
        c.steps,
        c.cycle,
        ImmutableMap.copyOf(classes),
        events[EnergyEvent.MAC8.ordinal()],
        c.accs.overflows,
        c.accs.trackWidth ? 65 - Long.numberOfLeadingZeros(c.accs.magnitudeBits) : -1,
        c.outputCounts[0],
        c.outputCounts[1],
        new RunResult.Stalls(d.waitStalls, d.queueFullStalls, d.bankConflictStalls, c.drainStall),
        new RunResult.DmaTraffic(
            d.bytesMoved[0],
            d.bytesMoved[1],
            d.transfers[0],
            d.transfers[1],
            d.busyCycles[0],
            d.busyCycles[1]),
        ImmutableMap.copyOf(ev),
        ImmutableMap.copyOf(rd),
        ImmutableMap.copyOf(wr),
        ImmutableLongArray.copyOf(c.hits));
  }

  /** Receives the run's activity over time, for a trace viewer. */
  public interface Timeline {
    /** One DMA transfer occupying its queue's channel over [start, end). */
    void dmaTransfer(DmaQueue queue, Scratchpad spad, int pc, long start, long end, long bytes);

    /** One instruction issued at cycle {@code start} for {@code cycles} cycles. */
    void instruction(int pc, Instruction insn, long start, long cycles);
  }

  static void append(Appendable out, String s) {
    try {
      out.append(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
