package dev.npusim.analysis.imported;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.isa.Csr;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * npusim's schemes on a float graph whose ADD adds a per-channel constant: the constant quantized
 * per tensor with the scheme's activation rule, the ADD run on the NPU's kernel with the operands
 * broadcast, and {@code --check} comparing it with golden's ADD reference.
 */
class SchemePipelineAddTest {
  private static final TensorShape X = new TensorShape(1, 4, 4, 8);
  private static final TensorShape C = new TensorShape(1, 1, 1, 8);

  /** Non-negative, up to 2.55: TF8's uint8 grid for it is exactly 0.01 per code, zero point 0. */
  private static final double[] CONSTANT = {0, 0.5, 1, 1.5, 2, 2.55, 0.25, 0.75};

  private static FloatGraph graph() {
    FloatLayer add = FloatLayer.add("add", FloatGraph.INPUT, X, "k", C, X, Activation.RELU);
    return new FloatGraph(X, Map.of("k", FloatTensor.copyOf(C, CONSTANT)), List.of(add));
  }

  private static List<ModelInput> inputs() {
    Random r = new Random(3);
    List<ModelInput> out = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      double[] v = new double[(int) X.elements()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextDouble() * 4 - 2;
      }
      out.add(new ModelInput("random " + n, FloatTensor.adopt(X, v)));
    }
    return out;
  }

  @Test
  void theConstantIsQuantizedPerTensorWithTheSchemesActivationRule() throws AnalysisException {
    SchemePipeline p =
        SchemePipeline.quantize(graph(), QuantScheme.TF8, inputs(), MachineConfig.defaults());
    // TF8 activations: uint8, asymmetric over [min(0, lo), max(0, hi)] = [0, 2.55]: scale
    // 2.55 / 255 = 0.01, zero point round(0 - 0 / 0.01) = 0; codes value / 0.01.
    QuantParams k = p.params("k");
    assertEquals(DataType.UINT8, k.type());
    assertEquals(0.01, k.scale(), 1e-15);
    assertEquals(0, k.zeroPoint());
    SchemePipeline.Run r =
        p.run(
            inputs().get(0).values(), new LayerRunner(new Machine(MachineConfig.defaults())), true);
    assertArrayEquals(new int[] {0, 50, 100, 150, 200, 255, 25, 75}, r.values().get("k"));
    assertEquals((int) X.elements(), r.values().get("add").length);
  }

  /**
   * Every scheme's ADD passes --check on the bit-exact machine; on one that truncates in
   * requantization (TFLite's ADD rounds half away from zero) the check names the scheme and layer.
   */
  @Test
  void checkComparesTheSchemesAddWithTheReference() throws AnalysisException {
    for (QuantScheme scheme :
        new QuantScheme[] {
          QuantScheme.TF8, QuantScheme.TF8_DW_PER_CHANNEL, QuantScheme.INT8_PER_CHANNEL
        }) {
      SchemePipeline p =
          SchemePipeline.quantize(graph(), scheme, inputs(), MachineConfig.defaults());
      for (ModelInput in : inputs()) {
        p.run(in.values(), new LayerRunner(new Machine(MachineConfig.defaults())), true);
      }
    }
    MachineConfig truncating = MachineConfig.defaults().withRoundingMode(Csr.RoundingMode.TRUNCATE);
    SchemePipeline p = SchemePipeline.quantize(graph(), QuantScheme.TF8, inputs(), truncating);
    AnalysisException e =
        assertThrows(
            AnalysisException.class,
            () -> p.run(inputs().get(0).values(), new LayerRunner(new Machine(truncating)), true));
    assertTrue(
        e.getMessage().startsWith("--check: scheme tf8: layer add: element "), e.getMessage());
    assertTrue(e.getMessage().contains("in the integer reference"), e.getMessage());
  }
}
