package dev.npusim.kernels.codegen;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Where a compiled layer's tensors live in DRAM. Input and output are NHWC bytes; the constant
 * region holds the compiler's reordered weights, per-channel parameters and zero-point rows.
 */
public record MemoryPlan(
    int inputAddr, int inputBytes, int outputAddr, int outputBytes, int constAddr, int constBytes) {
  public MemoryPlan {
    checkArgument(inputAddr >= 0 && outputAddr >= 0 && constAddr >= 0, "addresses must be >= 0");
    checkArgument(inputBytes > 0 && outputBytes > 0 && constBytes >= 0, "sizes must be positive");
  }

  /** DRAM bytes the layer needs: the end of its highest region. */
  public long dramBytes() {
    return Math.max(
        (long) inputAddr + inputBytes,
        Math.max((long) outputAddr + outputBytes, (long) constAddr + constBytes));
  }
}
