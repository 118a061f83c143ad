package dev.npusim.kernels.codegen;

import java.io.ByteArrayOutputStream;

/**
 * Builds the constant part of a layer's DRAM image (reordered weights, per-channel parameters,
 * zero-point rows) at increasing, aligned addresses.
 */
final class DramImage {
  /** Every tensor and constant block starts on this boundary. */
  static final int ALIGNMENT = 64;

  private final int base;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  DramImage(int base) {
    this.base = base;
  }

  /** Appends bytes at the next {@link #ALIGNMENT} boundary and returns their DRAM address. */
  int append(byte[] data) {
    while (bytes.size() % ALIGNMENT != 0) {
      bytes.write(0);
    }
    int at = base + bytes.size();
    bytes.write(data, 0, data.length);
    return at;
  }

  /** {@code addr} rounded up to the next {@link #ALIGNMENT} boundary. */
  static int aligned(int addr) {
    return (addr + ALIGNMENT - 1) & -ALIGNMENT;
  }

  int base() {
    return base;
  }

  int end() {
    return base + bytes.size();
  }

  byte[] toByteArray() {
    return bytes.toByteArray();
  }
}
