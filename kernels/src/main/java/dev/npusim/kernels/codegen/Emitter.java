package dev.npusim.kernels.codegen;

import dev.npusim.isa.Csr;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Program;
import dev.npusim.isa.ProgramBuilder;
import dev.npusim.isa.Scratchpad;

/**
 * A thin layer over {@link ProgramBuilder} for code generators: DMA transfers with their shape set
 * only when it changes, constants loaded only when a register does not already hold them, hardware
 * loops, and counts of issued transfers for computing {@code dma.wait} depths.
 *
 * <p>Register convention: x1..x4 DMA shape, x5 scratchpad address, x6 DRAM address, x7 loop counts;
 * kernels use x8 and up.
 */
final class Emitter {
  static final int X_ROWS = 1;
  static final int X_BYTES = 2;
  static final int X_DSTRIDE = 3;
  static final int X_SSTRIDE = 4;
  static final int X_SPAD = 5;
  static final int X_DRAM = 6;
  static final int X_COUNT = 7;

  final ProgramBuilder b = new ProgramBuilder();
  private final Integer[] known = new Integer[32];
  private int[] shape;
  private int loopDepth;

  /** Transfers issued so far on each queue. */
  int ldIssued;

  int stIssued;

  /** Bytes moved by the transfers emitted so far (as planned, per queue). */
  long ldBytes;

  long stBytes;

  void comment(String text) {
    b.comment(text);
  }

  void emit(Opcode op, int... operands) {
    b.emit(op, operands);
    for (int i = 0; i < op.operands().size(); i++) {
      // Any instruction may write its first scalar operand (or post-increment an address).
      if (op.operands().get(i).kind() == dev.npusim.isa.OperandKind.XREG) {
        known[operands[i]] = null;
      }
    }
  }

  /** {@code li reg, value}, skipped when the register is known to hold it already. */
  void li(int reg, int value) {
    if (known[reg] != null && known[reg] == value) {
      return;
    }
    b.emit(Opcode.LI, reg, value);
    known[reg] = value;
  }

  void csrwi(Csr csr, int value) {
    b.emit(Opcode.CSRWI, csr.number(), value);
  }

  /**
   * A 2-D transfer of {@code rows} rows of {@code rowBytes} bytes; nothing is emitted for an empty
   * one.
   */
  void dma(
      DmaQueue q,
      Scratchpad s,
      int spadAddr,
      int dramAddr,
      int rows,
      int rowBytes,
      int dramStride,
      int spadStride) {
    if (rows <= 0 || rowBytes <= 0) {
      return;
    }
    if (rows == 1) {
      dramStride = 0;
      spadStride = 0;
    }
    int[] want = {rows, rowBytes, dramStride, spadStride};
    if (shape == null || !java.util.Arrays.equals(shape, want)) {
      li(X_ROWS, rows);
      li(X_BYTES, rowBytes);
      li(X_DSTRIDE, dramStride);
      li(X_SSTRIDE, spadStride);
      b.emit(Opcode.DMA_CFG, X_ROWS, X_BYTES, X_DSTRIDE, X_SSTRIDE);
      shape = want;
    }
    li(X_SPAD, spadAddr);
    li(X_DRAM, dramAddr);
    b.emit(q == DmaQueue.LD ? Opcode.DMA_LD : Opcode.DMA_ST, s.ordinal(), X_SPAD, X_DRAM);
    if (q == DmaQueue.LD) {
      ldIssued++;
      ldBytes += (long) rows * rowBytes;
    } else {
      stIssued++;
      stBytes += (long) rows * rowBytes;
    }
  }

  /** Waits until at most {@code outstanding} transfers of the queue remain. */
  void await(DmaQueue q, int outstanding) {
    b.emit(Opcode.DMA_WAIT, q.ordinal(), Math.max(0, outstanding));
  }

  /** Emits {@code body} to run {@code count} times: not at all, once inline, or as a loop. */
  void repeat(int count, String name, Runnable body) {
    if (count <= 0) {
      return;
    }
    if (count == 1) {
      body.run();
      return;
    }
    if (loopDepth >= 3) {
      throw new IllegalStateException(
          "kernels nest at most 3 hardware loops; " + name + " is a 4th");
    }
    ProgramBuilder.Label end = b.newLabel(name + "_end");
    li(X_COUNT, count);
    b.emit(Opcode.LOOP, end, X_COUNT);
    forgetAll();
    loopDepth++;
    body.run();
    loopDepth--;
    b.bind(end);
    forgetAll();
  }

  private void forgetAll() {
    java.util.Arrays.fill(known, null);
  }

  Program build() {
    b.emit(Opcode.HALT);
    return b.build();
  }
}
