package dev.npusim.analysis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;
import org.junit.jupiter.api.Test;

/** The SKIP reasons of {@code validate}, as the README shows them. */
class BitExactnessTest {
  static final MachineConfig DEFAULTS = MachineConfig.defaults();

  @Test
  void theDefaultMachineRunsEverySemantics() {
    for (Semantics s : Semantics.values()) {
      assertNull(BitExactness.whyNot(s, DEFAULTS), s.caseName());
    }
  }

  @Test
  void aNarrowOrSaturatingAccumulatorCannot() {
    assertEquals(
        "tflite-uint8 needs a 32-bit accumulator, the machine has 24 bits",
        BitExactness.whyNot(
            Semantics.TFLITE_UINT8, DEFAULTS.withAccumulator(24, AccumulatorMode.WRAP)));
    assertEquals(
        "tflite-int8 needs a wrapping accumulator, the machine saturates",
        BitExactness.whyNot(
            Semantics.TFLITE_INT8, DEFAULTS.withAccumulator(32, AccumulatorMode.SATURATE)));
  }

  @Test
  void tfliteNeedsItsRoundingButFloatRequantDoesNot() {
    MachineConfig halfEven = DEFAULTS.withRoundingMode(RoundingMode.HALF_EVEN);
    assertEquals(
        "tflite-int8 needs TFLite rounding (half away from zero), the machine rounds half-even",
        BitExactness.whyNot(Semantics.TFLITE_INT8, halfEven));
    assertNull(BitExactness.whyNot(Semantics.FLOAT_REQUANT, halfEven));
  }
}
