package dev.npusim.tests;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.metrics.Comparison;
import dev.npusim.simulator.MachineConfig;

/** Compiles a case, runs it on the simulator and compares the output bit for bit. */
final class CaseRunner {
  private CaseRunner() {}

  static LayerRunner.Run simulate(GoldenCase c, MachineConfig config) throws Exception {
    return LayerRunner.runAlone(config, LayerRunner.compile(c.layer(), config), c.input());
  }

  /** Null if bit-exact, otherwise a description of the first mismatch. */
  static String mismatch(GoldenCase c, int[] actual) {
    Comparison cmp = Comparison.of(c.layer().output(), c.expectedOutput().toArray(), actual);
    return cmp.bitExact() ? null : c.name() + ": " + cmp.summary();
  }
}
