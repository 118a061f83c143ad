package dev.npusim.golden.cases;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.AddLayer;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * An {@code add} case ({@code case-format.md}): TFLite's 8-bit element-wise ADD of two tensors
 * whose shapes broadcast, with the integer multipliers and shifts of TFLite's {@code Prepare} in
 * the file.
 *
 * @param layer zero points, multipliers, shifts and clamp, as the NPU kernel takes them
 * @param input1Scale informational real scale of input 1, if the file gives one (also for the two
 *     below)
 */
public record AddCase(
    String name,
    String source,
    Optional<String> comment,
    AddLayer layer,
    ImmutableIntArray input1,
    ImmutableIntArray input2,
    ImmutableIntArray expectedOutput,
    OptionalDouble input1Scale,
    OptionalDouble input2Scale,
    OptionalDouble outputScale)
    implements OperatorCase {

  public AddCase {
    checkNotNull(name, "name");
    checkNotNull(source, "source");
    checkNotNull(comment, "comment");
    checkNotNull(layer, "layer");
    layer.checkInputs(input1, input2);
    for (OptionalDouble s : new OptionalDouble[] {input1Scale, input2Scale, outputScale}) {
      checkNotNull(s, "scale");
      s.ifPresent(
          v ->
              checkArgument(
                  Double.isFinite(v) && v > 0, "scale %s must be finite and positive", v));
    }
    PoolCase.checkExpected(
        expectedOutput, layer.shape().elements(), layer.activationMin(), layer.activationMax());
  }

  @Override
  public String op() {
    return "add";
  }

  @Override
  public String semantics() {
    return PoolCase.semanticsOf(layer.type()).caseName();
  }
}
