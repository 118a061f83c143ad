package dev.npusim.analysis.overflow;

import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;
import java.math.BigInteger;

/**
 * A BigInteger model of a compiled layer's accumulation at a narrow accumulator width: how many
 * accumulator adds leave the width, in wrap or saturate mode. Written from the ISA's definitions
 * and the compiler's documented schedule, not from the simulator's code:
 *
 * <ul>
 *   <li>{@code vbias} loads the int32 bias into the accumulator through the width check;
 *   <li>conv2d and fully_connected ({@code ConvKernel}: taps in row-major order, then input
 *       channels in groups of 4): one {@code vdot4} per group, whose four products are summed
 *       exactly and added once;
 *   <li>depthwise ({@code DepthwiseKernel}: taps in row-major order): one {@code vmac} per tap.
 * </ul>
 *
 * An add overflows when its exact result leaves {@code [-2^(bits-1), 2^(bits-1) - 1]}; the
 * accumulator then wraps (two's complement) or saturates. Padded taps add exactly 0 to an in-range
 * value and so can never overflow; they are skipped.
 */
final class NarrowAccumulatorModel {
  private final BigInteger min;
  private final BigInteger max;
  private final BigInteger modulus;
  private final boolean saturate;
  private long overflows;

  private NarrowAccumulatorModel(int bits, boolean saturate) {
    this.modulus = BigInteger.ONE.shiftLeft(bits);
    this.max = BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
    this.min = BigInteger.ONE.shiftLeft(bits - 1).negate();
    this.saturate = saturate;
  }

  /** Overflows over every output element of the layer on {@code input}. */
  static long overflows(QuantizedLayer layer, int[] input, int bits, boolean saturate) {
    NarrowAccumulatorModel m = new NarrowAccumulatorModel(bits, saturate);
    TensorShape in = layer.input();
    TensorShape out = layer.output();
    int zx = layer.inputZeroPoint();
    boolean depthwise = layer.kind() == LayerKind.DEPTHWISE_CONV2D;
    for (int b = 0; b < out.n(); b++) {
      for (int oy = 0; oy < out.h(); oy++) {
        for (int ox = 0; ox < out.w(); ox++) {
          for (int oc = 0; oc < out.c(); oc++) {
            int zw = layer.filterZeroPoint(oc);
            BigInteger acc = m.add(BigInteger.ZERO, BigInteger.valueOf(layer.biasOf(oc)));
            for (int ky = 0; ky < layer.kernelH(); ky++) {
              int iy = oy * layer.strideH() - layer.padTop() + ky * layer.dilationH();
              for (int kx = 0; kx < layer.kernelW(); kx++) {
                int ix = ox * layer.strideW() - layer.padLeft() + kx * layer.dilationW();
                if (iy < 0 || iy >= in.h() || ix < 0 || ix >= in.w()) {
                  continue;
                }
                if (depthwise) {
                  int ic = oc / layer.depthMultiplier();
                  long p =
                      (long) (input[in.index(b, iy, ix, ic)] - zx)
                          * (layer.filterAt(oc, ky, kx, ic) - zw);
                  acc = m.add(acc, BigInteger.valueOf(p));
                } else {
                  for (int g = 0; g < in.c(); g += 4) {
                    long sum = 0;
                    for (int ic = g; ic < Math.min(g + 4, in.c()); ic++) {
                      sum +=
                          (long) (input[in.index(b, iy, ix, ic)] - zx)
                              * (layer.filterAt(oc, ky, kx, ic) - zw);
                    }
                    acc = m.add(acc, BigInteger.valueOf(sum));
                  }
                }
              }
            }
          }
        }
      }
    }
    return m.overflows;
  }

  private BigInteger add(BigInteger acc, BigInteger addend) {
    BigInteger exact = acc.add(addend);
    if (exact.compareTo(min) >= 0 && exact.compareTo(max) <= 0) {
      return exact;
    }
    overflows++;
    if (saturate) {
      return exact.signum() < 0 ? min : max;
    }
    // Two's complement: the representative of exact mod 2^bits in [min, max].
    return exact.subtract(min).mod(modulus).add(min);
  }
}
