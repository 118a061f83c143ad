package dev.npusim.golden.cases;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.graph.Padding;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * An {@code average_pool_2d} or {@code max_pool_2d} case ({@code case-format.md}): TFLite's 8-bit
 * pooling, whose input and output share one scale and zero point.
 *
 * @param layer the operator as the NPU kernels take it ({@code padTop}, {@code padLeft} and the
 *     output shape fix every window)
 * @param padding the file's explicit {@code [top, bottom, left, right]}; top and left are the
 *     layer's, and the output size is {@code floor((in + top + bottom - filter) / stride) + 1}
 * @param zeroPoint the zero point of input and output (pooling does not use it; TFLite requires
 *     both to be equal)
 * @param scale informational real scale of input and output, if the file gives one
 */
public record PoolCase(
    String name,
    String source,
    Optional<String> comment,
    PoolLayer layer,
    Padding padding,
    int zeroPoint,
    OptionalDouble scale,
    ImmutableIntArray input,
    ImmutableIntArray expectedOutput)
    implements OperatorCase {

  public PoolCase {
    checkNotNull(name, "name");
    checkNotNull(source, "source");
    checkNotNull(comment, "comment");
    checkNotNull(layer, "layer");
    checkNotNull(padding, "padding");
    checkNotNull(scale, "scale");
    checkArgument(
        padding.top() == layer.padTop() && padding.left() == layer.padLeft(),
        "padding %s does not start the windows at the layer's top %s, left %s",
        padding,
        layer.padTop(),
        layer.padLeft());
    int oh =
        outputSize(
            layer.input().h(), layer.filterH(), layer.strideH(), padding.top(), padding.bottom());
    int ow =
        outputSize(
            layer.input().w(), layer.filterW(), layer.strideW(), padding.left(), padding.right());
    checkArgument(
        oh == layer.output().h() && ow == layer.output().w(),
        "output spatial size %sx%s differs from the %sx%s that input, filter_size, stride and"
            + " padding give",
        layer.output().h(),
        layer.output().w(),
        oh,
        ow);
    checkArgument(
        layer.type().contains(zeroPoint),
        "zero point %s is outside %s",
        zeroPoint,
        layer.type().caseName());
    scale.ifPresent(
        s -> checkArgument(Double.isFinite(s) && s > 0, "scale %s must be finite and positive", s));
    layer.checkInput(input);
    checkExpected(
        expectedOutput, layer.output().elements(), layer.activationMin(), layer.activationMax());
  }

  /**
   * Windows along one axis of a padded input: {@code floor((in + before + after - filter) / stride)
   * + 1}, or 0 when the filter is larger than the padded input.
   */
  public static int outputSize(int in, int filter, int stride, int before, int after) {
    long span = (long) in + before + after - filter;
    return span < 0 ? 0 : (int) (span / stride + 1);
  }

  @Override
  public String op() {
    return layer.kind().opName();
  }

  @Override
  public String semantics() {
    return semanticsOf(layer.type()).caseName();
  }

  /** tflite-int8 or tflite-uint8: the TFLite semantics whose activations are of this type. */
  static Semantics semanticsOf(DataType type) {
    return type == DataType.INT8 ? Semantics.TFLITE_INT8 : Semantics.TFLITE_UINT8;
  }

  static void checkExpected(ImmutableIntArray expected, long elements, int min, int max) {
    checkNotNull(expected, "expectedOutput");
    checkArgument(
        expected.length() == elements,
        "expected output has %s values, the output shape holds %s",
        expected.length(),
        elements);
    for (int i = 0; i < expected.length(); i++) {
      int v = expected.get(i);
      checkArgument(
          v >= min && v <= max,
          "expected output[%s] = %s is outside [activation_min, activation_max] = [%s, %s]",
          i,
          v,
          min,
          max);
    }
  }
}
