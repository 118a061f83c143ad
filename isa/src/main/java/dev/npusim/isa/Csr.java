package dev.npusim.isa;

/**
 * Control and status registers. They configure the datapath for the layer being run: zero points,
 * activation clamp, rounding, requantization kind, output type, accumulator overflow behaviour and
 * the active vector length.
 */
public enum Csr {
  ZX(0, "zx", true, "input (activation) zero point, in [-128, 255]"),
  ZO(1, "zo", true, "output zero point, in [-128, 255]"),
  AMIN(2, "amin", true, "activation clamp minimum (output domain), in [-128, 255]"),
  AMAX(3, "amax", true, "activation clamp maximum (output domain), in [-128, 255]"),
  RMODE(4, "rmode", true, "rounding of the requantizer's right shift: " + RoundingMode.summary()),
  RQMODE(5, "rqmode", true, "requantization kind: " + RequantMode.summary()),
  OTYPE(6, "otype", true, "output type for 8-bit saturation: " + OutputType.summary()),
  ACCMODE(7, "accmode", true, "accumulator overflow: " + AccumulatorMode.summary()),
  VL(
      8,
      "vl",
      true,
      "active vector length, in [1, lanes]; loads zero lanes at or above vl, other instructions leave them as they are"),
  LANES(9, "lanes", false, "number of lanes of this machine (read only)");

  private static final Csr[] BY_NUMBER = new Csr[32];

  static {
    for (Csr c : values()) {
      BY_NUMBER[c.number] = c;
    }
  }

  private final int number;
  private final String asmName;
  private final boolean writable;
  private final String doc;

  Csr(int number, String asmName, boolean writable, String doc) {
    this.number = number;
    this.asmName = asmName;
    this.writable = writable;
    this.doc = doc;
  }

  public int number() {
    return number;
  }

  public String asmName() {
    return asmName;
  }

  public boolean writable() {
    return writable;
  }

  public String doc() {
    return doc;
  }

  /** The CSR with this number, or null. */
  public static Csr byNumber(int number) {
    return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
  }

  /** Values of {@link #RMODE}. */
  public enum RoundingMode {
    /**
     * TFLite/gemmlowp: SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT (round half away
     * from zero). Bit-exact with TFLite and CMSIS-NN.
     */
    TFLITE,
    /** SaturatingRoundingDoublingHighMul, then a right shift rounding half to even. */
    HALF_EVEN,
    /** SaturatingRoundingDoublingHighMul, then an arithmetic right shift (round toward -inf). */
    TRUNCATE;

    static String summary() {
      return "0 tflite (half away), 1 half-even, 2 truncate";
    }
  }

  /** Values of {@link #RQMODE}. */
  public enum RequantMode {
    /** Q31 multiplier and shift (TFLite). */
    Q31,
    /**
     * float32 scale, round half to even (ONNX Runtime QLinearConv, FBGEMM); the multiplier slot
     * holds the scale's IEEE-754 bits.
     */
    FLOAT32;

    static String summary() {
      return "0 q31 multiplier/shift, 1 float32 scale";
    }
  }

  /** Values of {@link #OTYPE}. */
  public enum OutputType {
    INT8(-128, 127),
    UINT8(0, 255);

    private final int min;
    private final int max;

    OutputType(int min, int max) {
      this.min = min;
      this.max = max;
    }

    public int min() {
      return min;
    }

    public int max() {
      return max;
    }

    static String summary() {
      return "0 int8, 1 uint8";
    }
  }

  /** Values of {@link #ACCMODE}. */
  public enum AccumulatorMode {
    /** Two's-complement wrap at the accumulator width (TFLite, CMSIS-NN). */
    WRAP,
    /** Saturate at the accumulator width. Not bit-exact with TFLite when it triggers. */
    SATURATE;

    static String summary() {
      return "0 wrap, 1 saturate";
    }
  }
}
