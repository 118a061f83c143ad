package dev.npusim.simulator;

import dev.npusim.isa.Program;

/** How a run ended, as text two engines' runs must agree on: the halt's result or the fault. */
final class RunOutcome {
  private RunOutcome() {}

  static String of(Machine m, Program p, long maxSteps) {
    try {
      return "halt " + m.run(p, maxSteps);
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
