package dev.npusim.tests;

import static org.quicktheories.QuickTheory.qt;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.CaseSpecGen;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * Differential test of compiler + simulator against the independent integer reference: random
 * layers of every op and semantics up to about 16x16x32, kernels 1/3/5, strides 1-2, dilations 1-2,
 * depth multipliers 1-3, positive and negative shifts, extreme data and biases near 2^30, compiled
 * and run instruction by instruction, must equal the reference bit for bit.
 */
class CompilerProperties {
  static final CaseSpecGen.Limits LIMITS =
      new CaseSpecGen.Limits(2, 16, 32, 40, List.of(1, 3, 5), 2, 2, 3);

  static Gen<CaseSpec> specs() {
    return CaseSpecGen.specs(
        Generate.enumValues(LayerKind.class), Generate.enumValues(Semantics.class), LIMITS);
  }

  static void check(CaseSpec spec, long seed, MachineConfig config) {
    GoldenCase c = CaseGenerator.generate(spec, seed);
    LayerRunner.Run run;
    try {
      run = CaseRunner.simulate(c, config);
    } catch (Exception e) {
      throw new AssertionError(spec.describe() + " on " + config.name() + ": " + e, e);
    }
    String mismatch = CaseRunner.mismatch(c, run.output());
    if (mismatch != null) {
      throw new AssertionError(
          spec.describe() + " seed " + seed + " on " + config.name() + ": " + mismatch);
    }
  }

  @Test
  void randomLayersAreBitExactOnTheDefaultMachine() {
    qt().withExamples(250)
        .forAll(specs(), SourceDSL.longs().all())
        .checkAssert((spec, seed) -> check(spec, seed, MachineConfig.defaults()));
  }

  /** Lane counts that do not divide the channel counts, and scratchpads that force many tiles. */
  static final List<MachineConfig> MACHINES =
      List.of(
          MachineConfig.defaults().withLanes(8).withName("lanes-8"),
          MachineConfig.defaults().withLanes(12).withName("lanes-12"),
          MachineConfig.defaults().withLanes(64).withName("lanes-64"),
          MachineConfig.defaults()
              .withLanes(16)
              .withScratchpad(Scratchpad.ACT, 4096, 2)
              .withScratchpad(Scratchpad.WGT, 8192, 2)
              .withScratchpad(Scratchpad.OUT, 1024, 2)
              .withScratchpad(Scratchpad.PAR, 1024, 1)
              .withName("tiny-scratchpads"));

  @Test
  void randomLayersAreBitExactOnOtherMachines() {
    qt().withExamples(200)
        .forAll(specs(), SourceDSL.longs().all(), Generate.pick(MACHINES))
        .checkAssert(CompilerProperties::check);
  }

  @Test
  void extremeDataAndBiasesNearTheInt32Limits() {
    Gen<CaseSpec> extreme =
        specs()
            .map(
                s ->
                    CaseSpec.builder(s.op(), s.semantics())
                        .input(s.batch(), s.inputHeight(), s.inputWidth(), s.inputChannels())
                        .outputChannels(s.outputChannels())
                        .kernel(s.kernelHeight(), s.kernelWidth())
                        .stride(s.strideH(), s.strideW())
                        .dilation(s.dilationH(), s.dilationW())
                        .depthMultiplier(s.depthMultiplier())
                        .padding(s.padding())
                        .types(s.inputType(), s.filterType(), s.outputType())
                        .perChannelRequant(s.perChannelRequant())
                        .perChannelFilterZeroPoint(s.perChannelFilterZeroPoint())
                        .distribution(CaseSpec.Distribution.EXTREMES)
                        .bias(CaseSpec.BiasRange.NEAR_2_POW_30)
                        .scales(CaseSpec.ScaleRange.WIDE)
                        .build());
    qt().withExamples(100)
        .forAll(extreme, SourceDSL.longs().all())
        .checkAssert((spec, seed) -> check(spec, seed, MachineConfig.defaults()));
  }

  /**
   * Issue 12: float-requant layers with scales over the whole float32 range (1e14 and
   * Float.MAX_VALUE among them): the simulator saturates exactly where the integer reference does.
   */
  @Test
  void floatRequantWithExtremeScales() {
    Gen<CaseSpec> extreme =
        specs()
            .map(
                s ->
                    CaseSpec.builder(s.op(), Semantics.FLOAT_REQUANT)
                        .input(s.batch(), s.inputHeight(), s.inputWidth(), s.inputChannels())
                        .outputChannels(s.outputChannels())
                        .kernel(s.kernelHeight(), s.kernelWidth())
                        .stride(s.strideH(), s.strideW())
                        .dilation(s.dilationH(), s.dilationW())
                        .depthMultiplier(s.depthMultiplier())
                        .padding(s.padding())
                        .types(s.inputType(), s.filterType(), s.outputType())
                        .perChannelRequant(true)
                        .perChannelFilterZeroPoint(s.perChannelFilterZeroPoint())
                        .scales(CaseSpec.ScaleRange.EXTREME)
                        .build());
    qt().withExamples(60)
        .forAll(extreme, SourceDSL.longs().all())
        .checkAssert((spec, seed) -> check(spec, seed, MachineConfig.defaults()));
  }
}
