package dev.npusim.models.tflite;

/** The schema's {@code Padding}: SAME (0) or VALID (1). */
public enum PaddingMode {
  SAME,
  VALID;

  static PaddingMode ofCode(int code) {
    return switch (code) {
      case 0 -> SAME;
      case 1 -> VALID;
      default -> null;
    };
  }
}
