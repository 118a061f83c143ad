package dev.npusim.tests.ops;

import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;
import java.math.BigInteger;

/**
 * TFLite's reference kernels for 8-bit AVERAGE_POOL_2D, MAX_POOL_2D and ADD, written as direct
 * loops from {@code reference_integer_ops/pooling.h} and {@code add.h}, with their own fixed-point
 * arithmetic in exact integers: nothing here is shared with the simulator's datapath or the
 * compiler, so a bug in either shows up as a difference.
 */
final class DirectPoolAndAdd {
  private DirectPoolAndAdd() {}

  static int[] pool(PoolLayer p, int[] input) {
    TensorShape in = p.input();
    TensorShape out = p.output();
    int[] result = new int[(int) out.elements()];
    for (int b = 0; b < out.n(); b++) {
      for (int oy = 0; oy < out.h(); oy++) {
        for (int ox = 0; ox < out.w(); ox++) {
          for (int ch = 0; ch < out.c(); ch++) {
            int inXOrigin = ox * p.strideW() - p.padLeft();
            int inYOrigin = oy * p.strideH() - p.padTop();
            int fxStart = Math.max(0, -inXOrigin);
            int fxEnd = Math.min(p.filterW(), in.w() - inXOrigin);
            int fyStart = Math.max(0, -inYOrigin);
            int fyEnd = Math.min(p.filterH(), in.h() - inYOrigin);
            long sum = 0;
            int count = 0;
            int max = p.type().min();
            for (int fy = fyStart; fy < fyEnd; fy++) {
              for (int fx = fxStart; fx < fxEnd; fx++) {
                int v = input[in.index(b, inYOrigin + fy, inXOrigin + fx, ch)];
                sum += v;
                count++;
                max = Math.max(max, v);
              }
            }
            if (count == 0) {
              throw new AssertionError("empty window at " + oy + "," + ox);
            }
            long value;
            if (p.kind() == PoolLayer.Kind.AVERAGE) {
              // (sum +- count/2) / count, truncating: written with BigInteger's truncating divide.
              long half = count / 2;
              long numerator = sum > 0 ? sum + half : sum - half;
              value =
                  BigInteger.valueOf(numerator).divide(BigInteger.valueOf(count)).longValueExact();
            } else {
              value = max;
            }
            value = Math.max(value, p.activationMin());
            value = Math.min(value, p.activationMax());
            result[out.index(b, oy, ox, ch)] = (int) value;
          }
        }
      }
    }
    return result;
  }

  static int[] add(AddLayer a, int[] input1, int[] input2) {
    int[] out = new int[input1.length];
    for (int i = 0; i < out.length; i++) {
      long v1 = (long) (input1[i] - a.input1ZeroPoint()) << AddLayer.LEFT_SHIFT;
      long v2 = (long) (input2[i] - a.input2ZeroPoint()) << AddLayer.LEFT_SHIFT;
      long s1 = scale(v1, a.input1Multiplier(), a.input1Shift());
      long s2 = scale(v2, a.input2Multiplier(), a.input2Shift());
      long rawSum = s1 + s2;
      long rawOutput = scale(rawSum, a.outputMultiplier(), a.outputShift());
      // TFLite adds the output offset in int32.
      int withOffset = (int) rawOutput + a.outputZeroPoint();
      long clamped = Math.min(a.activationMax(), Math.max(a.activationMin(), withOffset));
      out[i] = (int) clamped;
    }
    return out;
  }

  /**
   * MultiplyByQuantizedMultiplierSmallerThanOneExp for {@code shift <= 0}: the doubling high
   * multiply is {@code 2xm / 2^32} rounded half toward +infinity ({@code floor((xm + 2^30) /
   * 2^31)}), saturating its single overflow; the right shift rounds half away from zero.
   */
  static long scale(long x, int multiplier, int shift) {
    if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
      throw new AssertionError("int32 overflow before the high multiply: " + x);
    }
    long high;
    if (x == Integer.MIN_VALUE && multiplier == Integer.MIN_VALUE) {
      high = Integer.MAX_VALUE;
    } else {
      high = Math.floorDiv(x * multiplier + (1L << 30), 1L << 31);
    }
    int right = -shift;
    if (right == 0) {
      return high;
    }
    long half = 1L << (right - 1);
    long magnitude = (Math.abs(high) + half) >> right;
    return high < 0 ? -magnitude : magnitude;
  }
}
