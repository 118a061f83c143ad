package dev.npusim.golden.reference;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import java.util.stream.IntStream;

/**
 * The bit-exact integer reference of {@code case-format.md}: plain NHWC loops, one output element
 * at a time, in the order a reader of the spec would write them. It knows nothing of the ISA or the
 * simulator; it exists so that both can be checked against an independent reading of the spec.
 *
 * <p>Per output element {@code (b, oy, ox, oc)}:
 *
 * <pre>
 *   acc = bias[oc] + Σ (x - input.zero_point) * (w - filter.zero_point[oc])   (int32, wraps)
 *   out = clamp(output.zero_point + requant(acc), activation_min, activation_max)
 * </pre>
 *
 * where padded input positions hold {@code input.zero_point} (a real zero) and so contribute
 * nothing, and {@code requant} is TFLite's {@code MultiplyByQuantizedMultiplier} for the two TFLite
 * semantics and {@code round_half_to_even(float32(float32(acc) * scale))} for {@code
 * float-requant}. For {@code tflite-int8} the filter zero point is 0 by definition of the
 * semantics.
 */
public final class IntegerReference {
  private IntegerReference() {}

  /** The accumulators of every output element, before requantization. */
  public record Accumulators(ImmutableIntArray wrapped, ImmutableLongArray exact) {
    public Accumulators {
      checkArgument(wrapped.length() == exact.length(), "accumulator arrays differ in length");
    }

    /** True when the 32-bit accumulator of output {@code index} wrapped (differs from the sum). */
    public boolean overflowed(int index) {
      return wrapped.get(index) != exact.get(index);
    }
  }

  /**
   * The requantization step without its final rounding and saturation: {@code output.zero_point +
   * acc_exact * effective_scale} per output element, with the accumulator summed without wrap. The
   * differences between this and the integer output are the rounding, saturation (clamp) and
   * overflow errors a later analysis splits apart.
   *
   * @param accumulators exact (unwrapped) accumulators
   * @param unclamped {@code zo + acc_exact * effective_scale}, no rounding, no clamp
   * @param clamped {@code unclamped} clamped to {@code [activation_min, activation_max]}
   */
  public record ExactOutput(
      ImmutableLongArray accumulators,
      ImmutableDoubleArray unclamped,
      ImmutableDoubleArray clamped) {
    public ExactOutput {
      checkArgument(
          accumulators.length() == unclamped.length() && unclamped.length() == clamped.length(),
          "exact output arrays differ in length");
    }
  }

  /** The layer's output, NHWC flat, bit for bit as {@code case-format.md} defines it. */
  public static int[] run(QuantizedLayer layer, ImmutableIntArray input) {
    ImmutableIntArray acc = accumulate(layer, input).wrapped();
    TensorShape out = layer.output();
    int[] result = new int[acc.length()];
    for (int i = 0; i < result.length; i++) {
      result[i] = requantize(layer, i % out.c(), acc.get(i));
    }
    return result;
  }

  /**
   * Per output element, the 32-bit accumulator the requantization sees (wrapped, as in TFLite) and
   * the exact sum. A validator prints these at a mismatch to tell an accumulation bug from a
   * requantization bug.
   */
  public static Accumulators accumulators(QuantizedLayer layer, ImmutableIntArray input) {
    return accumulate(layer, input);
  }

  /** See {@link ExactOutput}. */
  public static ExactOutput exact(QuantizedLayer layer, ImmutableIntArray input) {
    ImmutableLongArray acc = accumulate(layer, input).exact();
    int channels = layer.output().c();
    ImmutableDoubleArray.Builder unclamped = ImmutableDoubleArray.builder(acc.length());
    ImmutableDoubleArray.Builder clamped = ImmutableDoubleArray.builder(acc.length());
    for (int i = 0; i < acc.length(); i++) {
      double value =
          layer.outputZeroPoint()
              + acc.get(i) * ExactRequantReference.effectiveScale(layer, i % channels);
      unclamped.add(value);
      clamped.add(Math.min(Math.max(value, layer.activationMin()), layer.activationMax()));
    }
    return new ExactOutput(acc, unclamped.build(), clamped.build());
  }

  /**
   * One accumulator of output channel {@code oc} to its output value: requantize, add the output
   * zero point, clamp.
   *
   * <p>For the TFLite semantics the zero point is added in 32-bit arithmetic, as TFLite's and
   * CMSIS-NN's reference kernels do ({@code acc += output_offset} on an {@code int32_t}); it can
   * only wrap when the requantized value is within 255 of the int32 limits. For {@code
   * float-requant} the rounded product may exceed any integer range (a large scale), so the clamp
   * is applied to the exact sum, which is what ONNX Runtime's clamp-in-float then add-zero-point
   * order gives.
   */
  public static int requantize(QuantizedLayer layer, int oc, int acc) {
    int zo = layer.outputZeroPoint();
    int min = layer.activationMin();
    int max = layer.activationMax();
    if (layer.requant() instanceof Requantization.Q31 q) {
      int scaled =
          RequantArithmetic.multiplyByQuantizedMultiplier(acc, q.multiplier(oc), q.shift(oc));
      int withZeroPoint = zo + scaled;
      return Math.min(Math.max(withZeroPoint, min), max);
    }
    Requantization.FloatScale f = (Requantization.FloatScale) layer.requant();
    double rounded =
        RequantArithmetic.roundHalfToEven(RequantArithmetic.scaleInFloat32(acc, f.scale(oc)));
    double withZeroPoint = zo + rounded;
    return (int) Math.min(Math.max(withZeroPoint, min), max);
  }

  /**
   * The direct loops. The 32-bit accumulator and the exact 64-bit sum are carried side by side so
   * that one pass gives both; Java {@code int} addition wraps exactly as the spec's 32-bit
   * two's-complement accumulation does.
   */
  private static Accumulators accumulate(QuantizedLayer layer, ImmutableIntArray input) {
    TensorShape in = layer.input();
    TensorShape out = layer.output();
    layer.checkInput(input);
    checkArgument(
        layer.semantics() != Semantics.TFLITE_INT8 || allFilterZeroPointsAreZero(layer),
        "tflite-int8 weights are symmetric: filter zero point must be 0");
    int zx = layer.inputZeroPoint();
    int depthMultiplier = layer.depthMultiplier();
    int[] x = input.toArray();
    int[] wrapped = new int[(int) out.elements()];
    long[] exact = new long[wrapped.length];
    // Output rows are independent; they run in parallel, each as the plain loop nest below.
    IntStream.range(0, out.n() * out.h())
        .parallel()
        .forEach(
            row -> {
              int b = row / out.h();
              int oy = row % out.h();
              for (int ox = 0; ox < out.w(); ox++) {
                for (int oc = 0; oc < out.c(); oc++) {
                  int zw = layer.filterZeroPoint(oc);
                  int acc = layer.biasOf(oc);
                  long sum = acc;
                  for (int ky = 0; ky < layer.kernelH(); ky++) {
                    int iy = oy * layer.strideH() - layer.padTop() + ky * layer.dilationH();
                    if (iy < 0 || iy >= in.h()) {
                      continue; // padding row: x = input zero point, (x - zx) = 0
                    }
                    for (int kx = 0; kx < layer.kernelW(); kx++) {
                      int ix = ox * layer.strideW() - layer.padLeft() + kx * layer.dilationW();
                      if (ix < 0 || ix >= in.w()) {
                        continue; // padding column, as above
                      }
                      if (layer.kind() == LayerKind.DEPTHWISE_CONV2D) {
                        // oc = ic * depth_multiplier + m: each output channel reads one input
                        // channel.
                        int ic = oc / depthMultiplier;
                        int product =
                            (x[in.index(b, iy, ix, ic)] - zx)
                                * (layer.filterAt(oc, ky, kx, ic) - zw);
                        acc += product;
                        sum += product;
                      } else {
                        // conv2d, and fully_connected as a 1x1 conv on a 1x1 image.
                        for (int ic = 0; ic < in.c(); ic++) {
                          int product =
                              (x[in.index(b, iy, ix, ic)] - zx)
                                  * (layer.filterAt(oc, ky, kx, ic) - zw);
                          acc += product;
                          sum += product;
                        }
                      }
                    }
                  }
                  int index = out.index(b, oy, ox, oc);
                  wrapped[index] = acc;
                  exact[index] = sum;
                }
              }
            });
    return new Accumulators(ImmutableIntArray.copyOf(wrapped), ImmutableLongArray.copyOf(exact));
  }

  private static boolean allFilterZeroPointsAreZero(QuantizedLayer layer) {
    for (int i = 0; i < layer.filterZeroPoints().length(); i++) {
      if (layer.filterZeroPoints().get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
