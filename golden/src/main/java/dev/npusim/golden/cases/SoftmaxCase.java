package dev.npusim.golden.cases;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.reference.SoftmaxReference;
import dev.npusim.kernels.TensorShape;
import java.util.Optional;

/**
 * A {@code softmax} case ({@code case-format.md}): TFLite's int8 SOFTMAX over the last dimension,
 * output scale 1/256 and zero point -128. The file gives {@code beta} and the input scale; the
 * integer parameters follow from them as TFLite's {@code Prepare} derives them ({@link
 * SoftmaxReference#prepare}).
 *
 * @param shape the input's (and output's) dimensions, 1 to 4 of them; softmax runs along the last
 * @param inputZeroPoint int8; softmax only sees differences, so it does not change the output
 * @param inputScale float32, as in the model
 * @param beta float32, as in the model
 */
public record SoftmaxCase(
    String name,
    String source,
    Optional<String> comment,
    ImmutableIntArray shape,
    int inputZeroPoint,
    float inputScale,
    float beta,
    ImmutableIntArray input,
    ImmutableIntArray expectedOutput)
    implements OperatorCase {

  /** The fixed output zero point of TFLite's int8 softmax. */
  public static final int OUTPUT_ZERO_POINT = -128;

  /** The fixed output scale of TFLite's int8 softmax, 1/256. */
  public static final double OUTPUT_SCALE = 1.0 / 256;

  public SoftmaxCase {
    checkNotNull(name, "name");
    checkNotNull(source, "source");
    checkNotNull(comment, "comment");
    checkNotNull(shape, "shape");
    checkArgument(
        shape.length() >= 1 && shape.length() <= 4,
        "shape has %s dimensions, expected 1 to 4",
        shape.length());
    long elements = 1;
    for (int i = 0; i < shape.length(); i++) {
      checkArgument(shape.get(i) > 0, "shape[%s] = %s must be positive", i, shape.get(i));
      elements *= shape.get(i);
      checkArgument(elements <= Integer.MAX_VALUE, "shape %s holds over 2^31 values", shape);
    }
    checkArgument(
        inputZeroPoint >= -128 && inputZeroPoint <= 127,
        "input zero point %s is outside int8",
        inputZeroPoint);
    SoftmaxReference.prepare(beta, inputScale); // throws with the reason when out of range
    checkNotNull(input, "input");
    checkArgument(
        input.length() == elements,
        "input has %s values, shape %s holds %s",
        input.length(),
        shape,
        elements);
    for (int i = 0; i < input.length(); i++) {
      checkArgument(
          input.get(i) >= -128 && input.get(i) <= 127,
          "input[%s] = %s is outside int8",
          i,
          input.get(i));
    }
    PoolCase.checkExpected(expectedOutput, elements, -128, 127);
  }

  /** The length of the rows softmax normalizes: the last dimension. */
  public int depth() {
    return shape.get(shape.length() - 1);
  }

  /** The shape as NHWC, with leading dimensions of 1 for fewer than four. */
  public TensorShape nhwc() {
    int[] d = {1, 1, 1, 1};
    for (int i = 0; i < shape.length(); i++) {
      d[4 - shape.length() + i] = shape.get(i);
    }
    return new TensorShape(d[0], d[1], d[2], d[3]);
  }

  /** The reference's integer parameters, as TFLite's {@code Prepare} derives them. */
  public SoftmaxReference.Parameters parameters() {
    return SoftmaxReference.prepare(beta, inputScale);
  }

  @Override
  public String op() {
    return "softmax";
  }

  @Override
  public String semantics() {
    return "tflite-int8";
  }
}
