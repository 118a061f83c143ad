package dev.npusim.analysis.study;

import dev.npusim.kernels.quant.QuantScheme;

/**
 * Which float graph a scheme quantizes, named by the scheme that defines it: tf8,
 * tf8-dw-per-channel and int8-per-channel share the BatchNorm-folded graph ({@link #FOLDED}), every
 * other scheme rewrites it in its own way. Schemes with one graph share its float passes.
 */
record GraphKey(QuantScheme definedBy) {
  static final GraphKey FOLDED = new GraphKey(QuantScheme.TF8);

  static GraphKey of(QuantScheme s) {
    return switch (s) {
      case TF8, TF8_DW_PER_CHANNEL, INT8_PER_CHANNEL -> FOLDED;
      default -> new GraphKey(s);
    };
  }
}
