package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.simulator.Engine;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The fast engine against the interpreter on random compiled layers (every kind and semantics,
 * extreme data and biases near 2^30, narrow and saturating accumulators, width tracking on and
 * off): the outputs, every counter of the run, every register, every scratchpad and all of DRAM
 * must be identical. {@code FastEngineProperties} in the simulator module does the same for random
 * programs, with faults.
 */
class FastEngineLayerProperties {
  static final List<MachineConfig> MACHINES =
      List.of(
          MachineConfig.defaults(),
          MachineConfig.defaults().withLanes(12).withName("lanes-12"),
          MachineConfig.defaults().withAccumulator(18, AccumulatorMode.WRAP).withName("acc18-wrap"),
          MachineConfig.defaults()
              .withLanes(16)
              .withAccumulator(24, AccumulatorMode.SATURATE)
              .withScratchpad(Scratchpad.ACT, 4096, 2)
              .withScratchpad(Scratchpad.WGT, 8192, 2)
              .withScratchpad(Scratchpad.OUT, 1024, 2)
              .withScratchpad(Scratchpad.PAR, 1024, 1)
              .withName("tiny-acc24-saturate"));

  @Test
  void compiledLayersRunTheSameOnBothEngines() {
    qt().withExamples(60)
        .forAll(
            CompilerProperties.specs().map(FastEngineLayerProperties::sometimesExtreme),
            SourceDSL.longs().all(),
            Generate.pick(MACHINES),
            SourceDSL.booleans().all())
        .checkAssert(FastEngineLayerProperties::check);
  }

  static CaseSpec sometimesExtreme(CaseSpec s) {
    if ((s.inputChannels() + s.outputChannels()) % 3 != 0) {
      return s;
    }
    return CaseSpec.builder(s.op(), s.semantics())
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
        .build();
  }

  static void check(CaseSpec spec, long seed, MachineConfig config, boolean track) {
    GoldenCase c = CaseGenerator.generate(spec, seed);
    CompiledLayer compiled;
    try {
      compiled = LayerRunner.compile(c.layer(), config);
    } catch (Exception e) {
      return; // a layer this machine cannot hold: nothing to compare
    }
    Machine interpreter = new Machine(config, Engine.INTERPRETER);
    Machine fast = new Machine(config, Engine.FAST);
    interpreter.trackAccumulatorWidth(track);
    fast.trackAccumulatorWidth(track);
    String what = spec.describe() + " seed " + seed + " on " + config.name() + ", track " + track;
    assertSameRun(interpreter, fast, compiled, c, what);
  }

  /**
   * Runs the compiled layer on both machines and asserts the same outcome (output and every
   * counter, or the same fault), scratchpads, DRAM and registers.
   */
  static void assertSameRun(
      Machine interpreter, Machine other, CompiledLayer compiled, GoldenCase c, String what) {
    String a = run(interpreter, compiled, c);
    String b = run(other, compiled, c);
    assertEquals(a, b, what);
    for (Scratchpad s : Scratchpad.values()) {
      assertArrayEquals(interpreter.scratchpad(s), other.scratchpad(s), what + ": " + s);
    }
    assertArrayEquals(
        interpreter.readDram(0, interpreter.dramSize()),
        other.readDram(0, other.dramSize()),
        what + ": DRAM");
    for (int i = 0; i < 32; i++) {
      assertEquals(interpreter.x(i), other.x(i), what + ": x" + i);
      assertArrayEquals(interpreter.v(i), other.v(i), what + ": v" + i);
    }
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(interpreter.acc(i), other.acc(i), what + ": acc" + i);
    }
  }

  private static String run(Machine m, CompiledLayer compiled, GoldenCase c) {
    try {
      LayerRunner.Run r = LayerRunner.run(m, compiled, c.input());
      return java.util.Arrays.toString(r.output()) + "\n" + r.result();
    } catch (SimulationFault f) {
      return "fault at pc " + f.pc() + ": " + f.getMessage() + " after " + f.steps() + " steps";
    }
  }
}
