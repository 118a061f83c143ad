package dev.npusim.kernels;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;

/**
 * How a 32-bit accumulator becomes an 8-bit output: a Q31 multiplier and shift (TFLite) or a
 * float32 scale (ONNX Runtime), one entry per tensor or one per output channel.
 */
public sealed interface Requantization {
  /** Number of entries: 1 (per tensor) or the output channel count. */
  int size();

  /**
   * TFLite's {@code MultiplyByQuantizedMultiplier}: {@code multiplier} in [2^30, 2^31) or 0; {@code
   * shift > 0} a left shift before the high multiply, {@code shift < 0} a rounding right shift
   * after it.
   */
  record Q31(ImmutableIntArray multipliers, ImmutableIntArray shifts) implements Requantization {
    public Q31 {
      checkArgument(multipliers.length() > 0, "at least one multiplier");
      checkArgument(
          multipliers.length() == shifts.length(),
          "%s multipliers but %s shifts",
          multipliers.length(),
          shifts.length());
      for (int i = 0; i < multipliers.length(); i++) {
        int m = multipliers.get(i);
        checkArgument(
            m == 0 || m >= (1 << 30), "multiplier[%s] = %s is not 0 or in [2^30, 2^31)", i, m);
        int s = shifts.get(i);
        checkArgument(s >= -31 && s <= 31, "shift[%s] = %s is outside [-31, 31]", i, s);
      }
    }

    @Override
    public int size() {
      return multipliers.length();
    }

    public int multiplier(int channel) {
      return multipliers.get(multipliers.length() == 1 ? 0 : channel);
    }

    public int shift(int channel) {
      return shifts.get(shifts.length() == 1 ? 0 : channel);
    }
  }

  /**
   * ONNX Runtime's QLinearConv requantization: {@code round_half_even(float32(acc) * scale)}.
   * Scales are float32 values, stored as their IEEE-754 bits so that they stay exact.
   */
  record FloatScale(ImmutableIntArray scaleBits) implements Requantization {
    public FloatScale {
      checkArgument(scaleBits.length() > 0, "at least one scale");
      for (int i = 0; i < scaleBits.length(); i++) {
        float f = Float.intBitsToFloat(scaleBits.get(i));
        checkArgument(
            Float.isFinite(f) && f > 0,
            "scale[%s] = %s must be finite and positive",
            i,
            (Object) f);
      }
    }

    public static FloatScale of(float... scales) {
      ImmutableIntArray.Builder b = ImmutableIntArray.builder(scales.length);
      for (float f : scales) {
        b.add(Float.floatToRawIntBits(f));
      }
      return new FloatScale(b.build());
    }

    @Override
    public int size() {
      return scaleBits.length();
    }

    public float scale(int channel) {
      return Float.intBitsToFloat(scaleBits.get(scaleBits.length() == 1 ? 0 : channel));
    }
  }
}
