package dev.npusim.simulator;

import static dev.npusim.simulator.Datapath.multiplyByQuantizedMultiplier;
import static dev.npusim.simulator.Datapath.requantizeFloat32;
import static dev.npusim.simulator.Datapath.roundingDivideByPowerOfTwo;
import static dev.npusim.simulator.Datapath.roundingDivideByPowerOfTwoHalfEven;
import static dev.npusim.simulator.Datapath.saturatingRoundingDoublingHighMul;
import static dev.npusim.simulator.Datapath.truncatingDivideByPowerOfTwo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.isa.Csr.OutputType;
import dev.npusim.isa.Csr.RequantMode;
import dev.npusim.isa.Csr.RoundingMode;
import org.junit.jupiter.api.Test;

/** Edge cases of the datapath arithmetic, each worked by hand. */
class DatapathTest {
  static final int MIN = Integer.MIN_VALUE;
  static final int MAX = Integer.MAX_VALUE;

  @Test
  void srdhmSaturatesItsOnlyOverflow() {
    // 2 * (-2^31) * (-2^31) / 2^32 = 2^31 does not fit: saturate.
    assertEquals(MAX, saturatingRoundingDoublingHighMul(MIN, MIN));
    // One step away it fits: 2 * (-2^31) * (-2^31 + 1) / 2^32 = 2^31 - 1.
    assertEquals(MAX, saturatingRoundingDoublingHighMul(MIN, MIN + 1));
  }

  @Test
  void srdhmTieThatNoGoldenFileReaches() {
    // -1 * 2^30 * 2 / 2^32 = -0.5: the nudge 1 - 2^30 and truncating division give 0.
    assertEquals(0, saturatingRoundingDoublingHighMul(-1, 1 << 30));
    // +0.5 rounds up.
    assertEquals(1, saturatingRoundingDoublingHighMul(1, 1 << 30));
    // -1.5 rounds to -1 (half up), 1.5 to 2.
    assertEquals(-1, saturatingRoundingDoublingHighMul(-3, 1 << 30));
    assertEquals(2, saturatingRoundingDoublingHighMul(3, 1 << 30));
  }

  @Test
  void roundingDivideByPotRoundsHalfAwayFromZero() {
    assertEquals(-1, roundingDivideByPowerOfTwo(-1, 1)); // -0.5 -> -1
    assertEquals(-2, roundingDivideByPowerOfTwo(-3, 1)); // -1.5 -> -2
    assertEquals(1, roundingDivideByPowerOfTwo(1, 1)); // 0.5 -> 1
    assertEquals(2, roundingDivideByPowerOfTwo(3, 1)); // 1.5 -> 2
    assertEquals(-1, roundingDivideByPowerOfTwo(-5, 2)); // -1.25 -> -1
    assertEquals(0, roundingDivideByPowerOfTwo(MAX, 31) - 1); // (2^31-1)/2^31 -> 1
    assertEquals(-1, roundingDivideByPowerOfTwo(MIN, 31)); // -1 exactly
    assertEquals(7, roundingDivideByPowerOfTwo(7, 0));
  }

  @Test
  void halfEvenAndTruncatingVariants() {
    assertEquals(0, roundingDivideByPowerOfTwoHalfEven(-1, 1)); // -0.5 -> 0
    assertEquals(-2, roundingDivideByPowerOfTwoHalfEven(-3, 1)); // -1.5 -> -2
    assertEquals(2, roundingDivideByPowerOfTwoHalfEven(5, 1)); // 2.5 -> 2
    assertEquals(4, roundingDivideByPowerOfTwoHalfEven(7, 1)); // 3.5 -> 4
    assertEquals(-1, truncatingDivideByPowerOfTwo(-1, 1)); // floor(-0.5)
    assertEquals(2, truncatingDivideByPowerOfTwo(5, 1));
  }

  @Test
  void leftShiftWrapsBeforeTheHighMultiply() {
    // (2^30 + 5) * 4 = 2^32 + 20 wraps to 20; 20 * 0.5 = 10 (TFLite computes x * (1 << shift)).
    assertEquals(10, multiplyByQuantizedMultiplier((1 << 30) + 5, 1 << 30, 2, RoundingMode.TFLITE));
    // 2^31 - 1 shifted left by 1 wraps to -2: -2 * 0.5 = -1.
    assertEquals(-1, multiplyByQuantizedMultiplier(MAX, 1 << 30, 1, RoundingMode.TFLITE));
  }

  @Test
  void float32HalfEvenTies() {
    assertEquals(2, requantizeFloat32(5, 0.5f)); // 2.5 -> 2
    assertEquals(4, requantizeFloat32(7, 0.5f)); // 3.5 -> 4
    assertEquals(-2, requantizeFloat32(-5, 0.5f)); // -2.5 -> -2
    assertEquals(-4, requantizeFloat32(-7, 0.5f)); // -3.5 -> -4
    // The accumulator is converted to float32 first: 2^24 + 1 becomes 2^24.
    assertEquals(1 << 24, requantizeFloat32((1 << 24) + 1, 1.0f));
    // The product is rounded to float32 before rounding to an integer. 0.8333334f is exactly
    // 13981014 / 2^24, so 3 * 0.8333334f = 2.50000011920928955078125: in double that rounds to 3.
    // In float32 it lies exactly halfway between 2.5 and the next float (ulp 2^-22), and the tie
    // goes to the even mantissa, 2.5; round-half-even then gives 2.
    assertEquals(2, requantizeFloat32(3, 0.8333334f));
  }

  @Test
  void hugeFloatScalesSaturateInsteadOfWrapping() {
    // Issue 12: int8 with zero point -5, acc -1, scale 3.4028235e38 (Float.MAX_VALUE). The product
    // is -3.4e38, far below -128 - (-5): ONNX Runtime clamps it in float to -123, adds -5 and
    // writes -128. Converting first overflowed, and -5 + Long.MIN_VALUE wrapped to 127.
    assertEquals(-128, vrqFloat(-1, Float.MAX_VALUE, OutputType.INT8, -5));
    assertEquals(127, vrqFloat(1, Float.MAX_VALUE, OutputType.INT8, -5));
    // uint8, zero point 128, scale 1e14: acc 100000 gives 1e19, beyond a long; it must be 255.
    assertEquals(255, vrqFloat(100_000, 1e14f, OutputType.UINT8, 128));
    assertEquals(0, vrqFloat(-100_000, 1e14f, OutputType.UINT8, 128));
    assertEquals(128, vrqFloat(0, 1e14f, OutputType.UINT8, 128));
    // Saturations are still counted: 2^31 plus a zero point is outside the type.
    long[] counts = new long[2];
    Datapath.vrq(
        new int[1],
        new long[] {Integer.MAX_VALUE},
        new int[] {Float.floatToRawIntBits(Float.MAX_VALUE)},
        new int[1],
        RoundingMode.TFLITE,
        RequantMode.FLOAT32,
        OutputType.INT8,
        127,
        -128,
        127,
        1,
        counts);
    assertEquals(1, counts[0]);
    assertEquals(1L << 31, requantizeFloat32(1, Float.MAX_VALUE));
    assertEquals(-(1L << 31), requantizeFloat32(MIN, 1e14f));
  }

  private static int vrqFloat(int acc, float scale, OutputType type, int zeroPoint) {
    int[] out = new int[1];
    Datapath.vrq(
        out,
        new long[] {acc},
        new int[] {Float.floatToRawIntBits(scale)},
        new int[1],
        RoundingMode.TFLITE,
        RequantMode.FLOAT32,
        type,
        zeroPoint,
        type.min(),
        type.max(),
        1,
        new long[2]);
    return out[0];
  }

  @Test
  void wrapAndSaturateAtAnyWidth() {
    assertEquals(-32536, Datapath.wrap(33000, 16));
    assertEquals(32767, Datapath.saturate(33000, 16));
    assertEquals(-32768, Datapath.saturate(-40000, 16));
    assertEquals(-(1L << 47), Datapath.wrap(1L << 47, 48));
    assertEquals((1L << 23) - 1, Datapath.saturate(1L << 40, 24));
  }
}
