package dev.npusim.cli.engine;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.kernels.codegen.MemoryPlan;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;

/**
 * Runs a compiled layer on a machine, instruction by instruction: places the constants and the
 * input in DRAM, runs the program, and reads the output back.
 */
public final class SimulatedLayer {
  private SimulatedLayer() {}

  /** A layer's output and the counters of the run that produced it. */
  public record Run(int[] output, RunResult result, CompiledLayer compiled) {}

  public static CompiledLayer compile(QuantizedLayer layer, MachineConfig config)
      throws CompileException {
    return KernelCompiler.compile(layer, Targets.of(config));
  }

  public static Run run(Machine machine, CompiledLayer compiled, ImmutableIntArray input)
      throws SimulationFault {
    return run(machine, compiled, input, null);
  }

  public static Run run(
      Machine machine, CompiledLayer compiled, ImmutableIntArray input, Machine.Timeline timeline)
      throws SimulationFault {
    MemoryPlan plan = compiled.plan();
    machine.writeDram(plan.constAddr(), compiled.constants().toByteArray());
    machine.writeDram(plan.inputAddr(), compiled.encodeInput(input));
    // Poison the output region with a varying pattern, so an element the kernel never writes
    // shows up as a mismatch instead of a stale value from an earlier run.
    byte[] poison = new byte[plan.outputBytes()];
    for (int i = 0; i < poison.length; i++) {
      poison[i] = (byte) (i * 151 + 89);
    }
    machine.writeDram(plan.outputAddr(), poison);
    RunResult r = machine.run(compiled.program(), Machine.DEFAULT_MAX_STEPS, null, timeline);
    byte[] out = machine.readDram(plan.outputAddr(), plan.outputBytes());
    return new Run(compiled.decodeOutput(out), r, compiled);
  }
}
