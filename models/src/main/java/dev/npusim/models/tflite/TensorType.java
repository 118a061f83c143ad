package dev.npusim.models.tflite;

/** The element types of the TFLite schema's {@code TensorType} that npusim reads. */
public enum TensorType {
  FLOAT32(0, 4),
  INT32(2, 4),
  UINT8(3, 1),
  INT64(4, 8),
  INT16(7, 2),
  INT8(9, 1);

  private final int code;
  private final int bytes;

  TensorType(int code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /** The schema's enum value. */
  public int code() {
    return code;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The type with this schema value, or null if npusim does not read it. */
  public static TensorType ofCode(int code) {
    for (TensorType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
