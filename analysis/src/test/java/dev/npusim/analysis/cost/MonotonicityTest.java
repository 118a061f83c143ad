package dev.npusim.analysis.cost;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * More lanes, or more DMA bandwidth, never make a layer slower: on a fixed set of layers shaped
 * like MobileNet's (depthwise stride 1 and 2, 1x1 and 3x3 convolutions, a 3-channel first layer, a
 * narrow predictor, a fully-connected layer, a depth multiplier).
 *
 * <p>Bandwidth: the program does not depend on it and every transfer only gets shorter, so cycles
 * never grow; checked exactly over 1 to 64 bytes per cycle.
 *
 * <p>Lanes: the compiler's tiling depends on the lane count, so monotonicity is a property of the
 * tiling choices, not a theorem. It holds exactly when the lane count doubles (4 to 128), the steps
 * a hardware sweep takes. Between arbitrary lane counts one effect can still cost a little: the
 * compiler takes the largest tile that fits, and whether a layer's input fits one tile or needs two
 * can flip with the lane count (the input-block width sets the few bytes kept free after a tile); a
 * single tile cannot overlap its input load with compute. So for arbitrary steps the test allows at
 * most the time to load the layer's input once at the DMA rate (bytes / bandwidth + one setup per
 * input row), and no more.
 */
class MonotonicityTest {
  private static final int[] DOUBLING_LANES = {4, 8, 16, 32, 64, 128};
  private static final int[] ANY_LANES = {4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 96, 128};
  private static final int[] BANDWIDTHS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64};

  static List<NamedLayer> layers() {
    List<CaseSpec> specs =
        List.of(
            spec(LayerKind.DEPTHWISE_CONV2D).input(1, 32, 32, 64).kernel(3, 3).build(),
            spec(LayerKind.DEPTHWISE_CONV2D).input(1, 32, 32, 64).kernel(3, 3).stride(2, 2).build(),
            spec(LayerKind.CONV2D).input(1, 32, 32, 64).outputChannels(128).build(),
            spec(LayerKind.CONV2D)
                .input(1, 16, 16, 64)
                .outputChannels(96)
                .kernel(3, 3)
                .stride(2, 2)
                .build(),
            spec(LayerKind.CONV2D)
                .input(1, 64, 64, 3)
                .outputChannels(32)
                .kernel(3, 3)
                .stride(2, 2)
                .build(),
            spec(LayerKind.CONV2D).input(1, 8, 8, 512).outputChannels(24).build(),
            spec(LayerKind.FULLY_CONNECTED).input(4, 1, 1, 256).outputChannels(100).build(),
            spec(LayerKind.DEPTHWISE_CONV2D)
                .input(1, 16, 16, 40)
                .kernel(5, 5)
                .depthMultiplier(2)
                .build());
    return specs.stream()
        .map(s -> new NamedLayer(s.describe(), CaseGenerator.generate(s, 1).layer()))
        .toList();
  }

  private static CaseSpec.Builder spec(LayerKind kind) {
    CaseSpec.Builder b = CaseSpec.builder(kind, Semantics.TFLITE_INT8);
    return kind == LayerKind.FULLY_CONNECTED ? b : b.padding(Padding.same());
  }

  private static LayerCost cost(NamedLayer l, MachineConfig m) {
    try {
      return CostEstimator.layer(l, m, null, false).cost();
    } catch (CostException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  @Test
  void moreDmaBandwidthNeverCostsCycles() {
    for (NamedLayer l : layers()) {
      long previous = Long.MAX_VALUE;
      for (int bw : BANDWIDTHS) {
        MachineConfig m = MachineConfig.defaults().withDma(bw, 32);
        long cycles = cost(l, m).cycles();
        assertTrue(
            cycles <= previous,
            l.name() + ": " + bw + " bytes/cycle takes " + cycles + " > " + previous);
        previous = cycles;
      }
    }
  }

  @Test
  void doublingTheLanesNeverCostsCycles() {
    for (NamedLayer l : layers()) {
      long previous = Long.MAX_VALUE;
      for (int lanes : DOUBLING_LANES) {
        long cycles = cost(l, MachineConfig.defaults().withLanes(lanes)).cycles();
        assertTrue(
            cycles <= previous,
            l.name() + ": " + lanes + " lanes take " + cycles + " > " + previous + " cycles");
        previous = cycles;
      }
    }
  }

  @Test
  void moreLanesCostAtMostOneExposedInputLoad() {
    for (NamedLayer l : layers()) {
      QuantizedLayer q = l.layer();
      MachineConfig base = MachineConfig.defaults();
      long inputLoad =
          q.input().elements() / base.dmaBytesPerCycle()
              + (long) q.input().n() * q.input().h() * base.dmaSetupCycles();
      long best = Long.MAX_VALUE;
      for (int lanes : ANY_LANES) {
        long cycles = cost(l, base.withLanes(lanes)).cycles();
        assertTrue(
            best == Long.MAX_VALUE || cycles <= best + inputLoad,
            l.name()
                + ": "
                + lanes
                + " lanes take "
                + cycles
                + " cycles, more than the "
                + best
                + " of fewer lanes plus one input load ("
                + inputLoad
                + ")");
        best = Math.min(best, cycles);
      }
    }
  }
}
