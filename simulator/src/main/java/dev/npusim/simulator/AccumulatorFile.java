package dev.npusim.simulator;

import dev.npusim.isa.Csr.AccumulatorMode;

/**
 * The accumulator registers acc0..acc7, each {@code L} lanes of a configurable width (16 to 48
 * bits), held as exact {@code long}s.
 *
 * <p>Every add goes through {@link #fit}, which counts an overflow exactly when the exact sum
 * leaves the configured width, then wraps (two's complement, as TFLite) or saturates. To keep the
 * MAC loops tight, each register also carries a conservative bound on the magnitude of its lanes:
 * when the bound plus the largest possible product still fits, no lane can overflow and the MAC
 * runs without per-lane checks. The bound is only an accelerator; results and counts are the same
 * either way (a property test checks this against a BigInteger model).
 */
final class AccumulatorFile {
  static final int REGISTERS = 8;

  final long[][] lanes;

  /** Upper bound of |lane value| over all lanes of each register. */
  final long[] bound = new long[REGISTERS];

  final int bits;
  final long min;
  final long max;
  boolean saturate;
  long overflows;

  /**
   * When set, every partial sum v is folded into {@link #magnitudeBits} as {@code v ^ (v >> 63)} (v
   * for v >= 0, -v - 1 below): a signed width w holds v exactly when that value is below 2^(w-1),
   * and the OR of non-negative numbers has the bit length of the largest, so the OR gives the
   * narrowest width that holds every partial sum, at two operations per lane.
   */
  boolean trackWidth;

  long magnitudeBits;

  AccumulatorFile(int laneCount, int bits, AccumulatorMode mode) {
    this.lanes = new long[REGISTERS][laneCount];
    this.bits = bits;
    this.max = (1L << (bits - 1)) - 1;
    this.min = -(1L << (bits - 1));
    this.saturate = mode == AccumulatorMode.SATURATE;
  }

  void reset(AccumulatorMode mode) {
    for (long[] a : lanes) {
      java.util.Arrays.fill(a, 0);
    }
    java.util.Arrays.fill(bound, 0);
    saturate = mode == AccumulatorMode.SATURATE;
    overflows = 0;
    magnitudeBits = 0;
  }

  /** True if adding values of magnitude at most {@code addend} to register r cannot overflow. */
  boolean headroom(int r, long addend) {
    return bound[r] + addend <= max;
  }

  /** Brings an exact value into range, counting an overflow if it was out of range. */
  long fit(long exact) {
    if (trackWidth) {
      magnitudeBits |= exact ^ (exact >> 63);
    }
    if (exact >= min && exact <= max) {
      return exact;
    }
    overflows++;
    if (saturate) {
      return exact < min ? min : max;
    }
    return Datapath.wrap(exact, bits);
  }

  /** Recomputes the bound of register r exactly (after a checked operation). */
  void rebound(int r) {
    // Branch-free: lanes hold at most 48 bits, so Math.abs never meets Long.MIN_VALUE. The
    // compare-and-branch form of this loop was a third of a pointwise layer's time (JFR), the
    // branch mispredicting on random lanes after every vbias.
    long[] a = lanes[r];
    long m = 0;
    for (int l = 0; l < a.length; l++) {
      m = Math.max(m, Math.abs(a[l]));
    }
    bound[r] = m;
  }
}
