package dev.npusim.golden.generator;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.npusim.kernels.DataType;
import dev.npusim.kernels.TensorShape;

/**
 * What {@link CaseGenerator} should build for an ADD case: the shape both inputs and the output
 * share, the type, how data and scales are drawn, and the fused activation.
 */
public record AddSpec(
    DataType type,
    TensorShape shape,
    CaseSpec.Distribution distribution,
    Scales scales,
    CaseSpec.Activation activation) {

  /** How the three tensors' real scales are drawn (the multipliers follow from them). */
  public enum Scales {
    /**
     * Input 1 in 2^[-8, -2), input 2 within a factor 2 of it, output within a factor 2 of the
     * larger: a residual connection of a calibrated network.
     */
    TYPICAL,
    /**
     * Input scales up to 2^12 apart (the smaller input's multiplier may be 0), output from 2^-18 to
     * 2^10 times the larger: output multipliers near both ends of TFLite's range.
     */
    WIDE
  }

  public AddSpec {
    checkNotNull(type, "type");
    checkNotNull(shape, "shape");
    checkNotNull(distribution, "distribution");
    checkNotNull(scales, "scales");
    checkNotNull(activation, "activation");
    checkArgument(
        shape.elements() <= CaseSpec.MAX_TENSOR_ELEMENTS,
        "shape %s exceeds %s elements",
        shape,
        CaseSpec.MAX_TENSOR_ELEMENTS);
  }

  /** A one-line description, used as the generated case's comment. */
  public String describe() {
    return String.format(
        "add %s shape %s, data %s, scales %s, activation %s",
        type == DataType.INT8 ? "tflite-int8" : "tflite-uint8",
        shape,
        distribution,
        scales,
        activation);
  }
}
