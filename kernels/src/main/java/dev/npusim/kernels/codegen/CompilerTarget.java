package dev.npusim.kernels.codegen;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What the compiler needs to know of the machine: lane count and scratchpad sizes (and the bank
 * size, to place double buffers in different banks). The compiler never sees how instructions
 * execute; a caller builds this from the simulator's machine configuration.
 */
public record CompilerTarget(
    int lanes, int actBytes, int wgtBytes, int outBytes, int parBytes, int dramBytes) {
  public CompilerTarget {
    checkArgument(lanes >= 1, "lanes must be positive, got %s", lanes);
    checkArgument(
        actBytes > 0 && wgtBytes > 0 && outBytes > 0 && parBytes > 0,
        "scratchpads must be non-empty");
    checkArgument(dramBytes > 0, "dram must be non-empty");
  }
}
