package dev.npusim.golden.cases;

import com.google.common.primitives.ImmutableIntArray;
import java.util.Optional;

/**
 * One {@code npusim.case.v1} file of any op: a layer with weights and requantization ({@link
 * GoldenCase}: conv2d, depthwise_conv2d, fully_connected) or one of TFLite's operators without
 * weights ({@link PoolCase}, {@link AddCase}, {@link SoftmaxCase}). {@link CaseReader#readOperator}
 * reads any of them; {@link CaseReader#read} only the layers.
 */
public sealed interface OperatorCase permits GoldenCase, PoolCase, AddCase, SoftmaxCase {
  /** Free text, unique in its folder. */
  String name();

  /** Where the expected data came from. */
  String source();

  /** Optional free text. */
  Optional<String> comment();

  /** The case file's {@code op} string. */
  String op();

  /** The case file's {@code semantics} string. */
  String semantics();

  /** The output the case must produce, flat in the output shape's row-major order. */
  ImmutableIntArray expectedOutput();
}
