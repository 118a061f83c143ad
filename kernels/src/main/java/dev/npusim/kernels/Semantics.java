package dev.npusim.kernels;

/**
 * The integer semantics a layer must reproduce bit for bit ({@code case-format.md}).
 *
 * <ul>
 *   <li>{@link #TFLITE_INT8}: int8 data, symmetric weights, Q31 multiplier/shift with TFLite's
 *       double rounding.
 *   <li>{@link #TFLITE_UINT8}: the legacy TF8 pipeline: uint8 data with zero points on input,
 *       filter and output, one multiplier/shift per tensor.
 *   <li>{@link #FLOAT_REQUANT}: ONNX Runtime QLinearConv / FBGEMM: float32 scale per channel or
 *       tensor, round half to even.
 * </ul>
 */
public enum Semantics {
  TFLITE_INT8("tflite-int8"),
  TFLITE_UINT8("tflite-uint8"),
  FLOAT_REQUANT("float-requant");

  private final String caseName;

  Semantics(String caseName) {
    this.caseName = caseName;
  }

  public String caseName() {
    return caseName;
  }

  public static Semantics fromCaseName(String name) {
    for (Semantics s : values()) {
      if (s.caseName.equals(name)) {
        return s;
      }
    }
    return null;
  }
}
