package dev.npusim.golden.generator;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.TensorShape;

/**
 * What {@link CaseGenerator} should build for an ADD case: the two inputs' shapes (equal, or
 * broadcasting as {@link AddLayer#broadcast} allows; the output has the shape they broadcast to),
 * the type, how data and scales are drawn, and the fused activation.
 *
 * @param shape input 1's shape
 * @param input2Shape input 2's shape
 */
public record AddSpec(
    DataType type,
    TensorShape shape,
    TensorShape input2Shape,
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
    checkNotNull(input2Shape, "input2Shape");
    TensorShape output = AddLayer.broadcast(shape, input2Shape);
    checkNotNull(distribution, "distribution");
    checkNotNull(scales, "scales");
    checkNotNull(activation, "activation");
    checkArgument(
        output.elements() <= CaseSpec.MAX_TENSOR_ELEMENTS,
        "output shape %s exceeds %s elements",
        output,
        CaseSpec.MAX_TENSOR_ELEMENTS);
  }

  /** Both inputs of one shape. */
  public AddSpec(
      DataType type,
      TensorShape shape,
      CaseSpec.Distribution distribution,
      Scales scales,
      CaseSpec.Activation activation) {
    this(type, shape, shape, distribution, scales, activation);
  }

  /** A one-line description, used as the generated case's comment. */
  public String describe() {
    return String.format(
        "add %s shape %s, data %s, scales %s, activation %s",
        type == DataType.INT8 ? "tflite-int8" : "tflite-uint8",
        shape.equals(input2Shape) ? shape : shape + " + " + input2Shape,
        distribution,
        scales,
        activation);
  }
}
