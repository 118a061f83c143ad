package dev.npusim.models.tflite;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;

/**
 * One operator of an imported model, in execution order.
 *
 * @param index the operator's index in the subgraph
 * @param inputs tensor indices; -1 marks an omitted optional input (a missing bias)
 * @param outputs tensor indices
 */
public record TfliteOperator(
    int index,
    BuiltinOperator op,
    ImmutableIntArray inputs,
    ImmutableIntArray outputs,
    OperatorOptions options) {
  public TfliteOperator {
    checkArgument(index >= 0, "operator index %s < 0", index);
    checkArgument(outputs.length() > 0, "operator %s has no output", index);
  }

  /** {@code "operator 3 (CONV_2D)"}, for messages. */
  public String label() {
    return "operator " + index + " (" + op + ")";
  }

  public int input(int i) {
    return inputs.get(i);
  }

  public int output() {
    return outputs.get(0);
  }
}
