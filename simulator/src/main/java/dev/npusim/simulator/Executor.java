package dev.npusim.simulator;

import dev.npusim.isa.Csr;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.OutputType;
import dev.npusim.isa.Csr.RequantMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.isa.CycleClass;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import dev.npusim.isa.Slot;
import java.util.Arrays;

/**
 * Executes a predecoded program. {@link #execute} holds the semantics: one arm of an exhaustive
 * switch per {@link Opcode}, each calling the same-named method of {@link Datapath} (or of the DMA
 * engine). The run loop around it counts, times and checks; a traced loop in {@link Machine} calls
 * the same {@code execute}, so tracing costs nothing when it is off.
 *
 * <p>Nothing here allocates per instruction: registers, accumulators and counters are primitive
 * arrays sized once per machine.
 */
final class Executor {
  static final int XREGS = 32;
  static final int VREGS = 32;

  final MachineConfig config;
  final int lanes;

  // Architectural state.
  final int[] x = new int[XREGS];
  final int[][] v;
  final AccumulatorFile accs;
  final int[] zw;
  final int[] rqM;
  final int[] rqS;
  final byte[][] spads;
  final byte[] dram;
  final DmaEngine dma;
  int zx;
  int zo;
  int amin;
  int amax;
  RoundingMode rounding;
  RequantMode requantMode;
  OutputType outputType;
  int vl;

  // Run mode, not architectural state.
  /**
   * False for a timing-only run ({@link Machine#setTimingOnly}): vector instructions still check
   * their addresses, stall and count, but compute no values.
   */
  boolean computeValues = true;

  // Hardware loop stack.
  final int[] loopStart;
  final int[] loopEnd;
  final long[] loopCount;
  int loopTop = -1;

  // Program, predecoded into primitive arrays (Spike's decode cache, in array form).
  Instruction[] insns = new Instruction[0];
  Opcode[] ops = new Opcode[0];
  int[] f1 = new int[0];
  int[] f2 = new int[0];
  int[] f3 = new int[0];
  int[] f4 = new int[0];
  int[] imm = new int[0];
  int[] latency = new int[0];

  // Counters.
  long cycle;
  long[] hits = new long[0];

  /** Work per pc: active lanes for vector instructions, bytes for DMA transfers. */
  long[] units = new long[0];

  final long[] outputCounts = new long[2];
  long drainStall;
  long steps;

  /** The fast engine's plan of the loaded program, built on its first fast run. */
  FusedBlocks fused;

  /** The fast engine's runs between blocks ({@link FusedEpilogue}), planned with {@link #fused}. */
  FusedEpilogue epilogue;

  Executor(MachineConfig config) {
    this.config = config;
    this.lanes = config.lanes();
    this.v = new int[VREGS][lanes];
    this.accs = new AccumulatorFile(lanes, config.accumulatorBits(), config.accumulatorMode());
    this.zw = new int[lanes];
    this.rqM = new int[lanes];
    this.rqS = new int[lanes];
    this.spads = new byte[Scratchpad.count()][];
    for (Scratchpad s : Scratchpad.values()) {
      spads[s.ordinal()] = new byte[config.scratchpadBytes(s)];
    }
    this.dram = new byte[config.dramBytes()];
    this.dma = new DmaEngine(config, spads, dram);
    this.loopStart = new int[config.loopDepth()];
    this.loopEnd = new int[config.loopDepth()];
    this.loopCount = new long[config.loopDepth()];
  }

  /**
   * A worker core for {@link ParallelLoops}: registers, accumulators, loop stack and counters of
   * its own; the machine's configuration, DRAM and DMA engine shared (a worker issues no DMA and
   * only reads the engine's state); and its own table of scratchpads, which starts as the machine's
   * (ParallelLoops replaces the entries a worker writes by private arrays). Its program is adopted
   * from the machine's by ParallelLoops.
   */
  Executor(Executor machine) {
    this.config = machine.config;
    this.lanes = machine.lanes;
    this.v = new int[VREGS][lanes];
    this.accs = new AccumulatorFile(lanes, config.accumulatorBits(), config.accumulatorMode());
    this.zw = new int[lanes];
    this.rqM = new int[lanes];
    this.rqS = new int[lanes];
    this.spads = machine.spads.clone();
    this.dram = machine.dram;
    this.dma = new DmaEngine(config, spads, dram);
    this.loopStart = new int[config.loopDepth()];
    this.loopEnd = new int[config.loopDepth()];
    this.loopCount = new long[config.loopDepth()];
  }

  /** Installs a program; checks what depends on this machine (lane indices). */
  void load(Instruction[] program) throws SimulationFault {
    int n = program.length;
    for (int pc = 0; pc < n; pc++) {
      Instruction insn = program[pc];
      Opcode op = insn.opcode();
      if (op == Opcode.VMAC_E && insn.slot(Slot.IMM) >= lanes) {
        throw new SimulationFault(
            FaultKind.ILLEGAL_INSTRUCTION,
            pc,
            insn.toString(),
            "lane " + insn.slot(Slot.IMM) + " does not exist on a " + lanes + "-lane machine",
            0);
      }
      if (op == Opcode.VDOT4 && 4L * insn.slot(Slot.IMM) + 3 >= lanes) {
        throw new SimulationFault(
            FaultKind.ILLEGAL_INSTRUCTION,
            pc,
            insn.toString(),
            "group "
                + insn.slot(Slot.IMM)
                + " reads lanes "
                + 4L * insn.slot(Slot.IMM)
                + ".."
                + (4L * insn.slot(Slot.IMM) + 3)
                + ", past the "
                + lanes
                + " lanes of this machine",
            0);
      }
      if (op == Opcode.VSADD && (insn.slot(Slot.IMM) < -128 || insn.slot(Slot.IMM) > 255)) {
        throw new SimulationFault(
            FaultKind.ILLEGAL_INSTRUCTION,
            pc,
            insn.toString(),
            "zero point " + insn.slot(Slot.IMM) + " is outside [-128, 255]",
            0);
      }
    }
    insns = program;
    ops = new Opcode[n];
    f1 = new int[n];
    f2 = new int[n];
    f3 = new int[n];
    f4 = new int[n];
    imm = new int[n];
    latency = new int[n];
    for (int pc = 0; pc < n; pc++) {
      Instruction insn = program[pc];
      ops[pc] = insn.opcode();
      f1[pc] = insn.slot(Slot.S1);
      f2[pc] = insn.slot(Slot.S2);
      f3[pc] = insn.slot(Slot.S3);
      f4[pc] = insn.slot(Slot.S4);
      imm[pc] = insn.slot(Slot.IMM);
      latency[pc] = issueCycles(insn.opcode());
    }
    hits = new long[n];
    units = new long[n];
    fused = null;
    epilogue = null;
  }

  /** Issue cycles of one instruction ({@link MachineConfig#issueCycles}). */
  int issueCycles(Opcode op) {
    return config.issueCycles(op);
  }

  /** Resets registers, control registers, accumulators, scratchpads, DMA and counters. */
  void reset() {
    Arrays.fill(x, 0);
    for (int[] r : v) {
      Arrays.fill(r, 0);
    }
    accs.reset(config.accumulatorMode());
    Arrays.fill(zw, 0);
    Arrays.fill(rqM, 0);
    Arrays.fill(rqS, 0);
    for (byte[] s : spads) {
      Arrays.fill(s, (byte) 0);
    }
    dma.reset();
    zx = 0;
    zo = 0;
    amin = -128;
    amax = 127;
    rounding = config.roundingMode();
    requantMode = RequantMode.Q31;
    outputType = OutputType.INT8;
    vl = lanes;
    loopTop = -1;
    cycle = 0;
    Arrays.fill(hits, 0);
    Arrays.fill(units, 0);
    outputCounts[0] = outputCounts[1] = 0;
    drainStall = 0;
    steps = 0;
  }

  /**
   * Runs from pc 0 until {@code halt}, a fault, or {@code maxSteps} retired instructions.
   *
   * @return the pc of the halt
   */
  int run(long maxSteps) throws SimulationFault {
    int pc = 0;
    try {
      while (true) {
        checkPc(pc);
        int next = step(pc, maxSteps);
        if (next == HALTED) {
          return pc;
        }
        pc = loopBack(next);
      }
    } catch (FaultSignal f) {
      throw fault(f, pc);
    }
  }

  /**
   * {@link Engine#FAST}: the same effect as {@link #run}. At the start of a {@link FusedBlocks}
   * block or a {@link FusedEpilogue} run, runs it as one operation when nothing in it can fault,
   * stall or overflow, and otherwise interprets as {@link #run} does.
   */
  int runFast(long maxSteps) throws SimulationFault {
    int pc = 0;
    try {
      while (true) {
        checkPc(pc);
        int end = runFused(pc, maxSteps);
        if (end >= 0) {
          pc = loopBack(end);
          continue;
        }
        int next = step(pc, maxSteps);
        if (next == HALTED) {
          return pc;
        }
        pc = loopBack(next);
      }
    } catch (FaultSignal f) {
      throw fault(f, pc);
    }
  }

  /**
   * The fast engines' fused step: if a {@link FusedBlocks} block or a {@link FusedEpilogue} run
   * starts at {@code pc} and its pre-check passes, runs it as one operation and returns its end pc
   * (before any loop back edge); otherwise returns -1 and nothing has changed. Plans both, once per
   * loaded program, on first use.
   */
  int runFused(int pc, long maxSteps) {
    if (fused == null || epilogue == null) {
      fused = new FusedBlocks(this);
      epilogue = new FusedEpilogue(this, fused.blockAt);
    }
    int block = fused.blockAt[pc];
    if (block >= 0 && fused.runInLoop(fused.blocks[block], maxSteps)) {
      return fused.blocks[block].end;
    }
    int run = epilogue.runAt[pc];
    if (run >= 0 && epilogue.run(epilogue.runs[run], maxSteps)) {
      return epilogue.runs[run].end;
    }
    return -1;
  }

  /** What {@link #step} returns when the instruction was {@code halt}. */
  static final int HALTED = -1;

  /** Faults unless {@code pc} holds an instruction: running off the end is not a halt. */
  void checkPc(int pc) {
    if (pc >= ops.length) {
      throw new FaultSignal(
          FaultKind.PC_OUT_OF_RANGE,
          "execution reached pc " + pc + ", past the last instruction, without halt");
    }
  }

  /** Faults when {@code maxSteps} instructions have retired, before the next one runs. */
  void checkStepLimit(long maxSteps) {
    if (steps >= maxSteps) {
      throw new FaultSignal(
          FaultKind.STEP_LIMIT, "step limit of " + maxSteps + " instructions reached");
    }
  }

  /**
   * Interprets and retires the instruction at {@code pc} (every engine's one-instruction step):
   * returns its next pc before any loop back edge, or {@link #HALTED} once {@code halt} has retired
   * and the DMA drained.
   */
  int step(int pc, long maxSteps) {
    checkStepLimit(maxSteps);
    if (ops[pc] == Opcode.HALT) {
      retire(pc);
      halt();
      return HALTED;
    }
    int next = execute(pc);
    retire(pc);
    return next;
  }

  void retire(int pc) {
    hits[pc]++;
    cycle += latency[pc];
    steps++;
  }

  void halt() {
    long end = dma.drain(cycle);
    drainStall = end - cycle;
    cycle = end;
  }

  SimulationFault fault(FaultSignal f, int pc) {
    String text = pc >= 0 && pc < insns.length ? insns[pc].toString() : "";
    return new SimulationFault(f.kind, pc, text, f.getMessage(), steps);
  }

  /** Applies the hardware-loop back edge to a next pc. */
  int loopBack(int next) {
    while (loopTop >= 0 && next == loopEnd[loopTop]) {
      if (--loopCount[loopTop] > 0) {
        return loopStart[loopTop];
      }
      loopTop--;
    }
    return next;
  }

  /** Executes the instruction at pc and returns the next pc (before the loop back edge). */
  int execute(int pc) {
    final int a = f1[pc];
    final int b = f2[pc];
    final int c = f3[pc];
    final int d = f4[pc];
    final int k = imm[pc];
    final int[] x = this.x;
    int next =
        switch (ops[pc]) {
          case NOP -> pc + 1;
          case HALT -> pc; // the run loop stops before executing halt
          case LI -> {
            x[a] = k;
            yield pc + 1;
          }
          case ADD -> {
            x[a] = Datapath.add(x[b], x[c]);
            yield pc + 1;
          }
          case SUB -> {
            x[a] = Datapath.sub(x[b], x[c]);
            yield pc + 1;
          }
          case MUL -> {
            x[a] = Datapath.mul(x[b], x[c]);
            yield pc + 1;
          }
          case AND -> {
            x[a] = Datapath.and(x[b], x[c]);
            yield pc + 1;
          }
          case OR -> {
            x[a] = Datapath.or(x[b], x[c]);
            yield pc + 1;
          }
          case XOR -> {
            x[a] = Datapath.xor(x[b], x[c]);
            yield pc + 1;
          }
          case SLL -> {
            x[a] = Datapath.sll(x[b], x[c]);
            yield pc + 1;
          }
          case SRL -> {
            x[a] = Datapath.srl(x[b], x[c]);
            yield pc + 1;
          }
          case SRA -> {
            x[a] = Datapath.sra(x[b], x[c]);
            yield pc + 1;
          }
          case SLT -> {
            x[a] = Datapath.slt(x[b], x[c]);
            yield pc + 1;
          }
          case ADDI -> {
            x[a] = Datapath.addi(x[b], k);
            yield pc + 1;
          }
          case MULI -> {
            x[a] = Datapath.muli(x[b], k);
            yield pc + 1;
          }
          case ANDI -> {
            x[a] = Datapath.andi(x[b], k);
            yield pc + 1;
          }
          case SLLI -> {
            x[a] = Datapath.slli(x[b], k);
            yield pc + 1;
          }
          case SRLI -> {
            x[a] = Datapath.srli(x[b], k);
            yield pc + 1;
          }
          case SRAI -> {
            x[a] = Datapath.srai(x[b], k);
            yield pc + 1;
          }
          case BEQ -> Datapath.beq(x[a], x[b]) ? branch(k) : pc + 1;
          case BNE -> Datapath.bne(x[a], x[b]) ? branch(k) : pc + 1;
          case BLT -> Datapath.blt(x[a], x[b]) ? branch(k) : pc + 1;
          case BGE -> Datapath.bge(x[a], x[b]) ? branch(k) : pc + 1;
          case J -> branch(k);
          case LOOP -> loop(pc, x[a], k);
          case CSRR -> {
            x[a] = csrr(b);
            yield pc + 1;
          }
          case CSRW -> {
            csrw(a, x[b]);
            yield pc + 1;
          }
          case CSRWI -> {
            csrw(a, k);
            yield pc + 1;
          }
          case VSETZW -> {
            if (computeValues) {
              Datapath.vsetzw(zw, v[a], vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VLD_S8 -> {
            int addr = x[c];
            checkVector(b, addr, 1, false);
            if (computeValues) {
              Datapath.vldS8(spads[b], addr, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VLD_U8 -> {
            int addr = x[c];
            checkVector(b, addr, 1, false);
            if (computeValues) {
              Datapath.vldU8(spads[b], addr, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VLDS_S8 -> {
            int addr = x[c];
            int stride = x[d];
            checkVector(b, addr, stride, false);
            if (computeValues) {
              Datapath.vldsS8(spads[b], addr, stride, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VLDS_U8 -> {
            int addr = x[c];
            int stride = x[d];
            checkVector(b, addr, stride, false);
            if (computeValues) {
              Datapath.vldsU8(spads[b], addr, stride, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VBC_S8 -> {
            int addr = x[c];
            checkVector(b, addr, 0, false);
            if (computeValues) {
              Datapath.vbcS8(spads[b], addr, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VBC_U8 -> {
            int addr = x[c];
            checkVector(b, addr, 0, false);
            if (computeValues) {
              Datapath.vbcU8(spads[b], addr, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VST -> {
            int addr = x[c];
            checkVector(b, addr, 1, true);
            if (computeValues) {
              Datapath.vst(spads[b], addr, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VSTS -> {
            int addr = x[c];
            int stride = x[d];
            checkVector(b, addr, stride, true);
            if (computeValues) {
              Datapath.vsts(spads[b], addr, stride, v[a], vl);
            }
            x[c] = addr + k;
            units[pc] += vl;
            yield pc + 1;
          }
          case VMAC -> {
            if (computeValues) {
              Datapath.vmac(accs, a, v[b], v[c], zx, zw, vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VMAC_E -> {
            if (computeValues) {
              Datapath.vmacE(accs, a, v[b][k], v[c], zx, zw, vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VDOT4 -> {
            int[] in = v[b];
            int g = 4 * k;
            if (computeValues) {
              Datapath.vdot4(
                  accs, a, in[g], in[g + 1], in[g + 2], in[g + 3], v[c], v[c + 1], v[c + 2],
                  v[c + 3], zx, zw, vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VCLR -> {
            if (computeValues) {
              Datapath.vclr(accs, a);
            }
            units[pc] += lanes;
            yield pc + 1;
          }
          case VBIAS -> {
            int addr = x[b];
            checkWords(addr, "vbias");
            if (computeValues) {
              Datapath.vbias(accs, a, spads[Scratchpad.PAR.ordinal()], addr, vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case RQLD -> {
            int addrM = x[a];
            int addrS = x[b];
            checkWords(addrM, "rqld multipliers");
            checkWords(addrS, "rqld shifts");
            int bad = Datapath.rqld(rqM, rqS, spads[Scratchpad.PAR.ordinal()], addrM, addrS, vl);
            if (bad >= 0) {
              throw new FaultSignal(
                  FaultKind.ILLEGAL_REQUANT_PARAMETER,
                  "shift "
                      + rqS[bad]
                      + " of lane "
                      + bad
                      + " (par["
                      + (addrS + 4 * bad)
                      + "]) is outside [-31, 31]");
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VRQ -> {
            if (computeValues) {
              Datapath.vrq(
                  v[a],
                  accs.lanes[b],
                  rqM,
                  rqS,
                  rounding,
                  requantMode,
                  outputType,
                  zo,
                  amin,
                  amax,
                  vl,
                  outputCounts);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VACC -> {
            if (computeValues) {
              Datapath.vacc(accs, a, v[b], zx, vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VMAX -> {
            if (computeValues) {
              Datapath.vmax(v[a], v[b], v[c], vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VCLAMP -> {
            if (computeValues) {
              Datapath.vclamp(v[a], v[b], outputType, amin, amax, vl, outputCounts);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VAVG -> {
            int count = x[c];
            if (count < 1) {
              throw new FaultSignal(
                  FaultKind.ILLEGAL_REQUANT_PARAMETER,
                  "average divisor x" + c + " = " + count + " is below 1");
            }
            if (computeValues) {
              Datapath.vavg(v[a], accs.lanes[b], count, outputType, amin, amax, vl, outputCounts);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case VSADD -> {
            int shift = x[d];
            if (shift < -31 || shift > 31) {
              throw new FaultSignal(
                  FaultKind.ILLEGAL_REQUANT_PARAMETER,
                  "shift x" + d + " = " + shift + " is outside [-31, 31]");
            }
            if (computeValues) {
              Datapath.vsadd(accs, a, v[b], x[c], shift, k, rounding, vl);
            }
            units[pc] += vl;
            yield pc + 1;
          }
          case DMA_CFG -> {
            dma.dmaCfg(x[a], x[b], x[c], x[d]);
            yield pc + 1;
          }
          case DMA_LD -> {
            long before = dma.bytesMoved[0];
            cycle = dma.dmaLd(a, x[b], x[c], cycle, pc);
            units[pc] += dma.bytesMoved[0] - before;
            yield pc + 1;
          }
          case DMA_ST -> {
            long before = dma.bytesMoved[1];
            cycle = dma.dmaSt(a, x[b], x[c], cycle, pc);
            units[pc] += dma.bytesMoved[1] - before;
            yield pc + 1;
          }
          case DMA_WAIT -> {
            cycle = dma.dmaWait(a, k, cycle);
            yield pc + 1;
          }
        };
    x[0] = 0;
    return next;
  }

  /** A taken branch: faults if it leaves the body of the innermost active hardware loop. */
  private int branch(int target) {
    if (loopTop >= 0 && (target < loopStart[loopTop] || target > loopEnd[loopTop])) {
      throw new FaultSignal(
          FaultKind.LOOP_ESCAPE,
          "branch to "
              + target
              + " leaves the hardware loop body ["
              + loopStart[loopTop]
              + ", "
              + loopEnd[loopTop]
              + ")");
    }
    return target;
  }

  /** {@code loop xa, end}: pushes a loop of count iterations (unsigned); 0 skips the body. */
  private int loop(int pc, int count, int end) {
    long n = count & 0xFFFF_FFFFL;
    if (n == 0) {
      return end;
    }
    if (loopTop + 1 >= loopStart.length) {
      throw new FaultSignal(
          FaultKind.LOOP_STACK_OVERFLOW,
          "more than " + loopStart.length + " nested hardware loops");
    }
    loopTop++;
    loopStart[loopTop] = pc + 1;
    loopEnd[loopTop] = end;
    loopCount[loopTop] = n;
    return pc + 1;
  }

  /**
   * Bounds check of a vector access of vl lanes at addr with the given lane stride, then the DMA
   * visibility rule and the bank-conflict stall.
   */
  private void checkVector(int spad, int addr, int stride, boolean write) {
    long first = addr;
    long last = addr + (long) (vl - 1) * stride;
    long lo = Math.min(first, last);
    long hi = Math.max(first, last) + 1;
    byte[] s = spads[spad];
    if (lo < 0 || hi > s.length) {
      throw new FaultSignal(
          FaultKind.ADDRESS_OUT_OF_RANGE,
          String.format(
              "%s %s[%d..%d), outside its %d bytes",
              write ? "store to" : "load from", Scratchpad.of(spad).asmName(), lo, hi, s.length));
    }
    if (dma.busy(spad)) {
      cycle += dma.access(spad, lo, hi, write, cycle);
    }
  }

  /** Bounds check of vl little-endian words in the parameter scratchpad. */
  private void checkWords(int addr, String what) {
    int spad = Scratchpad.PAR.ordinal();
    long hi = addr + 4L * vl;
    if (addr < 0 || hi > spads[spad].length) {
      throw new FaultSignal(
          FaultKind.ADDRESS_OUT_OF_RANGE,
          String.format(
              "%s read par[%d..%d), outside its %d bytes", what, addr, hi, spads[spad].length));
    }
    if (dma.busy(spad)) {
      cycle += dma.access(spad, addr, hi, false, cycle);
    }
  }

  int csrr(int number) {
    return switch (Csr.byNumber(number)) {
      case ZX -> zx;
      case ZO -> zo;
      case AMIN -> amin;
      case AMAX -> amax;
      case RMODE -> rounding.ordinal();
      case RQMODE -> requantMode.ordinal();
      case OTYPE -> outputType.ordinal();
      case ACCMODE -> accs.saturate ? 1 : 0;
      case VL -> vl;
      case LANES -> lanes;
    };
  }

  void csrw(int number, int value) {
    Csr csr = Csr.byNumber(number);
    switch (csr) {
      case ZX -> zx = inRange(csr, value, -128, 255);
      case ZO -> zo = inRange(csr, value, -128, 255);
      case AMIN -> amin = inRange(csr, value, -128, 255);
      case AMAX -> amax = inRange(csr, value, -128, 255);
      case RMODE -> rounding = RoundingMode.values()[inRange(csr, value, 0, 2)];
      case RQMODE -> requantMode = RequantMode.values()[inRange(csr, value, 0, 1)];
      case OTYPE -> outputType = OutputType.values()[inRange(csr, value, 0, 1)];
      case ACCMODE ->
          accs.saturate =
              AccumulatorMode.values()[inRange(csr, value, 0, 1)] == AccumulatorMode.SATURATE;
      case VL -> vl = inRange(csr, value, 1, lanes);
      case LANES -> throw new AssertionError("the decoder rejects writes to lanes");
    }
  }

  private static int inRange(Csr csr, int value, int lo, int hi) {
    if (value < lo || value > hi) {
      throw new FaultSignal(
          FaultKind.ILLEGAL_CSR_VALUE,
          csr.asmName() + " = " + value + " is outside [" + lo + ", " + hi + "]");
    }
    return value;
  }

  /** Instruction counts by timing class. */
  long[] countsByClass() {
    long[] byClass = new long[CycleClass.values().length];
    for (int pc = 0; pc < ops.length; pc++) {
      byClass[ops[pc].cycleClass().ordinal()] += hits[pc];
    }
    return byClass;
  }
}
