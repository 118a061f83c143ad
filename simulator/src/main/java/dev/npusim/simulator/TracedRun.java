package dev.npusim.simulator;

import dev.npusim.isa.Csr;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Operand;
import dev.npusim.isa.OperandKind;

/**
 * The traced run loop: the same {@link Executor#execute} as the fast loop, with a snapshot before
 * and a diff after each instruction. One line per retired instruction:
 *
 * <pre>
 *   cycle      pc  instruction                        changes
 *      12    0005  vld.s8 v1, act, x5, 32             v1=[3, -7, 0, 12, ...] x5=32
 * </pre>
 */
final class TracedRun {
  private static final int SHOWN_LANES = 8;

  private final Executor core;
  private final Appendable out;
  private final Machine.Timeline timeline;
  private final int[] xBefore = new int[Executor.XREGS];
  private final int[] csrBefore = new int[Csr.values().length];

  /** The commit log's receiver, or null; its state lives in {@link CommitLogger}. */
  private final CommitLogger commits;

  TracedRun(Executor core, Appendable out, Machine.Timeline timeline) {
    this(core, out, timeline, null);
  }

  TracedRun(Executor core, Appendable out, Machine.Timeline timeline, CommitListener commits) {
    this.core = core;
    this.out = out;
    this.timeline = timeline;
    this.commits = commits == null ? null : new CommitLogger(core, commits);
  }

  void run(long maxSteps) throws SimulationFault {
    if (commits == null) {
      runLoop(maxSteps);
      return;
    }
    commits.attach();
    try {
      runLoop(maxSteps);
    } catch (SimulationFault f) {
      commits.faulted(f);
      throw f;
    } finally {
      commits.detach();
    }
  }

  private void runLoop(long maxSteps) throws SimulationFault {
    Executor c = core;
    int pc = 0;
    if (out != null) {
      Machine.append(
          out, String.format("%10s  %6s  %-38s %s%n", "cycle", "pc", "instruction", "changes"));
    }
    try {
      while (true) {
        c.checkPc(pc);
        c.checkStepLimit(maxSteps);
        Instruction insn = c.insns[pc];
        long start = c.cycle;
        if (c.ops[pc] == Opcode.HALT) {
          if (commits != null) {
            commits.before(pc);
          }
          c.retire(pc);
          c.halt();
          if (commits != null) {
            commits.after(start, pc);
          }
          emit(start, pc, insn, "dma drained at cycle " + c.cycle);
          if (timeline != null) {
            timeline.instruction(pc, insn, start, c.latency[pc]);
          }
          return;
        }
        snapshot();
        if (commits != null) {
          commits.before(pc);
        }
        int next = c.execute(pc);
        if (commits != null) {
          commits.after(start, pc);
        }
        c.hits[pc]++;
        c.cycle += c.latency[pc];
        c.steps++;
        int after = c.loopBack(next);
        if (out != null) {
          emit(start, pc, insn, changes(insn, after != next ? after : -1));
        }
        if (timeline != null) {
          timeline.instruction(pc, insn, start, c.cycle - start);
        }
        pc = after;
      }
    } catch (FaultSignal f) {
      throw c.fault(f, pc);
    }
  }

  private void emit(long cycle, int pc, Instruction insn, String changes) {
    if (out != null) {
      Machine.append(
          out,
          String.format("%10d  %06d  %-38s %s%n", cycle, pc, insn.toString(), changes)
                  .stripTrailing()
              + "\n");
    }
  }

  private void snapshot() {
    System.arraycopy(core.x, 0, xBefore, 0, xBefore.length);
    for (Csr csr : Csr.values()) {
      csrBefore[csr.ordinal()] = core.csrr(csr.number());
    }
  }

  private String changes(Instruction insn, int loopBackTo) {
    StringBuilder sb = new StringBuilder();
    Opcode op = insn.opcode();
    for (int i = 0; i < insn.operandCount(); i++) {
      Operand o = op.operands().get(i);
      int r = insn.operand(i);
      if (o.kind() == OperandKind.VREG && o.name().equals("vd")) {
        sb.append(" v").append(r).append('=').append(lanes(core.v[r]));
      } else if (o.kind() == OperandKind.AREG && o.name().equals("accd")) {
        sb.append(" acc").append(r).append('=').append(lanes(core.accs.lanes[r]));
      }
    }
    if (op == Opcode.VST || op == Opcode.VSTS) {
      int addrReg = insn.operand(2);
      int addr = xBefore[addrReg];
      sb.append(' ')
          .append(dev.npusim.isa.Scratchpad.of(insn.operand(1)).asmName())
          .append('[')
          .append(addr)
          .append("]<-")
          .append(lanes(core.v[insn.operand(0)]));
    }
    if (op == Opcode.VSETZW) {
      sb.append(" zw=").append(lanes(core.zw));
    }
    if (op == Opcode.RQLD) {
      sb.append(" M=").append(lanes(core.rqM)).append(" S=").append(lanes(core.rqS));
    }
    for (int i = 1; i < core.x.length; i++) {
      if (core.x[i] != xBefore[i]) {
        sb.append(" x").append(i).append('=').append(core.x[i]);
      }
    }
    for (Csr csr : Csr.values()) {
      int now = core.csrr(csr.number());
      if (now != csrBefore[csr.ordinal()]) {
        sb.append(' ').append(csr.asmName()).append('=').append(now);
      }
    }
    if (op == Opcode.DMA_LD || op == Opcode.DMA_ST) {
      sb.append(" queued ")
          .append(core.dma.rows)
          .append('x')
          .append(core.dma.rowBytes)
          .append(" bytes, outstanding ")
          .append(core.dma.outstanding(op == Opcode.DMA_LD ? 0 : 1));
    }
    if (loopBackTo >= 0) {
      sb.append(" loop->").append(loopBackTo);
    }
    return sb.toString().trim();
  }

  private String lanes(int[] values) {
    StringBuilder sb = new StringBuilder("[");
    int shown = Math.min(core.vl, SHOWN_LANES);
    for (int l = 0; l < shown; l++) {
      sb.append(l == 0 ? "" : ", ").append(values[l]);
    }
    return sb.append(core.vl > shown ? ", ...]" : "]").toString();
  }

  private String lanes(long[] values) {
    StringBuilder sb = new StringBuilder("[");
    int shown = Math.min(core.vl, SHOWN_LANES);
    for (int l = 0; l < shown; l++) {
      sb.append(l == 0 ? "" : ", ").append(values[l]);
    }
    return sb.append(core.vl > shown ? ", ...]" : "]").toString();
  }
}
