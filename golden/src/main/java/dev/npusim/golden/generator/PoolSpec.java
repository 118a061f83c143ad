package dev.npusim.golden.generator;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;

/**
 * What {@link CaseGenerator} should build for a pooling case: geometry, type, how the data is drawn
 * and the fused activation. Validated at construction (the pooling layer it describes must exist).
 *
 * @param padding {@code same} and {@code valid} are TFLite's rules; explicit amounts are kept
 */
public record PoolSpec(
    PoolLayer.Kind kind,
    DataType type,
    TensorShape input,
    int filterH,
    int filterW,
    int strideH,
    int strideW,
    Padding padding,
    CaseSpec.Distribution distribution,
    CaseSpec.Activation activation) {

  public PoolSpec {
    checkNotNull(kind, "kind");
    checkNotNull(type, "type");
    checkNotNull(input, "input");
    checkNotNull(padding, "padding");
    checkNotNull(distribution, "distribution");
    checkNotNull(activation, "activation");
    checkArgument(
        input.elements() <= CaseSpec.MAX_TENSOR_ELEMENTS,
        "input %s exceeds %s elements",
        input,
        CaseSpec.MAX_TENSOR_ELEMENTS);
    // The layer must exist: its constructor checks every window against the input.
    layer(kind, type, input, filterH, filterW, strideH, strideW, padding, type.min(), type.max());
  }

  /** The explicit {@code [top, bottom, left, right]} the padding resolves to. */
  public dev.npusim.kernels.graph.Padding explicitPadding() {
    return padding.resolve(input.h(), input.w(), filterH, filterW, strideH, strideW, 1, 1);
  }

  /** The pooling layer of this spec with the clamp {@code [min, max]}. */
  PoolLayer layer(int min, int max) {
    return layer(kind, type, input, filterH, filterW, strideH, strideW, padding, min, max);
  }

  private static PoolLayer layer(
      PoolLayer.Kind kind,
      DataType type,
      TensorShape input,
      int filterH,
      int filterW,
      int strideH,
      int strideW,
      Padding padding,
      int min,
      int max) {
    dev.npusim.kernels.graph.Padding p =
        padding.resolve(input.h(), input.w(), filterH, filterW, strideH, strideW, 1, 1);
    int oh =
        dev.npusim.golden.cases.PoolCase.outputSize(
            input.h(), filterH, strideH, p.top(), p.bottom());
    int ow =
        dev.npusim.golden.cases.PoolCase.outputSize(
            input.w(), filterW, strideW, p.left(), p.right());
    checkArgument(
        oh > 0 && ow > 0, "filter %sx%s is larger than the padded input", filterH, filterW);
    return new PoolLayer(
        kind,
        type,
        input,
        new TensorShape(input.n(), oh, ow, input.c()),
        filterH,
        filterW,
        strideH,
        strideW,
        p.top(),
        p.left(),
        min,
        max);
  }

  /** A one-line description, used as the generated case's comment. */
  public String describe() {
    return String.format(
        "%s %s input %s, filter %dx%d, stride %d,%d, padding %s, data %s, activation %s",
        kind.opName(),
        type == DataType.INT8 ? "tflite-int8" : "tflite-uint8",
        input,
        filterH,
        filterW,
        strideH,
        strideW,
        padding,
        distribution,
        activation);
  }
}
