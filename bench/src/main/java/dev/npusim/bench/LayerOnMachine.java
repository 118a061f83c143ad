package dev.npusim.bench;

import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.CompilerTarget;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.kernels.codegen.MemoryPlan;
import dev.npusim.simulator.Engine;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;

/**
 * A compiled layer on a machine of its own: constants and input placed in DRAM once, then each
 * {@link #run} is a complete program from reset to {@code halt}, as the analysis runs a layer.
 */
final class LayerOnMachine {
  final CompiledLayer compiled;
  final Machine machine;

  LayerOnMachine(SsdLayer.Instance inst, MachineConfig config, Engine engine)
      throws CompileException {
    this.compiled = KernelCompiler.compile(inst.layer(), target(config));
    this.machine = new Machine(config, engine);
    MemoryPlan plan = compiled.plan();
    compiled.constants().writeTo((b, off, len) -> machine.writeDram(plan.constAddr(), b, off, len));
    machine.writeDram(plan.inputAddr(), compiled.encodeInput(inst.input()));
  }

  static CompilerTarget target(MachineConfig m) {
    return new CompilerTarget(
        m.lanes(),
        m.scratchpadBytes(Scratchpad.ACT),
        m.scratchpadBytes(Scratchpad.WGT),
        m.scratchpadBytes(Scratchpad.OUT),
        m.scratchpadBytes(Scratchpad.PAR),
        m.dramBytes());
  }

  RunResult run() throws SimulationFault {
    return machine.run(compiled.program(), Machine.DEFAULT_MAX_STEPS);
  }

  int[] output() {
    MemoryPlan plan = compiled.plan();
    return compiled.decodeOutput(machine.readDram(plan.outputAddr(), plan.outputBytes()));
  }
}
