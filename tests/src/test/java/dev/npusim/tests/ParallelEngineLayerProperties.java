package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.simulator.Engine;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * {@link Engine#PARALLEL} against the interpreter on random compiled layers (as {@link
 * FastEngineLayerProperties}: every kind and semantics, extreme data, narrow and saturating
 * accumulators, width tracking on and off), with every loop the planner accepts split into 2 or 3
 * parts however small: outputs, every counter, every register, every scratchpad and all of DRAM
 * identical.
 */
class ParallelEngineLayerProperties {
  private static long merged;
  private static long epilogueRuns;

  @Test
  void compiledLayersRunTheSameInParallel() {
    merged = 0;
    epilogueRuns = 0;
    qt().withExamples(60)
        .forAll(
            CompilerProperties.specs().map(FastEngineLayerProperties::sometimesExtreme),
            SourceDSL.longs().all(),
            Generate.pick(FastEngineLayerProperties.MACHINES),
            SourceDSL.booleans().all())
        .checkAssert(ParallelEngineLayerProperties::check);
    // Not vacuous: the compiled kernels' loops were split and their parts merged.
    assertTrue(merged > 100, "only " + merged + " parts merged");
    // ... and inside those parts the per-pixel epilogue (stores included) ran fused.
    assertTrue(epilogueRuns > 1_000, "only " + epilogueRuns + " fused epilogue runs in parts");
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
    Machine parallel = new Machine(config, Engine.PARALLEL);
    parallel.setParallelSplit(0, 2 + (int) Math.floorMod(seed, 2L));
    interpreter.trackAccumulatorWidth(track);
    parallel.trackAccumulatorWidth(track);
    String what = spec.describe() + " seed " + seed + " on " + config.name() + ", track " + track;
    FastEngineLayerProperties.assertSameRun(interpreter, parallel, compiled, c, what);
    merged += parallel.parallelParts()[0];
    epilogueRuns += parallel.parallelParts()[3];
  }
}
