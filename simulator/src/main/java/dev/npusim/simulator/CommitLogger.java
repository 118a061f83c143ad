package dev.npusim.simulator;

import com.google.common.collect.ImmutableList;
import dev.npusim.isa.Csr;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Encoding;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Operand;
import dev.npusim.isa.Scratchpad;
import dev.npusim.simulator.CommitRecord.Write;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the commit log on the traced path: a snapshot of the architectural state before each
 * instruction, and after it a {@link CommitRecord} of what it wrote. A register the instruction
 * names as its destination ({@code xd}, {@code vd}, {@code accd}, a written CSR) is always listed;
 * any other register is listed when its value changed (address post-increments, for example).
 * Memory writes are known from the instruction (vector stores, DMA transfers) and read back after
 * it. The fast loop never sees any of this.
 */
final class CommitLogger {
  private final Executor core;
  private final CommitListener listener;
  private final int lanes;

  private final int[] x = new int[Executor.XREGS];
  private final int[] csr = new int[Csr.values().length];
  private final int[][] v;
  private final long[][] acc;
  private final int[] zw;
  private final int[] rqM;
  private final int[] rqS;
  private final int[] shape = new int[4];
  private final int[] outstanding = new int[2];
  private long[] words = new long[0];

  /** Transfers in each queue, oldest first: {id, issuing pc, complete cycle}. */
  private final List<ArrayDeque<long[]>> queues = List.of(new ArrayDeque<>(), new ArrayDeque<>());

  private long nextId;
  private long lastStart;
  private long lastComplete;
  private boolean lastCaptured;
  private DmaEngine.TransferListener previous;

  CommitLogger(Executor core, CommitListener listener) {
    this.core = core;
    this.listener = listener;
    this.lanes = core.lanes;
    this.v = new int[Executor.VREGS][lanes];
    this.acc = new long[AccumulatorFile.REGISTERS][lanes];
    this.zw = new int[lanes];
    this.rqM = new int[lanes];
    this.rqS = new int[lanes];
  }

  /**
   * Hooks the DMA engine's transfer listener (keeping a timeline's, if any) and encodes the
   * program.
   */
  void attach() {
    Instruction[] insns = core.insns;
    words = new long[insns.length];
    for (int pc = 0; pc < insns.length; pc++) {
      words[pc] = Encoding.encode(insns[pc]);
    }
    previous = core.dma.listener;
    DmaEngine.TransferListener chained = previous;
    core.dma.listener =
        (queue, spad, pc, start, end, bytes) -> {
          lastStart = start;
          lastComplete = end;
          lastCaptured = true;
          if (chained != null) {
            chained.transfer(queue, spad, pc, start, end, bytes);
          }
        };
  }

  void detach() {
    core.dma.listener = previous;
  }

  void faulted(SimulationFault f) {
    listener.faulted(f);
  }

  void before(int pc) {
    Executor c = core;
    System.arraycopy(c.x, 0, x, 0, x.length);
    for (Csr r : Csr.values()) {
      csr[r.ordinal()] = c.csrr(r.number());
    }
    for (int i = 0; i < v.length; i++) {
      System.arraycopy(c.v[i], 0, v[i], 0, lanes);
    }
    for (int i = 0; i < acc.length; i++) {
      System.arraycopy(c.accs.lanes[i], 0, acc[i], 0, lanes);
    }
    System.arraycopy(c.zw, 0, zw, 0, lanes);
    System.arraycopy(c.rqM, 0, rqM, 0, lanes);
    System.arraycopy(c.rqS, 0, rqS, 0, lanes);
    DmaEngine d = c.dma;
    shape[0] = d.rows;
    shape[1] = d.rowBytes;
    shape[2] = d.dramStride;
    shape[3] = d.spadStride;
    outstanding[0] = d.outstanding(0);
    outstanding[1] = d.outstanding(1);
    lastCaptured = false;
  }

  /**
   * Records what the instruction at {@code pc} wrote, in a fixed order: registers, lane registers,
   * the DMA shape, vector-store memory, a DMA issue, then the DMA transfers that completed.
   */
  void after(long cycle, int pc) {
    Instruction insn = core.insns[pc];
    Opcode op = insn.opcode();
    List<Write> writes = new ArrayList<>();
    registerWrites(insn, writes);
    laneRegisterWrites(op, writes);
    dmaShapeWrite(op, writes);
    vectorStoreWrite(insn, writes);
    int issuedOn = dmaIssue(insn, pc, writes);
    dmaCompletions(issuedOn, writes);
    listener.retired(
        new CommitRecord(
            cycle, pc, words[pc], op.mnemonic(), insn.toString(), ImmutableList.copyOf(writes)));
  }

  /** Scalar, vector, accumulator and CSR registers: named as destination, or changed. */
  private void registerWrites(Instruction insn, List<Write> writes) {
    Executor c = core;
    Opcode op = insn.opcode();
    boolean[] xNamed = new boolean[Executor.XREGS];
    boolean[] vNamed = new boolean[Executor.VREGS];
    boolean[] accNamed = new boolean[AccumulatorFile.REGISTERS];
    boolean[] csrNamed = new boolean[Csr.values().length];
    for (int i = 0; i < insn.operandCount(); i++) {
      Operand o = op.operands().get(i);
      int r = insn.operand(i);
      switch (o.kind()) {
        case XREG -> xNamed[r] |= o.name().equals("xd");
        case VREG -> vNamed[r] |= o.name().equals("vd");
        case AREG -> accNamed[r] |= o.name().equals("accd");
        case CSR_W -> csrNamed[Csr.byNumber(r).ordinal()] = true;
        default -> {}
      }
    }
    for (int i = 1; i < Executor.XREGS; i++) {
      if (xNamed[i] || c.x[i] != x[i]) {
        writes.add(new CommitRecord.XReg(i, c.x[i]));
      }
    }
    for (int i = 0; i < Executor.VREGS; i++) {
      if (vNamed[i] || !Arrays.equals(c.v[i], v[i])) {
        writes.add(new CommitRecord.VReg(i, c.v[i].clone()));
      }
    }
    for (int i = 0; i < AccumulatorFile.REGISTERS; i++) {
      if (accNamed[i] || !Arrays.equals(c.accs.lanes[i], acc[i])) {
        writes.add(new CommitRecord.Acc(i, c.accs.lanes[i].clone()));
      }
    }
    for (Csr r : Csr.values()) {
      int now = c.csrr(r.number());
      if (csrNamed[r.ordinal()] || now != csr[r.ordinal()]) {
        writes.add(new CommitRecord.CsrWrite(r.asmName(), now));
      }
    }
  }

  /** The per-lane zero-point and requantization registers: written by their loads, or changed. */
  private void laneRegisterWrites(Opcode op, List<Write> writes) {
    Executor c = core;
    if (op == Opcode.VSETZW || !Arrays.equals(c.zw, zw)) {
      writes.add(new CommitRecord.LaneRegister("zw", c.zw.clone()));
    }
    if (op == Opcode.RQLD || !Arrays.equals(c.rqM, rqM)) {
      writes.add(new CommitRecord.LaneRegister("rqm", c.rqM.clone()));
    }
    if (op == Opcode.RQLD || !Arrays.equals(c.rqS, rqS)) {
      writes.add(new CommitRecord.LaneRegister("rqs", c.rqS.clone()));
    }
  }

  private void dmaShapeWrite(Opcode op, List<Write> writes) {
    DmaEngine d = core.dma;
    if (op == Opcode.DMA_CFG
        || d.rows != shape[0]
        || d.rowBytes != shape[1]
        || d.dramStride != shape[2]
        || d.spadStride != shape[3]) {
      writes.add(new CommitRecord.DmaShape(d.rows, d.rowBytes, d.dramStride, d.spadStride));
    }
  }

  /** The scratchpad bytes a VST or VSTS wrote, read back at the addresses it used. */
  private void vectorStoreWrite(Instruction insn, List<Write> writes) {
    Executor c = core;
    Opcode op = insn.opcode();
    int vl = c.vl;
    if (op == Opcode.VST) {
      int spad = insn.slot(dev.npusim.isa.Slot.S2);
      int addr = x[insn.slot(dev.npusim.isa.Slot.S3)];
      writes.add(memory(Scratchpad.of(spad).asmName(), c.spads[spad], addr, 1, vl, 0));
    } else if (op == Opcode.VSTS) {
      int spad = insn.slot(dev.npusim.isa.Slot.S2);
      int addr = x[insn.slot(dev.npusim.isa.Slot.S3)];
      int stride = x[insn.slot(dev.npusim.isa.Slot.S4)];
      writes.add(memory(Scratchpad.of(spad).asmName(), c.spads[spad], addr, vl, 1, stride));
    }
  }

  /**
   * For DMA_LD and DMA_ST: the destination bytes and the issue record, and the transfer queued for
   * its completion record. Returns the queue issued on, or -1 for any other instruction.
   */
  private int dmaIssue(Instruction insn, int pc, List<Write> writes) {
    Executor c = core;
    Opcode op = insn.opcode();
    if (op != Opcode.DMA_LD && op != Opcode.DMA_ST) {
      return -1;
    }
    DmaEngine d = c.dma;
    int issuedOn = op == Opcode.DMA_LD ? 0 : 1;
    int spad = insn.slot(dev.npusim.isa.Slot.S1);
    int spadAddr = x[insn.slot(dev.npusim.isa.Slot.S2)];
    int dramAddr = x[insn.slot(dev.npusim.isa.Slot.S3)];
    int rows = d.rows;
    int rowBytes = d.rowBytes;
    boolean moves = (long) rows * rowBytes > 0;
    if (moves && issuedOn == 0) {
      writes.add(
          memory(
              Scratchpad.of(spad).asmName(),
              c.spads[spad],
              spadAddr,
              rows,
              rowBytes,
              d.spadStride));
    } else if (moves) {
      writes.add(memory("dram", c.dram, dramAddr, rows, rowBytes, d.dramStride));
    }
    long start = lastCaptured ? lastStart : c.cycle;
    long complete = lastCaptured ? lastComplete : c.cycle;
    long id = nextId++;
    writes.add(
        new CommitRecord.DmaIssue(
            DmaQueue.of(issuedOn).asmName(),
            id,
            Scratchpad.of(spad).asmName(),
            spadAddr,
            dramAddr,
            rows,
            rowBytes,
            d.spadStride,
            d.dramStride,
            start,
            complete));
    queues.get(issuedOn).addLast(new long[] {id, pc, complete});
    return issuedOn;
  }

  /** A completion record for each transfer that left a queue during this instruction. */
  private void dmaCompletions(int issuedOn, List<Write> writes) {
    DmaEngine d = core.dma;
    for (int q = 0; q < 2; q++) {
      int done = outstanding[q] + (issuedOn == q ? 1 : 0) - d.outstanding(q);
      for (int k = 0; k < done; k++) {
        long[] t = queues.get(q).pollFirst();
        if (t != null) {
          writes.add(new CommitRecord.DmaDone(DmaQueue.of(q).asmName(), t[0], (int) t[1], t[2]));
        }
      }
    }
  }

  private static CommitRecord.Memory memory(
      String space, byte[] from, int addr, int rows, int rowBytes, int stride) {
    byte[] bytes = new byte[rows * rowBytes];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(from, addr + r * stride, bytes, r * rowBytes, rowBytes);
    }
    return new CommitRecord.Memory(space, addr, rows, rowBytes, stride, bytes);
  }
}
