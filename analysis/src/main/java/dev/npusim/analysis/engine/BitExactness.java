package dev.npusim.analysis.engine;

import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;
import java.util.Locale;

/** Whether a machine configuration can reproduce a case's semantics bit for bit. */
public final class BitExactness {
  private BitExactness() {}

  /**
   * Why this machine cannot reproduce the semantics bit for bit, or null. Every semantics
   * accumulates in exact 32-bit two's complement; TFLite's additionally rounds half away from zero.
   */
  public static String whyNot(Semantics s, MachineConfig m) {
    String accumulator = whyNotSummed(s.caseName(), m);
    if (accumulator != null) {
      return accumulator;
    }
    if (s != Semantics.FLOAT_REQUANT && m.roundingMode() != RoundingMode.TFLITE) {
      return s.caseName()
          + " needs TFLite rounding (half away from zero), the machine rounds "
          + m.roundingMode().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return null;
  }

  /**
   * Why this machine's accumulator cannot reproduce exact 32-bit sums, or null: all an operator
   * that sums without rounding needs (TFLite's average pooling).
   *
   * @param semantics the case's semantics, as messages name it
   */
  public static String whyNotSummed(String semantics, MachineConfig m) {
    if (m.accumulatorBits() != 32) {
      return semantics
          + " needs a 32-bit accumulator, the machine has "
          + m.accumulatorBits()
          + " bits";
    }
    if (m.accumulatorMode() != AccumulatorMode.WRAP) {
      return semantics + " needs a wrapping accumulator, the machine saturates";
    }
    return null;
  }
}
