package dev.npusim.simulator;

import com.google.common.collect.ImmutableList;

/**
 * One retired instruction and every architectural write it made, in the order of {@code
 * docs/commit-log.md}: the record a Spike-style commit log holds, for diffing against an RTL's own.
 *
 * @param cycle the cycle at which the instruction issued
 * @param pc its index in the program
 * @param word its 64-bit encoding
 * @param text its disassembly
 * @param writes what it changed (a destination it names is listed even when the value is the same)
 */
public record CommitRecord(
    long cycle, int pc, long word, String mnemonic, String text, ImmutableList<Write> writes) {

  /** One architectural write. */
  public sealed interface Write {}

  /** Scalar register {@code x[reg] = value}. */
  public record XReg(int reg, int value) implements Write {}

  /** Vector register {@code v[reg]}: all L lanes after the instruction. */
  public record VReg(int reg, int[] lanes) implements Write {}

  /** Accumulator {@code acc[reg]}: all L lanes after the instruction. */
  public record Acc(int reg, long[] lanes) implements Write {}

  /** Control register (by its assembly name). */
  public record CsrWrite(String name, int value) implements Write {}

  /**
   * A per-lane parameter register: {@code zw} (filter zero points, {@code vsetzw}), {@code rqm}
   * (multipliers or float32 scale bits) and {@code rqs} (shifts, both {@code rqld}).
   */
  public record LaneRegister(String name, int[] lanes) implements Write {}

  /** The DMA shape register set by {@code dma.cfg}. */
  public record DmaShape(int rows, int rowBytes, int dramStride, int spadStride) implements Write {}

  /**
   * Bytes written to a scratchpad ({@code act}, {@code wgt}, {@code out}, {@code par}) or to {@code
   * dram}: {@code rows} rows of {@code rowBytes} bytes, row {@code r} at {@code address + r *
   * stride}; {@code bytes} holds them row after row.
   */
  public record Memory(
      String space, long address, int rows, int rowBytes, long stride, byte[] bytes)
      implements Write {
    /** First byte of the bounding range. */
    public long lo() {
      return Math.min(address, address + (long) (rows - 1) * stride);
    }

    /** One past the last byte of the bounding range. */
    public long hi() {
      return Math.max(address, address + (long) (rows - 1) * stride) + rowBytes;
    }
  }

  /**
   * A DMA transfer entering its queue ({@code ld} or {@code st}); {@code id} numbers the run's
   * transfers from 0. {@code start} and {@code complete} are the cycles it holds the DRAM port.
   */
  public record DmaIssue(
      String queue,
      long id,
      String spad,
      int spadAddress,
      int dramAddress,
      int rows,
      int rowBytes,
      int spadStride,
      int dramStride,
      long start,
      long complete)
      implements Write {}

  /**
   * A DMA transfer leaving its queue (waited for by {@code dma.wait}, pushed out of a full queue,
   * or drained at {@code halt}): from here on the program may use its bytes.
   */
  public record DmaDone(String queue, long id, int issuedAt, long complete) implements Write {}
}
