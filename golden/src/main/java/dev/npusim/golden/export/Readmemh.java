package dev.npusim.golden.export;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Text that Verilog's {@code $readmemh} loads (IEEE 1364-2005, 17.2.9): hexadecimal words separated
 * by white space, and {@code @address} records that set the word address of the next word.
 * Addresses count words of the memory being loaded, not bytes.
 */
public final class Readmemh {
  private Readmemh() {}

  /** One 64-bit instruction word per line, 16 hex digits, pc 0 first. */
  public static String words64(long[] words) {
    StringBuilder sb = new StringBuilder(words.length * 17);
    for (long w : words) {
      sb.append(String.format("%016x", w)).append('\n');
    }
    return sb.toString();
  }

  /**
   * A byte image as words of {@code wordBytes} bytes (1, 2, 4 or 8), little-endian within a word
   * (byte {@code a} of DRAM is bits {@code [8*(a % wordBytes) +: 8]} of word {@code a /
   * wordBytes}), 16 words per line. Runs of all-zero words are skipped and the next non-zero word
   * gets an {@code @address} record, so a sparse image stays small; a memory the testbench clears
   * first reads back exactly the image.
   *
   * @param baseAddress DRAM byte address of {@code bytes[0]}; a multiple of {@code wordBytes}
   */
  public static String image(byte[] bytes, int baseAddress, int wordBytes) {
    checkArgument(
        wordBytes == 1 || wordBytes == 2 || wordBytes == 4 || wordBytes == 8,
        "word width must be 1, 2, 4 or 8 bytes, got %s",
        wordBytes);
    checkArgument(
        baseAddress >= 0 && baseAddress % wordBytes == 0,
        "base address %s is not a multiple of the %s-byte word",
        baseAddress,
        wordBytes);
    StringBuilder sb = new StringBuilder();
    int words = (bytes.length + wordBytes - 1) / wordBytes;
    int onLine = 0;
    boolean needAddress = true;
    for (int w = 0; w < words; w++) {
      long value = 0;
      for (int b = wordBytes - 1; b >= 0; b--) {
        int i = w * wordBytes + b;
        value = (value << 8) | (i < bytes.length ? bytes[i] & 0xFF : 0);
      }
      if (value == 0 && w != 0 && w != words - 1) {
        if (onLine > 0) {
          sb.append('\n');
          onLine = 0;
        }
        needAddress = true;
        continue;
      }
      if (needAddress) {
        sb.append('@').append(Integer.toHexString(baseAddress / wordBytes + w)).append('\n');
        needAddress = false;
      }
      sb.append(onLine == 0 ? "" : " ").append(hex(value, 2 * wordBytes));
      if (++onLine == 16) {
        sb.append('\n');
        onLine = 0;
      }
    }
    if (onLine > 0) {
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String hex(long value, int digits) {
    String s = Long.toHexString(value);
    return "0".repeat(Math.max(0, digits - s.length())) + s;
  }
}
