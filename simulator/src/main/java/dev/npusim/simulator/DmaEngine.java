package dev.npusim.simulator;

import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Scratchpad;

/**
 * The DMA unit: a shape register set by {@code dma.cfg} and two in-order queues, {@code ld} (DRAM
 * to scratchpad) and {@code st} (scratchpad to DRAM). Both queues share one DRAM port of {@code
 * dmaBytesPerCycle} (a DRAM interface is half-duplex), so transfers take turns on it in issue
 * order; the queues keep loads and stores apart for ordering and for {@code dma.wait}.
 *
 * <h2>Visibility rule</h2>
 *
 * A transfer's bytes move when it is issued, but the program may only use them after a {@code
 * dma.wait} that covers it. Until then the transfer is <em>outstanding</em>, and any compute access
 * or other transfer that would observe the difference is a {@link FaultKind#DMA_HAZARD}:
 *
 * <ul>
 *   <li>a vector read or write of scratchpad bytes an outstanding {@code ld} writes;
 *   <li>a vector write of scratchpad bytes an outstanding {@code st} reads;
 *   <li>a transfer on one queue whose scratchpad or DRAM bytes conflict with an outstanding
 *       transfer on the other queue (transfers on one queue complete in order, so they never race
 *       each other).
 * </ul>
 *
 * The rule depends only on program order, never on timing, so a hazard-free program gives the same
 * bytes on every machine configuration. Conflicts use each transfer's bounding byte range.
 *
 * <h2>Timing</h2>
 *
 * A transfer starts when it is issued and the DRAM port is free, and takes {@code dmaSetupCycles +
 * ceil(bytes / dmaBytesPerCycle)} cycles. Issuing into a full queue stalls until the oldest
 * transfer completes (it then counts as waited for). {@code dma.wait} stalls until the condition
 * holds. Scratchpads are split into equal, contiguous banks; a vector access to a bank that a
 * transfer is using in that cycle stalls one cycle.
 */
final class DmaEngine {
  /** One transfer; slots are preallocated and reused. */
  static final class Transfer {
    int spad;
    long spadLo;
    long spadHi;
    long dramLo;
    long dramHi;
    long bytes;
    long start;
    long complete;
    long bankMask;
    int pc;
  }

  private final int depth;
  private final int bytesPerCycle;
  private final int setupCycles;
  private final byte[][] spads;
  private final byte[] dram;
  private final int[] bankBytes;

  private final Transfer[][] ring;
  private final int[] head = new int[2];
  private final int[] count = new int[2];

  /** Cycle at which the DRAM port finishes its last transfer. */
  private long portFreeAt;

  private final int[] outstandingPerSpad = new int[Scratchpad.count()];

  // Per-scratchpad summaries of the outstanding transfers, so that a compute access that cannot
  // conflict is cleared with a few compares; only a possible conflict scans the queues.
  private final long[] loadLo = new long[Scratchpad.count()];
  private final long[] loadHi = new long[Scratchpad.count()];
  private final long[] storeLo = new long[Scratchpad.count()];
  private final long[] storeHi = new long[Scratchpad.count()];
  private final long[] bankUnion = new long[Scratchpad.count()];
  private final long[] busyUntil = new long[Scratchpad.count()];

  /** Shape register. */
  int rows;

  int rowBytes;
  int dramStride;
  int spadStride;

  // Statistics.
  final long[] bytesMoved = new long[2];
  final long[] transfers = new long[2];
  final long[] busyCycles = new long[2];
  long queueFullStalls;
  long waitStalls;
  long bankConflictStalls;

  /** Receives each transfer for a timeline; null when no timeline is kept. */
  TransferListener listener;

  interface TransferListener {
    void transfer(DmaQueue queue, Scratchpad spad, int pc, long start, long end, long bytes);
  }

  DmaEngine(MachineConfig config, byte[][] spads, byte[] dram) {
    this.depth = config.dmaQueueDepth();
    this.bytesPerCycle = config.dmaBytesPerCycle();
    this.setupCycles = config.dmaSetupCycles();
    this.spads = spads;
    this.dram = dram;
    this.bankBytes = new int[Scratchpad.count()];
    for (Scratchpad s : Scratchpad.values()) {
      MachineConfig.ScratchpadConfig c = config.scratchpads().get(s);
      bankBytes[s.ordinal()] = c.bytes() / c.banks();
    }
    ring = new Transfer[2][depth];
    for (int q = 0; q < 2; q++) {
      for (int i = 0; i < depth; i++) {
        ring[q][i] = new Transfer();
      }
    }
  }

  void reset() {
    java.util.Arrays.fill(outstandingPerSpad, 0);
    for (int sp = 0; sp < Scratchpad.count(); sp++) {
      summarize(sp);
    }
    head[0] = head[1] = 0;
    count[0] = count[1] = 0;
    portFreeAt = 0;
    rows = rowBytes = dramStride = spadStride = 0;
    bytesMoved[0] = bytesMoved[1] = 0;
    transfers[0] = transfers[1] = 0;
    busyCycles[0] = busyCycles[1] = 0;
    queueFullStalls = waitStalls = bankConflictStalls = 0;
  }

  /** {@code dma.cfg}. */
  void dmaCfg(int rows, int rowBytes, int dramStride, int spadStride) {
    if (rows < 0 || rowBytes < 0) {
      throw new FaultSignal(
          FaultKind.ILLEGAL_DMA_SHAPE,
          "rows " + rows + " and row bytes " + rowBytes + " must be non-negative");
    }
    this.rows = rows;
    this.rowBytes = rowBytes;
    this.dramStride = dramStride;
    this.spadStride = spadStride;
  }

  /** {@code dma.ld}: returns the cycle at which the issuing instruction may proceed. */
  long dmaLd(int spad, int spadAddr, int dramAddr, long now, int pc) {
    return issue(0, spad, spadAddr, dramAddr, now, pc);
  }

  /** {@code dma.st}. */
  long dmaSt(int spad, int spadAddr, int dramAddr, long now, int pc) {
    return issue(1, spad, spadAddr, dramAddr, now, pc);
  }

  /** {@code dma.wait}: returns the cycle at which at most n transfers of the queue remain. */
  long dmaWait(int queue, int n, long now) {
    long t = now;
    while (count[queue] > n) {
      t = Math.max(t, retireOldest(queue));
    }
    waitStalls += t - now;
    return t;
  }

  /** Completes everything (at halt): the cycle at which the last transfer ends. */
  long drain(long now) {
    long t = now;
    for (int q = 0; q < 2; q++) {
      while (count[q] > 0) {
        t = Math.max(t, retireOldest(q));
      }
    }
    return t;
  }

  private long retireOldest(int q) {
    Transfer t = ring[q][head[q]];
    head[q] = (head[q] + 1) % depth;
    count[q]--;
    if (t.bytes > 0) {
      outstandingPerSpad[t.spad]--;
      summarize(t.spad);
    }
    return t.complete;
  }

  private long issue(int q, int spad, int spadAddr, int dramAddr, long now, int pc) {
    byte[] sp = spads[spad];
    long n = (long) rows * rowBytes;
    // Bounding ranges of the 2-D pattern; rows may have negative or zero strides.
    long sLo = Long.MAX_VALUE;
    long sHi = Long.MIN_VALUE;
    long dLo = Long.MAX_VALUE;
    long dHi = Long.MIN_VALUE;
    if (n > 0) {
      long sFirst = spadAddr;
      long sLast = spadAddr + (long) (rows - 1) * spadStride;
      long dFirst = dramAddr;
      long dLast = dramAddr + (long) (rows - 1) * dramStride;
      sLo = Math.min(sFirst, sLast);
      sHi = Math.max(sFirst, sLast) + rowBytes;
      dLo = Math.min(dFirst, dLast);
      dHi = Math.max(dFirst, dLast) + rowBytes;
      String name = Scratchpad.of(spad).asmName();
      if (sLo < 0 || sHi > sp.length) {
        throw new FaultSignal(
            FaultKind.ADDRESS_OUT_OF_RANGE,
            String.format(
                "%d rows of %d bytes at %s[%d] stride %d reach %s[%d..%d), outside its %d bytes",
                rows, rowBytes, name, spadAddr, spadStride, name, sLo, sHi, sp.length));
      }
      if (dLo < 0 || dHi > dram.length) {
        throw new FaultSignal(
            FaultKind.ADDRESS_OUT_OF_RANGE,
            String.format(
                "%d rows of %d bytes at dram[%d] stride %d reach dram[%d..%d), outside its %d bytes",
                rows, rowBytes, dramAddr, dramStride, dLo, dHi, dram.length));
      }
      checkAgainstOtherQueue(q, spad, sLo, sHi, dLo, dHi);
    }
    // Move the bytes now; the visibility rule makes this indistinguishable from moving them later.
    for (int r = 0; r < rows && rowBytes > 0; r++) {
      int s = spadAddr + r * spadStride;
      int d = dramAddr + r * dramStride;
      if (q == 0) {
        System.arraycopy(dram, d, sp, s, rowBytes);
      } else {
        System.arraycopy(sp, s, dram, d, rowBytes);
      }
    }
    long t = now;
    if (count[q] == depth) {
      long freed = retireOldest(q);
      if (freed > t) {
        queueFullStalls += freed - t;
        t = freed;
      }
    }
    Transfer tr = ring[q][(head[q] + count[q]) % depth];
    count[q]++;
    long duration = n == 0 ? 0 : setupCycles + (n + bytesPerCycle - 1) / bytesPerCycle;
    tr.spad = spad;
    tr.spadLo = n > 0 ? sLo : 0;
    tr.spadHi = n > 0 ? sHi : 0;
    tr.dramLo = n > 0 ? dLo : 0;
    tr.dramHi = n > 0 ? dHi : 0;
    tr.bytes = n;
    tr.start = Math.max(t, portFreeAt);
    tr.complete = tr.start + duration;
    tr.bankMask = n > 0 ? bankMask(spad, sLo, sHi) : 0;
    tr.pc = pc;
    portFreeAt = tr.complete;
    if (n > 0) {
      outstandingPerSpad[spad]++;
      summarize(spad);
    }
    bytesMoved[q] += n;
    transfers[q]++;
    busyCycles[q] += duration;
    if (listener != null && n > 0) {
      listener.transfer(DmaQueue.of(q), Scratchpad.of(spad), pc, tr.start, tr.complete, n);
    }
    return t;
  }

  private void checkAgainstOtherQueue(int q, int spad, long sLo, long sHi, long dLo, long dHi) {
    int other = 1 - q;
    for (int i = 0; i < count[other]; i++) {
      Transfer t = ring[other][(head[other] + i) % depth];
      if (t.bytes == 0) {
        continue;
      }
      if (t.spad == spad && sLo < t.spadHi && t.spadLo < sHi) {
        throw hazard(
            (q == 0 ? "dma.ld writes " : "dma.st reads ")
                + range(spad, sLo, sHi)
                + whileOutstanding(other, t)
                + (other == 0 ? " writes " : " reads ")
                + range(spad, t.spadLo, t.spadHi),
            other);
      }
      if (dLo < t.dramHi && t.dramLo < dHi) {
        throw hazard(
            (q == 0 ? "dma.ld reads " : "dma.st writes ")
                + "dram["
                + dLo
                + ".."
                + dHi
                + ")"
                + whileOutstanding(other, t)
                + " uses dram["
                + t.dramLo
                + ".."
                + t.dramHi
                + ")",
            other);
      }
    }
  }

  /** Recomputes the summaries of one scratchpad from its outstanding transfers. */
  private void summarize(int spad) {
    long lLo = Long.MAX_VALUE;
    long lHi = Long.MIN_VALUE;
    long sLo = Long.MAX_VALUE;
    long sHi = Long.MIN_VALUE;
    long banks = 0;
    long until = Long.MIN_VALUE;
    for (int q = 0; q < 2; q++) {
      for (int i = 0; i < count[q]; i++) {
        Transfer t = ring[q][(head[q] + i) % depth];
        if (t.spad != spad || t.bytes == 0) {
          continue;
        }
        if (q == 0) {
          lLo = Math.min(lLo, t.spadLo);
          lHi = Math.max(lHi, t.spadHi);
        } else {
          sLo = Math.min(sLo, t.spadLo);
          sHi = Math.max(sHi, t.spadHi);
        }
        banks |= t.bankMask;
        until = Math.max(until, t.complete);
      }
    }
    loadLo[spad] = lLo;
    loadHi[spad] = lHi;
    storeLo[spad] = sLo;
    storeHi[spad] = sHi;
    bankUnion[spad] = banks;
    busyUntil[spad] = until;
  }

  /**
   * Checks a compute access to {@code spad[lo, hi)} against outstanding transfers and returns the
   * bank-conflict stall in cycles (0 or 1) at time {@code now}.
   *
   * @param write true for a vector store
   */
  int access(int spad, long lo, long hi, boolean write, long now) {
    boolean mayConflict =
        (lo < loadHi[spad] && loadLo[spad] < hi)
            || (write && lo < storeHi[spad] && storeLo[spad] < hi);
    boolean mayStall = now < busyUntil[spad] && (bankUnion[spad] & bankMask(spad, lo, hi)) != 0;
    if (!mayConflict && !mayStall) {
      return 0;
    }
    int stall = 0;
    for (int q = 0; q < 2; q++) {
      int c = count[q];
      for (int i = 0; i < c; i++) {
        Transfer t = ring[q][(head[q] + i) % depth];
        if (t.spad != spad || t.bytes == 0) {
          continue;
        }
        if (lo < t.spadHi && t.spadLo < hi && (q == 0 || write)) {
          throw hazard(
              (write ? "vector store to " : "vector load from ")
                  + range(spad, lo, hi)
                  + whileOutstanding(q, t)
                  + (q == 0 ? " writes " : " reads ")
                  + range(spad, t.spadLo, t.spadHi),
              q);
        }
        if (stall == 0
            && now >= t.start
            && now < t.complete
            && (t.bankMask & bankMask(spad, lo, hi)) != 0) {
          stall = 1;
        }
      }
    }
    bankConflictStalls += stall;
    return stall;
  }

  /**
   * True if no compute read of bytes within {@code spad[lo, hi)} at cycle {@code now} or later can
   * meet a hazard or a bank-conflict stall (until the next DMA instruction or wait): {@link
   * #access} would return 0 without a fault for every such read. The fast engine's pre-check of a
   * block.
   */
  boolean quiet(int spad, long lo, long hi, long now) {
    boolean mayConflict = lo < loadHi[spad] && loadLo[spad] < hi;
    boolean mayStall = now < busyUntil[spad] && (bankUnion[spad] & bankMask(spad, lo, hi)) != 0;
    return !mayConflict && !mayStall;
  }

  /**
   * {@link #quiet} for compute writes: also no outstanding {@code st} reads those bytes, so {@link
   * #access} with {@code write} would return 0 without a fault. The fast engine's pre-check of an
   * epilogue's stores ({@link FusedEpilogue}).
   */
  boolean quietForWrite(int spad, long lo, long hi, long now) {
    return quiet(spad, lo, hi, now) && !(lo < storeHi[spad] && storeLo[spad] < hi);
  }

  /**
   * True if no outstanding transfer occupies a scratchpad bank at cycle {@code now} or later, so
   * that no compute access from {@code now} on can stall ({@link #access} returns 0 or faults with
   * a hazard, which depends on addresses only). Until the next DMA instruction the engine's state
   * does not change, so a stretch of code without one may then run at any later cycle with the same
   * effect: {@link ParallelLoops}' condition for running iterations of a loop on other threads.
   */
  boolean settled(long now) {
    for (long until : busyUntil) {
      if (now < until) {
        return false;
      }
    }
    return true;
  }

  /**
   * Makes this engine's queues, port, shape register and statistics those of {@code o} (an engine
   * of the same configuration): a worker core of {@link ParallelLoops} checks and times its
   * accesses against its own copy, so that its bank-conflict stalls are counted apart.
   */
  void copyStateOf(DmaEngine o) {
    for (int q = 0; q < 2; q++) {
      for (int i = 0; i < depth; i++) {
        Transfer to = ring[q][i];
        Transfer from = o.ring[q][i];
        to.spad = from.spad;
        to.spadLo = from.spadLo;
        to.spadHi = from.spadHi;
        to.dramLo = from.dramLo;
        to.dramHi = from.dramHi;
        to.bytes = from.bytes;
        to.start = from.start;
        to.complete = from.complete;
        to.bankMask = from.bankMask;
        to.pc = from.pc;
      }
      head[q] = o.head[q];
      count[q] = o.count[q];
      bytesMoved[q] = o.bytesMoved[q];
      transfers[q] = o.transfers[q];
      busyCycles[q] = o.busyCycles[q];
    }
    portFreeAt = o.portFreeAt;
    System.arraycopy(o.outstandingPerSpad, 0, outstandingPerSpad, 0, outstandingPerSpad.length);
    System.arraycopy(o.loadLo, 0, loadLo, 0, loadLo.length);
    System.arraycopy(o.loadHi, 0, loadHi, 0, loadHi.length);
    System.arraycopy(o.storeLo, 0, storeLo, 0, storeLo.length);
    System.arraycopy(o.storeHi, 0, storeHi, 0, storeHi.length);
    System.arraycopy(o.bankUnion, 0, bankUnion, 0, bankUnion.length);
    System.arraycopy(o.busyUntil, 0, busyUntil, 0, busyUntil.length);
    rows = o.rows;
    rowBytes = o.rowBytes;
    dramStride = o.dramStride;
    spadStride = o.spadStride;
    queueFullStalls = o.queueFullStalls;
    waitStalls = o.waitStalls;
    bankConflictStalls = o.bankConflictStalls;
  }

  /** True if any transfer is outstanding on the scratchpad (fast pre-check for {@link #access}). */
  boolean busy(int spad) {
    return outstandingPerSpad[spad] > 0;
  }

  int outstanding(int q) {
    return count[q];
  }

  private long bankMask(int spad, long lo, long hi) {
    int bb = bankBytes[spad];
    int first = (int) (lo / bb);
    int last = (int) ((hi - 1) / bb);
    long mask = 0;
    for (int b = first; b <= last && b < 64; b++) {
      mask |= 1L << b;
    }
    return mask;
  }

  private static String range(int spad, long lo, long hi) {
    return Scratchpad.of(spad).asmName() + "[" + lo + ".." + hi + ")";
  }

  /** The clause of a hazard message that names the transfer in flight on {@code queue}. */
  private static String whileOutstanding(int queue, Transfer t) {
    return " while the outstanding dma." + DmaQueue.of(queue).asmName() + " issued at pc " + t.pc;
  }

  private static FaultSignal hazard(String what, int queue) {
    return new FaultSignal(
        FaultKind.DMA_HAZARD,
        what + "; insert dma.wait " + DmaQueue.of(queue).asmName() + ", 0 before this access");
  }
}
