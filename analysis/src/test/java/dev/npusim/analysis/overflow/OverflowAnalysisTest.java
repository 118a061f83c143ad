package dev.npusim.analysis.overflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.golden.LayerBuilder;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The entry call and its JSON document, on layers whose figures are worked out by hand. */
class OverflowAnalysisTest {
  private static final MachineConfig MACHINE = MachineConfig.defaults().withDram(1 << 20);

  /**
   * 1x1 conv2d, int8, zx = zw = 0, 8 input channels of weight 127 and one output channel with bias
   * 2^16: x in [-128, 127], so max = 2^16 + 8 * 127 * 127 = 65536 + 129032 = 194568 and min = 2^16
   * - 8 * 128 * 127 = 65536 - 130048 = -64512. 194568 needs 18 magnitude bits (2^17 = 131072 <=
   * 194568 < 2^18) plus sign: 19 bits; -64512 needs 17.
   */
  private static QuantizedLayer wideConv() {
    int[] w = new int[8];
    java.util.Arrays.fill(w, 127);
    return LayerBuilder.conv2d(Semantics.TFLITE_INT8)
        .input(1, 2, 2, 8)
        .outputChannels(1)
        .filter(w)
        .bias(1 << 16)
        .q31(new int[] {1 << 30}, new int[] {0})
        .build();
  }

  @Test
  void witnessOverflowsOneBitTooNarrowInBothModes() throws Exception {
    OverflowReport report =
        OverflowAnalysis.analyze(
            List.of(new OverflowAnalysis.LayerInput("wide", wideConv(), OptionalInt.of(17))),
            OptionalInt.of(16),
            true,
            MACHINE);
    LayerReport l = report.layers().get(0);
    assertEquals(19, l.minSafeBits());
    assertEquals(new AccumulatorRange(-64512, 194568), l.bound().ranges().get(0));
    assertEquals(-3, l.margin(report.accBits().orElseThrow()));
    assertTrue(l.canOverflow(18));
    assertFalse(l.canOverflow(19));
    assertEquals(2, l.headroomOverObserved().getAsInt());
    // At 18 bits ([-131072, 131071]) the witness (every x = 127 at output (0, 0); the other three
    // pixels stay at the zero point) adds 2^16, then two vdot4 sums of 4 * 127 * 127 = 64516:
    // 65536 -> 130052 -> 194568. Only the last add leaves the width: one overflow in wrap mode and
    // one in saturate mode. The three other outputs stay at 2^16.
    WitnessRun.Ran run = (WitnessRun.Ran) l.witnessRun().orElseThrow();
    assertEquals(18, run.narrowBits());
    assertEquals(1, run.wrapOverflows());
    assertEquals(1, run.saturateOverflows());
    assertEquals(19, run.observedBits());
  }

  @Test
  void jsonHasTheIssuesSchema() throws Exception {
    QuantizedLayer small =
        LayerBuilder.fullyConnected(Semantics.TFLITE_INT8)
            .input(1, 1, 1, 2)
            .outputChannels(1)
            .zeroPoints(-1, 0, 0)
            .filter(3, -2)
            .bias(10)
            .q31(new int[] {1 << 30}, new int[] {0})
            .build();
    OverflowReport report =
        OverflowAnalysis.analyze(
            List.of(
                OverflowAnalysis.LayerInput.of("fc", small),
                new OverflowAnalysis.LayerInput("wide", wideConv(), OptionalInt.of(17))),
            OptionalInt.empty(),
            false,
            MACHINE);
    JsonNode json = new ObjectMapper().readTree(report.toJsonText());
    assertEquals(
        "{\"layers\":[{\"name\":\"fc\",\"min_safe_bits\":11,\"observed_bits\":null,"
            + "\"channels\":[{\"acc_min\":-627,\"acc_max\":648}]},"
            + "{\"name\":\"wide\",\"min_safe_bits\":19,\"observed_bits\":17,"
            + "\"channels\":[{\"acc_min\":-64512,\"acc_max\":194568}]}]}",
        json.toString());
    // A small layer's narrow width is below the simulator's 16 bits: said, not run.
    LayerReport fc =
        OverflowAnalysis.analyze(OverflowAnalysis.LayerInput.of("fc", small), true, MACHINE);
    assertEquals(
        "a 10-bit run is outside the 16..48-bit accumulators the simulator models",
        ((WitnessRun.NotRun) fc.witnessRun().orElseThrow()).reason());
  }

  @Test
  void accBitsOutOfRangeIsATypedErrorBeforeAnyWork() {
    AccumulatorWidthException e =
        assertThrows(
            AccumulatorWidthException.class,
            () ->
                OverflowAnalysis.analyze(
                    List.of(OverflowAnalysis.LayerInput.of("wide", wideConv())),
                    OptionalInt.of(65),
                    true,
                    MACHINE));
    assertEquals("acc-bits: expected a width in 8..64, got 65", e.getMessage());
    assertEquals(65, e.bits());
  }

  @Test
  void observedBitsAboveTheBoundIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OverflowAnalysis.analyze(
                    new OverflowAnalysis.LayerInput("wide", wideConv(), OptionalInt.of(20)),
                    false,
                    MACHINE));
    assertEquals("layer wide: observed 20 bits exceed the proven bound of 19", e.getMessage());
  }
}
