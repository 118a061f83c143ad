package dev.npusim.golden.layout;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;

/**
 * One tensor of a case placed in DRAM by the kernel ABI ({@code docs/kernel-abi.md}).
 *
 * @param name {@code input}, {@code filter}, {@code bias}, {@code multiplier} or {@code scale},
 *     {@code shift}, {@code filter_zero_point}, {@code output}
 * @param address DRAM byte address, a multiple of {@link CaseLayout#ALIGNMENT}
 * @param bytes size in bytes
 * @param dtype {@code int8}, {@code uint8}, {@code int32} or {@code float32} (little-endian)
 * @param shape dimensions, outermost first; their product times the element size is {@code bytes}
 */
public record Region(
    String name, int address, int bytes, String dtype, ImmutableList<Integer> shape) {
  public Region {
    checkNotNull(name, "name");
    checkArgument(address >= 0 && address % CaseLayout.ALIGNMENT == 0, "address %s", address);
    long elements = 1;
    for (int d : shape) {
      checkArgument(d > 0, "region %s: dimension %s must be positive", name, d);
      elements *= d;
    }
    checkArgument(
        elements * elementBytes(dtype) == bytes,
        "region %s: %s elements of %s are not %s bytes",
        name,
        elements,
        dtype,
        bytes);
  }

  /** First byte past the region. */
  public long end() {
    return (long) address + bytes;
  }

  /** True if {@code [lo, hi)} lies inside the region. */
  public boolean contains(long lo, long hi) {
    return lo >= address && hi <= end();
  }

  static int elementBytes(String dtype) {
    return switch (dtype) {
      case "int8", "uint8" -> 1;
      case "int32", "float32" -> 4;
      default -> throw new IllegalArgumentException("unknown dtype " + dtype);
    };
  }
}
