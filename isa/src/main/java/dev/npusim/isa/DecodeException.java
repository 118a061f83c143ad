package dev.npusim.isa;

/** A 64-bit word that is not a valid instruction. */
public final class DecodeException extends Exception {
  private final long word;

  public DecodeException(long word, String reason) {
    super(String.format("0x%016x: %s", word, reason));
    this.word = word;
  }

  public long word() {
    return word;
  }
}
