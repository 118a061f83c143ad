package dev.npusim.analysis.engine;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.isa.Program;
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
 * input in DRAM, runs the program, and reads the output back. Convolution and fully-connected
 * layers ({@link CompiledLayer}) and pooling and ADD operators ({@link CompiledOperator}, one or
 * two inputs) go through the same steps.
 *
 * <p>DRAM persists between runs and programs never write their constant region, so a layer run
 * again (another image, or its isolated run) does not copy its constants a second time.
 */
public final class LayerRunner {
  private final Machine machine;
  private Object loaded; // the CompiledLayer or CompiledOperator whose constants are in DRAM
  private byte[] poison = new byte[0];

  public LayerRunner(Machine machine) {
    this.machine = machine;
  }

  public Machine machine() {
    return machine;
  }

  /** A layer's output and the counters of the run that produced it. */
  public record Run(int[] output, RunResult result, CompiledLayer compiled) {}

  /** A pooling or ADD operator's output and the counters of the run that produced it. */
  public record OperatorRun(int[] output, RunResult result, CompiledOperator compiled) {}

  public static CompiledLayer compile(QuantizedLayer layer, MachineConfig config)
      throws CompileException {
    return KernelCompiler.compile(layer, Targets.of(config));
  }

  public static CompiledOperator compile(PoolLayer layer, MachineConfig config)
      throws CompileException {
    return KernelCompiler.compile(layer, Targets.of(config));
  }

  public static CompiledOperator compile(AddLayer layer, MachineConfig config)
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

  /**
   * One run of a compiled pooling or ADD operator on a machine of its own, sized as {@link
   * #runAlone(MachineConfig, CompiledLayer, ImmutableIntArray)} sizes one for a layer.
   */
  public static OperatorRun runAlone(
      MachineConfig config, CompiledOperator compiled, int[]... inputs) throws SimulationFault {
    int dram = (int) Math.min(config.dramBytes(), Math.max(1 << 20, compiled.dramBytes()));
    return run(new Machine(config.withDram(dram)), compiled, inputs);
  }

  /** One run of a compiled pooling or ADD operator on a given machine. */
  public static OperatorRun run(Machine machine, CompiledOperator compiled, int[]... inputs)
      throws SimulationFault {
    return new LayerRunner(machine).run(compiled, inputs);
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
    Executed e = execute(compiled.program(), plan.outputAddr(), plan.outputBytes(), timeline);
    return new Run(compiled.decodeOutput(e.output()), e.result(), compiled);
  }

  /**
   * Runs a pooling operator (one input) or an ADD (two inputs, in the operator's input order).
   *
   * @throws IllegalArgumentException if the number of inputs or an input's size does not fit
   */
  public OperatorRun run(CompiledOperator compiled, int[]... inputs) throws SimulationFault {
    if (inputs.length != compiled.inputAddrs().size()) {
      throw new IllegalArgumentException(
          compiled.kernel()
              + " takes "
              + compiled.inputAddrs().size()
              + " inputs, got "
              + inputs.length);
    }
    if (compiled != loaded) {
      compiled
          .constants()
          .writeTo((b, off, len) -> machine.writeDram(compiled.constAddr(), b, off, len));
      loaded = compiled;
    }
    for (int i = 0; i < inputs.length; i++) {
      machine.writeDram(compiled.inputAddrs().get(i), compiled.encodeInput(i, inputs[i]));
    }
    Executed e = execute(compiled.program(), compiled.outputAddr(), compiled.outputBytes(), null);
    return new OperatorRun(compiled.decodeOutput(e.output()), e.result(), compiled);
  }

  private record Executed(RunResult result, byte[] output) {}

  /** Poisons the output region, runs the program and reads the output region back. */
  private Executed execute(
      Program program, int outputAddr, int outputBytes, Machine.Timeline timeline)
      throws SimulationFault {
    // Poison the output region with a varying pattern, so an element the kernel never writes
    // shows up as a mismatch instead of a stale value from an earlier run.
    if (poison.length < outputBytes) {
      poison = new byte[outputBytes];
      for (int i = 0; i < poison.length; i++) {
        poison[i] = (byte) (i * 151 + 89);
      }
    }
    machine.writeDram(outputAddr, poison, 0, outputBytes);
    RunResult r = machine.run(program, Machine.DEFAULT_MAX_STEPS, null, timeline);
    return new Executed(r, machine.readDram(outputAddr, outputBytes));
  }
}
