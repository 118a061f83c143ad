package dev.npusim.golden.cases;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.QuantizedLayer;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One {@code npusim.case.v1} case: a quantized layer, its input and the output it must produce bit
 * for bit ({@code case-format.md}).
 *
 * @param name free text, unique in its folder
 * @param source where the expected data came from
 * @param comment optional free text
 * @param layer geometry, types, zero points, clamp, filter, bias and requantization
 * @param input NHWC flat, {@code layer.input().elements()} values of {@code layer.inputType()}
 * @param expectedOutput NHWC flat, {@code layer.output().elements()} values within {@code
 *     [activation_min, activation_max]}
 * @param inputScale informational real scale of the input, if the file gives one
 * @param filterScales informational filter scale: empty (absent), one value, or one per output
 *     channel
 * @param outputScale informational real scale of the output, if the file gives one
 */
public record GoldenCase(
    String name,
    String source,
    Optional<String> comment,
    QuantizedLayer layer,
    ImmutableIntArray input,
    ImmutableIntArray expectedOutput,
    OptionalDouble inputScale,
    ImmutableDoubleArray filterScales,
    OptionalDouble outputScale)
    implements OperatorCase {

  public GoldenCase {
    checkNotNull(name, "name");
    checkNotNull(source, "source");
    checkNotNull(comment, "comment");
    checkNotNull(layer, "layer");
    checkNotNull(inputScale, "inputScale");
    checkNotNull(filterScales, "filterScales");
    checkNotNull(outputScale, "outputScale");
    layer.checkInput(input);
    checkArgument(
        expectedOutput.length() == layer.output().elements(),
        "expected output has %s values, shape %s holds %s",
        expectedOutput.length(),
        layer.output(),
        layer.output().elements());
    for (int i = 0; i < expectedOutput.length(); i++) {
      int v = expectedOutput.get(i);
      checkArgument(
          v >= layer.activationMin() && v <= layer.activationMax(),
          "expected output[%s] = %s is outside [activation_min, activation_max] = [%s, %s]",
          i,
          v,
          layer.activationMin(),
          layer.activationMax());
    }
    inputScale.ifPresent(s -> checkScale("input scale", s));
    outputScale.ifPresent(s -> checkScale("output scale", s));
    checkArgument(
        filterScales.length() <= 1 || filterScales.length() == layer.output().c(),
        "filter scales: %s entries, expected 1 or %s",
        filterScales.length(),
        layer.output().c());
    for (int i = 0; i < filterScales.length(); i++) {
      checkScale("filter scale", filterScales.get(i));
    }
  }

  /** A case without comment and without informational scales. */
  public static GoldenCase of(
      String name,
      String source,
      QuantizedLayer layer,
      ImmutableIntArray input,
      ImmutableIntArray expectedOutput) {
    return new GoldenCase(
        name,
        source,
        Optional.empty(),
        layer,
        input,
        expectedOutput,
        OptionalDouble.empty(),
        ImmutableDoubleArray.of(),
        OptionalDouble.empty());
  }

  @Override
  public String op() {
    return layer.kind().caseName();
  }

  @Override
  public String semantics() {
    return layer.semantics().caseName();
  }

  private static void checkScale(String what, double s) {
    checkArgument(Double.isFinite(s) && s > 0, "%s %s must be finite and positive", what, s);
  }
}
