package dev.npusim.analysis.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.network.SimulatedNetwork.LayerResult;
import dev.npusim.analysis.network.SimulatedNetwork.Mismatch;
import dev.npusim.analysis.network.SimulatedNetwork.NetworkRun;
import dev.npusim.analysis.network.SimulatedNetwork.Placement;
import dev.npusim.isa.Csr;
import dev.npusim.isa.Scratchpad;
import dev.npusim.models.tflite.BuiltinOperator;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The simulated network against the integer reference network (golden, written separately), and its
 * placements, counters and errors. TFLite itself is the oracle in {@code
 * tests/.../tflite/SimulatorOracleTest}.
 */
class SimulatedNetworkTest {
  static int[] random(TfliteModel m, long seed) {
    Random r = new Random(seed);
    int[] x = new int[(int) m.input().elements()];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(256) - 128;
    }
    return x;
  }

  /**
   * ResNet-8 has every kind of step: convolutions, ADD and AVERAGE_POOL_2D on the NPU, RESHAPE as a
   * no-op, SOFTMAX on the host. Every tensor of the simulated chain equals the reference chain's,
   * and two runs on one compiled network give the same result.
   */
  @Test
  void resnetOnTheSimulatorEqualsTheReferenceChainTensorByTensor() throws Exception {
    TfliteModel m = ReferenceNetworkTest.model("pretrainedResnet_quant.tflite");
    SimulatedNetwork n = SimulatedNetwork.compile(m, MachineConfig.defaults());
    int[] x = random(m, 5);
    NetworkRun run = n.run(x);
    ReferenceNetwork.Activations expected = n.reference().run(x);
    for (LayerResult l : run.layers()) {
      assertArrayEquals(
          expected.tensor(l.outputTensor()),
          run.tensors().tensor(l.outputTensor()),
          "operator " + l.index());
    }
    assertEquals(List.of(), n.check(run));
    assertArrayEquals(
        run.tensors().tensor(m.outputs().get(0)), n.run(x).tensors().tensor(m.outputs().get(0)));
  }

  @Test
  void placementsAndCountersFollowTheOperators() throws Exception {
    TfliteModel m = ReferenceNetworkTest.model("pretrainedResnet_quant.tflite");
    SimulatedNetwork n = SimulatedNetwork.compile(m, MachineConfig.defaults());
    NetworkRun run = n.run(random(m, 6));
    assertEquals(m.operators().size(), run.layers().size());
    long cycles = 0;
    for (LayerResult l : run.layers()) {
      Placement expected =
          switch (l.op()) {
            case SOFTMAX -> Placement.HOST;
            case RESHAPE, SQUEEZE -> Placement.NONE;
            default -> Placement.NPU;
          };
      assertEquals(expected, l.placement(), "operator " + l.index());
      assertEquals(l.placement() == Placement.NPU, l.counters().isPresent());
      assertEquals(l.placement() == Placement.NPU, n.program(l.index()).isPresent());
      assertEquals(
          l.placement() == Placement.NPU,
          n.compiledLayer(l.index()).isPresent() != n.compiledOperator(l.index()).isPresent());
      assertEquals(
          l.op() == BuiltinOperator.ADD || l.op() == BuiltinOperator.AVERAGE_POOL_2D,
          n.compiledOperator(l.index()).isPresent());
      if (l.placement() == Placement.NPU) {
        assertTrue(l.cycles() > 0, "operator " + l.index() + " ran in no cycles");
      } else {
        assertEquals(0, l.cycles());
        assertEquals(0, l.macs());
      }
      cycles += l.cycles();
    }
    assertEquals(cycles, run.cycles());
    // MACs: a convolution does out_h * out_w * out_c * k_h * k_w * in_c of them; operator 1 is
    // 32x32x16 outputs of a 3x3x16 filter. (Operator 0's 3 input channels are padded to the
    // 4-way dot product's 4, so it does 3x3x4 per output.)
    assertEquals(32L * 32 * 16 * 3 * 3 * 16, run.layers().get(1).macs());
    assertEquals(32L * 32 * 16 * 3 * 3 * 4, run.layers().get(0).macs());
    assertEquals(0, run.layers().get(3).macs(), "ADD multiplies nothing into an accumulator");
    assertEquals(BuiltinOperator.ADD, run.layers().get(3).op());
  }

  /**
   * A machine that is not bit-exact (a 16-bit wrapping accumulator) makes the check name the first
   * operator whose accumulators need more, with the element and both values as the reference gives
   * them on the simulator's own inputs.
   */
  @Test
  void checkNamesTheOperatorTheElementAndBothValues() throws Exception {
    TfliteModel m = ReferenceNetworkTest.model("person_detect.tflite");
    MachineConfig narrow =
        MachineConfig.defaults().withAccumulator(16, Csr.AccumulatorMode.WRAP).withName("acc16");
    SimulatedNetwork n = SimulatedNetwork.compile(m, narrow);
    NetworkRun run = n.run(random(m, 7));
    List<Mismatch> mismatches = n.check(run);
    assertFalse(mismatches.isEmpty());
    Mismatch first = mismatches.get(0);
    assertTrue(run.layers().get(first.op().index()).overflows() > 0, first.toString());
    int[] reference = n.reference().runOperator(first.op().index(), run.tensors()::tensor);
    assertEquals(reference[first.element()], first.reference());
    assertEquals(run.tensors().tensor(first.op().output())[first.element()], first.simulated());
    assertTrue(first.simulated() != first.reference());
    assertTrue(
        first.toString().startsWith("operator " + first.op().index() + " ("), first.toString());
  }

  @Test
  void anOperatorThatDoesNotFitTheMachineIsNamed() throws Exception {
    TfliteModel m = ReferenceNetworkTest.model("kws_ref_model.tflite");
    MachineConfig tiny =
        MachineConfig.defaults().withScratchpad(Scratchpad.WGT, 64, 1).withName("tiny");
    AnalysisException e =
        assertThrows(AnalysisException.class, () -> SimulatedNetwork.compile(m, tiny));
    assertTrue(
        e.getMessage()
            .startsWith(
                "kws_ref_model.tflite: operator 0 (CONV_2D) does not fit"
                    + " machine tiny: scratchpads.wgt"),
        e.getMessage());
  }

  @Test
  void floatModelIsRefused() throws Exception {
    TfliteModel m = ReferenceNetworkTest.model("vww_96_float.tflite");
    ModelFormatException e =
        assertThrows(
            ModelFormatException.class,
            () -> SimulatedNetwork.compile(m, MachineConfig.defaults()));
    assertTrue(e.getMessage().startsWith("vww_96_float.tflite: "), e.getMessage());
  }

  @Test
  void inputOutsideInt8OrOfTheWrongSizeIsNamed() throws Exception {
    TfliteModel m = ReferenceNetworkTest.model("kws_ref_model.tflite");
    SimulatedNetwork n = SimulatedNetwork.compile(m, MachineConfig.defaults());
    IllegalArgumentException size =
        assertThrows(IllegalArgumentException.class, () -> n.run(new int[3]));
    assertTrue(size.getMessage().startsWith("input has 3 values, tensor 0 "), size.getMessage());
    int[] x = new int[490];
    x[17] = 128;
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> n.run(x));
    assertEquals("input[17] = 128 is outside int8", range.getMessage());
  }
}
