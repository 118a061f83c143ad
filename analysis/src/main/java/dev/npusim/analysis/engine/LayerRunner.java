package dev.npusim.analysis.engine;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.kernels.codegen.MemoryPlan;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;

/**
 * Runs compiled layers on one machine, instruction by instruction: places the constants and the
 * input in DRAM, runs the program, and reads the output back.
 *
 * <p>DRAM persists between runs and programs never write their constant region, so a layer run
 * again (another image, or its isolated run) does not copy its constants a second time.
 */
public final class LayerRunner {
  private final Machine machine;
  private CompiledLayer loaded;
  private byte[] poison = new byte[0];

  public LayerRunner(Machine machine) {
    this.machine = machine;
  }

  public Machine machine() {
    return machine;
  }

  /** A layer's output and the counters of the run that produced it. */
  public record Run(int[] output, RunResult result, CompiledLayer compiled) {}

  public static CompiledLayer compile(QuantizedLayer layer, MachineConfig config)
      throws CompileException {
    return KernelCompiler.compile(layer, Targets.of(config));
  }

  /**
   * One run on a machine of its own, built from {@code config} with only the DRAM the layer uses
   * (at least 1 MiB, at most the configured size): DRAM size enters neither timing nor energy.
   */
  public static Run runAlone(MachineConfig config, CompiledLayer compiled, ImmutableIntArray input)
      throws SimulationFault {
    int dram = (int) Math.min(config.dramBytes(), Math.max(1 << 20, compiled.plan().dramBytes()));
    return run(new Machine(config.withDram(dram)), compiled, input);
  }

  /** One run on a machine of its own. */
  public static Run run(Machine machine, CompiledLayer compiled, ImmutableIntArray input)
      throws SimulationFault {
    return new LayerRunner(machine).run(compiled, input.toArray(), null);
  }

  /** One run on a machine of its own, with a timeline. */
  public static Run run(
      Machine machine, CompiledLayer compiled, ImmutableIntArray input, Machine.Timeline timeline)
      throws SimulationFault {
    return new LayerRunner(machine).run(compiled, input.toArray(), timeline);
  }

  public Run run(CompiledLayer compiled, int[] input) throws SimulationFault {
    return run(compiled, input, null);
  }

  public Run run(CompiledLayer compiled, int[] input, Machine.Timeline timeline)
      throws SimulationFault {
    MemoryPlan plan = compiled.plan();
    if (compiled != loaded) {
      compiled
          .constants()
          .writeTo((b, off, len) -> machine.writeDram(plan.constAddr(), b, off, len));
      loaded = compiled;
    }
    machine.writeDram(plan.inputAddr(), compiled.encodeInput(input));
    // Poison the output region with a varying pattern, so an element the kernel never writes
    // shows up as a mismatch instead of a stale value from an earlier run.
    if (poison.length < plan.outputBytes()) {
      poison = new byte[plan.outputBytes()];
      for (int i = 0; i < poison.length; i++) {
        poison[i] = (byte) (i * 151 + 89);
      }
    }
    machine.writeDram(plan.outputAddr(), poison, 0, plan.outputBytes());
    RunResult r = machine.run(compiled.program(), Machine.DEFAULT_MAX_STEPS, null, timeline);
    byte[] out = machine.readDram(plan.outputAddr(), plan.outputBytes());
    return new Run(compiled.decodeOutput(out), r, compiled);
  }

  // ---- Operators without weights (pooling, ADD): compiled to a CompiledOperator. ----

  /** An operator's output and the counters of the run that produced it. */
  public record OperatorRun(int[] output, RunResult result, CompiledOperator compiled) {}

  public static CompiledOperator compile(PoolLayer layer, MachineConfig config)
      throws CompileException {
    return KernelCompiler.compile(layer, Targets.of(config));
  }

  public static CompiledOperator compile(AddLayer layer, MachineConfig config)
      throws CompileException {
    return KernelCompiler.compile(layer, Targets.of(config));
  }

  /**
   * One run of a compiled pooling or ADD operator on a machine of its own, built from {@code
   * config} with only the DRAM the operator uses (at least 1 MiB), as {@link #runAlone(
   * MachineConfig, CompiledLayer, ImmutableIntArray)} does for a layer.
   */
  public static OperatorRun runAlone(
      MachineConfig config, CompiledOperator compiled, int[]... inputs) throws SimulationFault {
    int dram = (int) Math.min(config.dramBytes(), Math.max(1 << 20, compiled.dramBytes()));
    return run(new Machine(config.withDram(dram)), compiled, inputs);
  }

  /**
   * One run of a compiled pooling or ADD operator on a given machine: constants and each input at
   * their addresses, the output region poisoned, the program run, the output read back.
   *
   * @param inputs one tensor per input of the operator, in order
   */
  public static OperatorRun run(Machine machine, CompiledOperator compiled, int[]... inputs)
      throws SimulationFault {
    if (inputs.length != compiled.inputAddrs().size()) {
      throw new IllegalArgumentException(
          inputs.length + " inputs, the operator takes " + compiled.inputAddrs().size());
    }
    machine.writeDram(compiled.constAddr(), compiled.constants().toByteArray());
    for (int i = 0; i < inputs.length; i++) {
      machine.writeDram(compiled.inputAddrs().get(i), compiled.encodeInput(inputs[i]));
    }
    byte[] poison = new byte[compiled.outputBytes()];
    for (int i = 0; i < poison.length; i++) {
      poison[i] = (byte) (i * 151 + 89); // as in run(CompiledLayer, ...): unwritten bytes show
    }
    machine.writeDram(compiled.outputAddr(), poison);
    RunResult r = machine.run(compiled.program(), Machine.DEFAULT_MAX_STEPS);
    byte[] out = machine.readDram(compiled.outputAddr(), compiled.outputBytes());
    return new OperatorRun(compiled.decodeOutput(out), r, compiled);
  }

  /**
   * Runs a compiled pooling or ADD operator on this runner's machine, as {@link #run(Machine,
   * CompiledOperator, int[]...)} does; a layer run after it places its constants again, since the
   * operator's may have overwritten them.
   */
  public OperatorRun run(CompiledOperator compiled, int[]... inputs) throws SimulationFault {
    loaded = null;
    return run(machine, compiled, inputs);
  }
}
