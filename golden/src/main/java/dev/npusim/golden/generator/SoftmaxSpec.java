package dev.npusim.golden.generator;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.npusim.kernels.TensorShape;

/**
 * What {@link CaseGenerator} should build for an int8 softmax case: the shape (softmax runs along
 * its channels), how the data and the input scale are drawn, and {@code beta}.
 */
public record SoftmaxSpec(
    TensorShape shape, CaseSpec.Distribution distribution, Scales scales, float beta) {

  /** The longest row generated. */
  public static final int MAX_DEPTH = 511;

  /** How the input scale is drawn. */
  public enum Scales {
    /** Log-uniform in [2^-6, 2^-2): a classifier's logits. */
    TYPICAL,
    /**
     * {@code beta * scale} log-uniform in [2^-25, 2^3): from differences of hundreds of LSB that
     * barely matter to a difference of one LSB that already underflows the exp.
     */
    WIDE
  }

  public SoftmaxSpec {
    checkNotNull(shape, "shape");
    checkNotNull(distribution, "distribution");
    checkNotNull(scales, "scales");
    checkArgument(Float.isFinite(beta) && beta > 0, "beta %s must be finite and positive", beta);
    // TFLite needs beta * scale in (2^-26, 16); the typical scales span [2^-6, 2^-2).
    checkArgument(
        scales != Scales.TYPICAL || (beta > 0x1p-20f && beta < 64),
        "beta %s with typical input scales [2^-6, 2^-2) leaves TFLite's range (2^-26, 16) of"
            + " beta * scale: use beta in (2^-20, 64) or wide scales",
        beta);
    // A row of 512 or more values can sum its exps past 2^9, where the reference's final
    // RoundingDivideByPOT would need a shift above 31 (undefined in gemmlowp and TFLite).
    checkArgument(
        shape.c() <= MAX_DEPTH,
        "softmax rows of %s values: at most %s (TFLite's fixed-point sum of exps stays below 2^9)",
        shape.c(),
        MAX_DEPTH);
    checkArgument(
        shape.elements() <= CaseSpec.MAX_TENSOR_ELEMENTS,
        "shape %s exceeds %s elements",
        shape,
        CaseSpec.MAX_TENSOR_ELEMENTS);
  }

  /** A one-line description, used as the generated case's comment. */
  public String describe() {
    return String.format(
        "softmax tflite-int8 shape %s, data %s, scales %s, beta %s",
        shape, distribution, scales, beta);
  }
}
