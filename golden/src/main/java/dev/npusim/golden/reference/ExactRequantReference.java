package dev.npusim.golden.reference;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.TensorShape;

/**
 * The exact requantization reference: the real-valued output the integer pipeline of a {@link
 * QuantizedLayer} approximates, in the output's integer domain (LSB of the output scale):
 *
 * <pre>
 *   zo + (bias[oc] + Σ (x - zx) * (w - zw[oc])) * effective_scale[oc]
 * </pre>
 *
 * computed in double with no wrap and no rounding, then (for {@link #run}) clamped to {@code
 * [activation_min, activation_max]}. The effective scale is {@code M * 2^(shift - 31)} for a Q31
 * requantization and the float32 scale for {@code float-requant}.
 *
 * <p>It is deliberately written differently from {@link IntegerReference}: the padded input is
 * materialized in the real domain (zeros), and all three layer kinds are one grouped convolution
 * ({@code groups = IC} for depthwise, 1 otherwise), so an indexing slip in either reference shows
 * up when the two are compared. Every partial sum is an integer far below 2^53, so the double sum
 * is exact.
 */
public final class ExactRequantReference {
  private ExactRequantReference() {}

  /** The clamped real-valued output, NHWC flat. */
  public static double[] run(QuantizedLayer layer, ImmutableIntArray input) {
    double[] out = unclamped(layer, input);
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.min(Math.max(out[i], layer.activationMin()), layer.activationMax());
    }
    return out;
  }

  /** As {@link #run}, without the clamp (for saturation analysis). */
  public static double[] unclamped(QuantizedLayer layer, ImmutableIntArray input) {
    layer.checkInput(input);
    TensorShape in = layer.input();
    TensorShape out = layer.output();
    int paddedH = in.h() + layer.padTop() + layer.padBottom();
    int paddedW = in.w() + layer.padLeft() + layer.padRight();
    double[] padded = realPaddedInput(layer, input, paddedH, paddedW);

    int groups = layer.kind() == LayerKind.DEPTHWISE_CONV2D ? in.c() : 1;
    int inPerGroup = in.c() / groups;
    int outPerGroup = out.c() / groups;
    double[] result = new double[(int) out.elements()];
    int i = 0;
    for (int b = 0; b < out.n(); b++) {
      for (int oy = 0; oy < out.h(); oy++) {
        for (int ox = 0; ox < out.w(); ox++) {
          for (int oc = 0; oc < out.c(); oc++) {
            int group = oc / outPerGroup;
            double wZero = layer.filterZeroPoint(oc);
            double sum = layer.biasOf(oc);
            for (int ky = 0; ky < layer.kernelH(); ky++) {
              int py = oy * layer.strideH() + ky * layer.dilationH();
              for (int kx = 0; kx < layer.kernelW(); kx++) {
                int px = ox * layer.strideW() + kx * layer.dilationW();
                int rowStart = ((b * paddedH + py) * paddedW + px) * in.c();
                for (int j = 0; j < inPerGroup; j++) {
                  int ic = group * inPerGroup + j;
                  double w = layer.filterAt(oc, ky, kx, ic) - wZero;
                  sum += padded[rowStart + ic] * w;
                }
              }
            }
            result[i++] = layer.outputZeroPoint() + sum * effectiveScale(layer, oc);
          }
        }
      }
    }
    return result;
  }

  /**
   * The real factor from accumulator units to output LSB of output channel {@code oc}: {@code
   * multiplier * 2^(shift - 31)} (exact in double: the multiplier has 31 bits) or the float32
   * scale.
   */
  public static double effectiveScale(QuantizedLayer layer, int oc) {
    if (layer.requant() instanceof Requantization.Q31 q) {
      return Math.scalb((double) q.multiplier(oc), q.shift(oc) - 31);
    }
    return ((Requantization.FloatScale) layer.requant()).scale(oc);
  }

  /** {@code x - zx} for every input element, with the padding border holding real zeros. */
  private static double[] realPaddedInput(
      QuantizedLayer layer, ImmutableIntArray input, int paddedH, int paddedW) {
    TensorShape in = layer.input();
    double[] padded = new double[in.n() * paddedH * paddedW * in.c()];
    for (int b = 0; b < in.n(); b++) {
      for (int y = 0; y < in.h(); y++) {
        for (int x = 0; x < in.w(); x++) {
          int py = y + layer.padTop();
          int px = x + layer.padLeft();
          for (int c = 0; c < in.c(); c++) {
            padded[((b * paddedH + py) * paddedW + px) * in.c() + c] =
                input.get(in.index(b, y, x, c)) - layer.inputZeroPoint();
          }
        }
      }
    }
    return padded;
  }
}
