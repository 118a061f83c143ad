package dev.npusim.kernels.quant;

import java.util.Locale;

/**
 * The quantization pipelines the analysis compares. Every one folds BatchNorm into the depthwise
 * weights first (as TFLite's converter does) and calibrates activations by min/max.
 */
public enum QuantScheme {
  /**
   * The seed paper's TF8 pipeline (Sheng et al. 2018): uint8 asymmetric per-tensor weights and
   * activations; one multiplier/shift per layer.
   */
  TF8("tf8", "TF8: uint8 per-tensor weights and activations (Sheng et al.'s failing baseline)"),
  /**
   * TF8 with the depthwise weights per-channel symmetric int8 and per-channel multipliers; the rest
   * as TF8.
   */
  TF8_DW_PER_CHANNEL("tf8-dw-per-channel", "TF8 with per-channel symmetric int8 depthwise weights"),
  /**
   * TFLite's current scheme (Krishnamoorthi 2018): int8 asymmetric activations, symmetric
   * per-channel int8 weights on every layer.
   */
  INT8_PER_CHANNEL(
      "int8-per-channel", "TFLite int8: per-channel symmetric weights, int8 activations"),
  /**
   * Cross-layer equalization of each depthwise-pointwise pair (Nagel et al. 2019) with ReLU6 kept
   * between them (which makes the rescaling inexact), then TF8.
   */
  TF8_CLE("tf8-cle", "TF8 after cross-layer equalization, ReLU6 kept (inexact in float)"),
  /** ReLU6 replaced by ReLU everywhere (the seed's second change, without retraining), then TF8. */
  TF8_RELU("tf8-relu", "TF8 with ReLU6 replaced by ReLU (no retraining)"),
  /**
   * ReLU6 replaced by ReLU, then cross-layer equalization, which ReLU makes exact in float (as
   * Nagel et al. do), then TF8.
   */
  TF8_RELU_CLE("tf8-relu-cle", "TF8 with ReLU, then cross-layer equalization (exact in float)");

  private final String cliName;
  private final String description;

  QuantScheme(String cliName, String description) {
    this.cliName = cliName;
    this.description = description;
  }

  public String cliName() {
    return cliName;
  }

  public String description() {
    return description;
  }

  /** True if activations are int8 (else uint8, as TF8). */
  public boolean int8Activations() {
    return this == INT8_PER_CHANNEL;
  }

  public static QuantScheme fromCliName(String name) {
    for (QuantScheme s : values()) {
      if (s.cliName.equals(name.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    return null;
  }
}
