package dev.npusim.analysis.engine;

import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.codegen.CompilerTarget;
import dev.npusim.simulator.MachineConfig;

/** The compiler's view of a machine configuration. */
public final class Targets {
  private Targets() {}

  public static CompilerTarget of(MachineConfig m) {
    return new CompilerTarget(
        m.lanes(),
        m.scratchpadBytes(Scratchpad.ACT),
        m.scratchpadBytes(Scratchpad.WGT),
        m.scratchpadBytes(Scratchpad.OUT),
        m.scratchpadBytes(Scratchpad.PAR),
        m.dramBytes());
  }
}
