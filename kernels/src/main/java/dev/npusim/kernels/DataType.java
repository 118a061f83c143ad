package dev.npusim.kernels;

/** 8-bit tensor element types. */
public enum DataType {
  INT8("int8", -128, 127),
  UINT8("uint8", 0, 255);

  private final String caseName;
  private final int min;
  private final int max;

  DataType(String caseName, int min, int max) {
    this.caseName = caseName;
    this.min = min;
    this.max = max;
  }

  public String caseName() {
    return caseName;
  }

  public int min() {
    return min;
  }

  public int max() {
    return max;
  }

  public boolean contains(long v) {
    return v >= min && v <= max;
  }

  public static DataType fromCaseName(String name) {
    for (DataType t : values()) {
      if (t.caseName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
