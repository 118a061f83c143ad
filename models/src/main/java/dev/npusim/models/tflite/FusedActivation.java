package dev.npusim.models.tflite;

/** The fused activations of the schema's {@code ActivationFunctionType} that npusim supports. */
public enum FusedActivation {
  NONE(0),
  RELU(1),
  RELU_N1_TO_1(2),
  RELU6(3);

  private final int code;

  FusedActivation(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The activation with this schema value, or null (TANH, SIGN_BIT and unknown values). */
  public static FusedActivation ofCode(int code) {
    for (FusedActivation a : values()) {
      if (a.code == code) {
        return a;
      }
    }
    return null;
  }

  /** The real interval the activation clamps to: [lo, hi], infinite where it does not clamp. */
  public double lower() {
    return switch (this) {
      case NONE -> Double.NEGATIVE_INFINITY;
      case RELU, RELU6 -> 0;
      case RELU_N1_TO_1 -> -1;
    };
  }

  public double upper() {
    return switch (this) {
      case NONE, RELU -> Double.POSITIVE_INFINITY;
      case RELU6 -> 6;
      case RELU_N1_TO_1 -> 1;
    };
  }
}
