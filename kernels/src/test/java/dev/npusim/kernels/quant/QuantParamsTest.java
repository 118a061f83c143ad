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
}
