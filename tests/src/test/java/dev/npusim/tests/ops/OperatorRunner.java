package dev.npusim.tests.ops;

import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.kernels.codegen.CompilerTarget;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;

/**
 * A minimal runner for compiled pooling and ADD layers: places constants and inputs in a fresh
 * machine's DRAM, poisons the output region, runs the program and reads the output back.
 */
final class OperatorRunner {
  private OperatorRunner() {}

  record Run(int[] output, RunResult result) {}

  static CompilerTarget target(MachineConfig m) {
    return new CompilerTarget(
        m.lanes(),
        m.scratchpadBytes(Scratchpad.ACT),
        m.scratchpadBytes(Scratchpad.WGT),
        m.scratchpadBytes(Scratchpad.OUT),
        m.scratchpadBytes(Scratchpad.PAR),
        m.dramBytes());
  }

  static Run run(CompiledOperator c, MachineConfig config, int[]... inputs) throws Exception {
    Machine m = new Machine(config);
    m.writeDram(c.constAddr(), c.constants().toByteArray());
    for (int i = 0; i < inputs.length; i++) {
      m.writeDram(c.inputAddrs().get(i), c.encodeInput(i, inputs[i]));
    }
    byte[] poison = new byte[c.outputBytes()];
    for (int i = 0; i < poison.length; i++) {
      poison[i] = (byte) (i * 151 + 89); // varies, so a byte never written shows as a mismatch
    }
    m.writeDram(c.outputAddr(), poison);
    RunResult r = m.run(c.program(), Machine.DEFAULT_MAX_STEPS);
    return new Run(c.decodeOutput(m.readDram(c.outputAddr(), c.outputBytes())), r);
  }
}
