package dev.npusim.golden.reference;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.kernels.TensorShape;

/**
 * TFLite's int8 AVERAGE_POOL_2D and MAX_POOL_2D reference kernels ({@code
 * reference_integer_ops::AveragePool} and {@code MaxPool}), as plain NHWC loops.
 *
 * <p>The window of output {@code (oy, ox)} starts at input {@code (oy * strideH - padTop, ox *
 * strideW - padLeft)} and is cut to the input: padding is not counted, so a window at the border
 * averages fewer values. The average divides the int32 sum by that count rounding half away from
 * zero: {@code (sum + count/2) / count} for a positive sum, {@code (sum - count/2) / count}
 * otherwise, with C's truncating division. Both clamp to the fused activation's {@code [min, max]}.
 */
public final class PoolingReference {
  private PoolingReference() {}

  /** Geometry and clamp of one pooling operator. */
  public record Parameters(
      TensorShape input,
      TensorShape output,
      int filterH,
      int filterW,
      int strideH,
      int strideW,
      int padTop,
      int padLeft,
      int activationMin,
      int activationMax) {
    public Parameters {
      checkArgument(filterH > 0 && filterW > 0, "filter %sx%s", filterH, filterW);
      checkArgument(strideH > 0 && strideW > 0, "stride %s,%s", strideH, strideW);
      checkArgument(padTop >= 0 && padLeft >= 0, "padding %s,%s", padTop, padLeft);
      checkArgument(
          input.n() == output.n() && input.c() == output.c(),
          "pooling keeps batch and channels: input %s, output %s",
          input,
          output);
      checkArgument(
          activationMin <= activationMax,
          "activation range [%s, %s]",
          activationMin,
          activationMax);
    }
  }

  public static int[] average(Parameters p, int[] input) {
    return pool(p, input, true);
  }

  public static int[] max(Parameters p, int[] input) {
    return pool(p, input, false);
  }

  private static int[] pool(Parameters p, int[] x, boolean average) {
    TensorShape in = p.input();
    TensorShape out = p.output();
    checkArgument(x.length == in.elements(), "input has %s values, %s expected", x.length, in);
    int[] y = new int[(int) out.elements()];
    for (int b = 0; b < out.n(); b++) {
      for (int oy = 0; oy < out.h(); oy++) {
        for (int ox = 0; ox < out.w(); ox++) {
          int originY = oy * p.strideH() - p.padTop();
          int originX = ox * p.strideW() - p.padLeft();
          int fyStart = Math.max(0, -originY);
          int fyEnd = Math.min(p.filterH(), in.h() - originY);
          int fxStart = Math.max(0, -originX);
          int fxEnd = Math.min(p.filterW(), in.w() - originX);
          for (int c = 0; c < out.c(); c++) {
            int sum = 0;
            int count = 0;
            int max = Integer.MIN_VALUE;
            for (int fy = fyStart; fy < fyEnd; fy++) {
              for (int fx = fxStart; fx < fxEnd; fx++) {
                int v = x[in.index(b, originY + fy, originX + fx, c)];
                sum += v;
                max = Math.max(max, v);
                count++;
              }
            }
            checkArgument(count > 0, "pooling window of output (%s, %s) is empty", oy, ox);
            int value;
            if (average) {
              // Round half away from zero; Java's / truncates toward zero, like C's.
              value = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
            } else {
              value = max;
            }
            y[out.index(b, oy, ox, c)] =
                Math.min(Math.max(value, p.activationMin()), p.activationMax());
          }
        }
      }
    }
    return y;
  }
}
