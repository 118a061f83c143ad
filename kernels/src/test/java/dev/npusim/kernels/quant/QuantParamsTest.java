package dev.npusim.kernels.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.kernels.DataType;
import org.junit.jupiter.api.Test;

/** TFLite's asymmetric and symmetric schemes, worked by hand. */
class QuantParamsTest {
  @Test
  void uint8RangeAroundZero() {
    // [-1, 1]: scale 2/255; zero point round(0 + 1 / (2/255)) = round(127.5) = 128 (half away).
    QuantParams p = QuantParams.asymmetric(-1, 1, DataType.UINT8);
    assertEquals(2.0 / 255, p.scale(), 1e-15);
    assertEquals(128, p.zeroPoint());
    assertEquals(128, p.quantize(0.0));
    assertEquals(255, p.quantize(1.0)); // 128 + round(127.5) = 256, clamped
    assertEquals(0, p.quantize(-1.0)); // 128 - 128
    // Nudging the zero point to 128 moves the grid: q = 0 stands for -256/255, not -1.
    assertEquals(-256.0 / 255, p.dequantize(0), 1e-15);
  }

  @Test
  void rangeIsWidenedToContainZero() {
    // [0.5, 2] becomes [0, 2]: zero is exactly representable (zero padding, ReLU need it).
    QuantParams p = QuantParams.asymmetric(0.5, 2, DataType.UINT8);
    assertEquals(2.0 / 255, p.scale(), 1e-15);
    assertEquals(0, p.zeroPoint());
    // [-3, -1] becomes [-3, 0]: int8 zero point round(-128 + 3 / (3/255)) = 127.
    QuantParams n = QuantParams.asymmetric(-3, -1, DataType.INT8);
    assertEquals(3.0 / 255, n.scale(), 1e-15);
    assertEquals(127, n.zeroPoint());
  }

  @Test
  void int8ZeroPointRoundsHalfAwayFromZero() {
    // [-1, 1] in int8: zero point round(-128 + 127.5) = round(-0.5) = -1 (std::round).
    assertEquals(-1, QuantParams.asymmetric(-1, 1, DataType.INT8).zeroPoint());
  }

  @Test
  void symmetricInt8UsesMinus127To127() {
    QuantParams p = QuantParams.symmetricInt8(2.54);
    assertEquals(0.02, p.scale(), 1e-15);
    assertEquals(0, p.zeroPoint());
    assertEquals(-127, p.quantize(-2.54, -127, 127));
    assertEquals(-127, p.quantize(-5.0, -127, 127)); // not -128
    assertEquals(-64, p.quantize(-1.27, -127, 127)); // -63.5 rounds away from zero
    assertEquals(1.0, QuantParams.symmetricInt8(0).scale()); // an all-zero channel
  }

  @Test
  void roundHalfAwayByHand() {
    // std::round: ties go away from zero, everything else to the nearest integer; zeros, NaN and
    // the infinities as (long) of the rounded double (0, 0, Long.MIN_VALUE and Long.MAX_VALUE).
    // One quirk, kept because every figure depends on it: 0.49999999999999994 + 0.5 rounds to 1.0
    // in double, so the largest double below one half rounds to 1 (std::round gives 0).
    double[] v = {
      0.0,
      -0.0,
      0.5,
      -0.5,
      1.5,
      -1.5,
      2.5,
      -2.5,
      0.49999999999999994,
      -0.49999999999999994,
      2.4,
      -2.6,
      4503599627370495.5,
      -4503599627370495.5,
      Double.MIN_VALUE,
      -Double.MIN_VALUE,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      1e300,
      -1e300
    };
    long[] expected = {
      0,
      0,
      1,
      -1,
      2,
      -2,
      3,
      -3,
      1,
      -1,
      2,
      -3,
      4503599627370496L,
      -4503599627370496L,
      0,
      0,
      0,
      Long.MAX_VALUE,
      Long.MIN_VALUE,
      Long.MAX_VALUE,
      Long.MIN_VALUE
    };
    for (int i = 0; i < v.length; i++) {
      assertEquals(expected[i], QuantParams.roundHalfAway(v[i]), "round(" + v[i] + ")");
    }
  }

  @Test
  void roundHalfAwayIsTheSignumProductOnEveryDouble() {
    // The product form it replaced (branches in signum), on random bit patterns (every exponent,
    // NaN payloads, subnormals) and on values near ties at every scale.
    java.util.Random rnd = new java.util.Random(5);
    for (int i = 0; i < 1_000_000; i++) {
      double v =
          i % 2 == 0
              ? Double.longBitsToDouble(rnd.nextLong())
              : (rnd.nextInt(2001) - 1000 + 0.5) * Math.pow(2, rnd.nextInt(60) - 30);
      assertEquals(
          (long) (Math.signum(v) * Math.floor(Math.abs(v) + 0.5)),
          QuantParams.roundHalfAway(v),
          "round(" + v + ")");
    }
  }
}
