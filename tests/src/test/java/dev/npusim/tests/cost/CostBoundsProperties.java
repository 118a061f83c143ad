package dev.npusim.tests.cost;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.cost.CompulsoryTraffic;
import dev.npusim.analysis.cost.CostEstimator;
import dev.npusim.analysis.cost.CostException;
import dev.npusim.analysis.cost.LayerCost;
import dev.npusim.analysis.cost.NamedLayer;
import dev.npusim.analysis.cost.ZeroWeightNetwork;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.CaseSpecGen;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.simulator.EnergyComponent;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The hard bounds of the cost model, on random layers of every kind and every preset. None of the
 * expected values comes from the implementation: each is a physical limit computed from the layer
 * and the machine alone.
 *
 * <ul>
 *   <li>cycles >= MACs / (lanes x MACs per lane per cycle): the MAC array has no more multipliers;
 *   <li>cycles >= DRAM bytes / DMA bytes per cycle: ld and st share one port;
 *   <li>energy >= MACs x the energy of one 8-bit MAC: every MAC is paid for;
 *   <li>DRAM bytes >= weights + input read + output, each once: nothing reaches the scratchpads
 *       otherwise.
 * </ul>
 */
class CostBoundsProperties {
  static final CaseSpecGen.Limits LIMITS =
      new CaseSpecGen.Limits(2, 16, 40, 48, List.of(1, 3, 5), 2, 2, 3);

  static Gen<CaseSpec> specs() {
    return CaseSpecGen.specs(
        Generate.enumValues(LayerKind.class), Generate.enumValues(Semantics.class), LIMITS);
  }

  static void checkBounds(CaseSpec spec, long seed, MachineConfig m) {
    GoldenCase c = CaseGenerator.generate(spec, seed);
    checkBounds(spec.describe(), c.layer(), c.input(), m);
  }

  static void checkBounds(
      String name, QuantizedLayer layer, ImmutableIntArray input, MachineConfig m) {
    LayerCost cost;
    try {
      cost = CostEstimator.layer(new NamedLayer(name, layer), m, input, false).cost();
    } catch (CostException e) {
      throw new AssertionError(name + " on " + m.name() + ": " + e.getMessage(), e);
    }
    String where = name + " on " + m.name();
    long macs = layer.macs();
    long peak = (long) m.lanes() * m.macsPerLanePerCycle();
    long dramBytes = cost.run().dma().bytesLoaded() + cost.run().dma().bytesStored();
    // cycles * peak >= MACs, in integers: no rounding can hide a violation.
    assertTrue(cost.cycles() * peak >= macs, where + ": cycles below the compute bound");
    assertTrue(
        cost.cycles() * peak >= cost.run().macs(),
        where + ": cycles below the compute bound of the simulated (padded) MACs");
    assertTrue(
        cost.cycles() * m.dmaBytesPerCycle() >= dramBytes,
        where + ": cycles below the memory bound");
    double macPj = m.energy().mac8Pj();
    assertTrue(
        cost.energy().totalPj() >= macs * macPj * (1 - 1e-12),
        where + ": energy below MACs x MAC energy");
    assertTrue(
        cost.energy().pj(EnergyComponent.MAC) >= macs * macPj * (1 - 1e-12),
        where + ": MAC energy below MACs x MAC energy");
    long compulsory =
        layer.filter().length()
            + CompulsoryTraffic.inputFootprintBytes(layer)
            + layer.output().elements();
    assertTrue(dramBytes >= compulsory, where + ": DRAM traffic below the compulsory traffic");
    assertTrue(cost.boundEfficiency() <= 1 + 1e-12, where + ": a run beats its roofline bound");
  }

  @Test
  void randomLayersOnEveryPresetRespectTheHardBounds() {
    qt().withExamples(160)
        .forAll(specs(), SourceDSL.longs().all(), Generate.pick(Presets.all()))
        .checkAssert(CostBoundsProperties::checkBounds);
  }

  @Test
  void theBoundsHoldOnNarrowMachinesWithSlowOrFastDma() {
    List<MachineConfig> machines =
        List.of(
            MachineConfig.defaults().withLanes(4).withDma(1, 0).withName("narrow-slow"),
            MachineConfig.defaults().withLanes(12).withDma(64, 4).withName("odd-fast"),
            MachineConfig.defaults()
                .withMacsPerLanePerCycle(1)
                .withDmaQueueDepth(1)
                .withName("one-mac-one-deep"));
    qt().withExamples(60)
        .forAll(specs(), SourceDSL.longs().all(), Generate.pick(machines))
        .checkAssert(CostBoundsProperties::checkBounds);
  }

  /** The real geometry: every SSD-MobileNetV1 layer of at most 10 M MACs, on every preset. */
  @Test
  void theSmallerSsdLayersOnEveryPresetRespectTheHardBounds() throws Exception {
    List<NamedLayer> layers =
        ZeroWeightNetwork.of("ssd", SsdMobilenetV1.loadBundled().graph()).layers();
    for (MachineConfig m : Presets.all()) {
      for (NamedLayer l : layers) {
        if (l.layer().macs() <= 10_000_000) {
          checkBounds(l.name(), l.layer(), null, m);
        }
      }
    }
  }
}
