package dev.npusim.kernels;

import static com.google.common.base.Preconditions.checkArgument;

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
  TFLITE_INT8("tflite-int8", DataType.INT8),
  TFLITE_UINT8("tflite-uint8", DataType.UINT8),
  FLOAT_REQUANT("float-requant", null);

  private final String caseName;
  private final DataType dataType;

  Semantics(String caseName, DataType dataType) {
    this.caseName = caseName;
    this.dataType = dataType;
  }

  /**
   * The type of every tensor (input, filter, output) under these semantics, or null where each
   * tensor declares its own ({@code float-requant}).
   */
  public DataType dataType() {
    return dataType;
  }

  /**
   * @throws IllegalArgumentException if these semantics fix one data type and a tensor has another
   */
  public void checkTypes(DataType input, DataType filter, DataType output) {
    checkArgument(
        dataType == null || (input == dataType && filter == dataType && output == dataType),
        "%s is %s throughout, found %s/%s/%s",
        caseName,
        dataType == null ? null : dataType.caseName(),
        input.caseName(),
        filter.caseName(),
        output.caseName());
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
