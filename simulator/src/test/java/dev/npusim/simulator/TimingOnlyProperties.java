package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.isa.Program;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Machine#setTimingOnly}: a run that computes no values must report the same outcome (halt
 * or the same fault at the same pc after the same steps) and the same value-independent counters as
 * the interpreter computing everything: cycles, steps, instructions by class, MACs, stalls, DMA
 * traffic, energy events, scratchpad bytes, hits per pc. Only the value-dependent counters
 * (overflows, saturations, clamp hits) may differ. The programs are those of {@link
 * FastEngineProperties}: uniform random programs (every opcode, mostly faults) and MAC-heavy
 * programs shaped like compiled layers on random DRAM, with DMA hazards, bank-conflict stalls and
 * requantization shifts that fault on their data.
 */
class TimingOnlyProperties {

  @Test
  void uniformRandomProgramsCountTheSameWithoutValues() {
    qt().withExamples(200)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              MachineConfig cfg =
                  FastEngineProperties.MACHINES[
                      Math.floorMod(seed, FastEngineProperties.MACHINES.length)];
              compare(cfg, RandomProgramProperties.randomProgram(seed, cfg.lanes()), seed, 20_000);
            });
  }

  @Test
  void macHeavyProgramsCountTheSameWithoutValues() {
    halts = 0;
    qt().withExamples(200)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Random r = new Random(seed);
              MachineConfig cfg =
                  FastEngineProperties.MACHINES[r.nextInt(FastEngineProperties.MACHINES.length)];
              compare(cfg, FastEngineProperties.macHeavyProgram(r, cfg), seed, 200_000);
            });
    // Not vacuous: many programs ran to their halt rather than to an early fault. About a third
    // halt (993 of 3,000 random seeds), so 200 seeds give 66 +- 6.7; 30 is 5.4 standard
    // deviations below (the threshold of 50 was 2.4 below and failed about once in 120 runs).
    assertTrue(halts > 30, "only " + halts + " programs halted");
  }

  @Test
  void widthTrackingNeedsValues() {
    Machine m = new Machine(MachineConfig.defaults());
    m.setTimingOnly(true);
    assertThrows(IllegalArgumentException.class, () -> m.trackAccumulatorWidth(true));
    Machine t = new Machine(MachineConfig.defaults());
    t.trackAccumulatorWidth(true);
    assertThrows(IllegalArgumentException.class, () -> t.setTimingOnly(true));
  }

  private static int halts;

  private static void compare(MachineConfig cfg, Program p, long seed, long maxSteps) {
    byte[] image = new byte[cfg.dramBytes()];
    new Random(seed * 31 + 7).nextBytes(image);
    Machine full = new Machine(cfg, Engine.INTERPRETER);
    Machine timing = new Machine(cfg, Engine.FAST);
    timing.setTimingOnly(true);
    full.writeDram(0, image);
    timing.writeDram(0, image);
    String a = outcome(full, p, maxSteps);
    String b = outcome(timing, p, maxSteps);
    assertEquals(a, b, "run outcome differs on\n" + p);
    if (a.startsWith("halt")) {
      halts++;
    }
  }

  /** The halt or fault, and every counter that cannot depend on values. */
  private static String outcome(Machine m, Program p, long maxSteps) {
    try {
      RunResult r = m.run(p, maxSteps);
      return "halt "
          + new RunResult(
              r.steps(),
              r.cycles(),
              r.instructionsByClass(),
              r.macs(),
              0,
              r.accumulatorBitsNeeded(),
              0,
              0,
              r.stalls(),
              r.dma(),
              r.events(),
              r.scratchpadReads(),
              r.scratchpadWrites(),
              r.hitsPerPc());
    } catch (SimulationFault f) {
      return "fault at pc "
          + f.pc()
          + " ("
          + f.instruction()
          + "): "
          + f.getMessage()
          + " after "
          + f.steps()
          + " steps";
    }
  }
}
