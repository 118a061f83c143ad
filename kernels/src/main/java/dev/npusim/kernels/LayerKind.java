package dev.npusim.kernels;

/** The quantized layer kinds of {@code npusim.case.v1}. */
public enum LayerKind {
  CONV2D("conv2d"),
  DEPTHWISE_CONV2D("depthwise_conv2d"),
  FULLY_CONNECTED("fully_connected");

  private final String caseName;

  LayerKind(String caseName) {
    this.caseName = caseName;
  }

  /** The {@code op} string of the case format. */
  public String caseName() {
    return caseName;
  }

  /** The kind with this {@code op} string, or null. */
  public static LayerKind fromCaseName(String name) {
    for (LayerKind k : values()) {
      if (k.caseName.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
