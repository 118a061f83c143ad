package dev.npusim.analysis.overflow;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;

/**
 * Runs a witness on the simulator: compiles the layer for the machine, places its constants and the
 * witness in DRAM, runs it and keeps the counters (the output is not needed).
 *
 * <p>Loading and running go through {@link LayerRunner}, the one load-compile-run entry that the
 * study and the cost model use too.
 */
public final class WitnessSimulator {
  /** Accumulator widths {@code MachineConfig} models. */
  public static final int MIN_SIMULATED_BITS = 16;

  public static final int MAX_SIMULATED_BITS = 48;

  private WitnessSimulator() {}

  /**
   * The witness at {@code min_safe_bits - 1} in wrap and in saturate mode, and at a width that
   * cannot overflow with the accumulator watermark on.
   */
  public static WitnessRun run(
      QuantizedLayer layer, LayerBound bound, Witness witness, MachineConfig machine)
      throws SimulationFault {
    int narrow = bound.minSafeBits() - 1;
    // The narrow runs need narrow bits, the watermark run one more.
    if (narrow < MIN_SIMULATED_BITS || narrow + 1 > MAX_SIMULATED_BITS) {
      return new WitnessRun.NotRun(
          String.format(
              "a %d-bit run is outside the %d..%d-bit accumulators the simulator models",
              narrow < MIN_SIMULATED_BITS ? narrow : narrow + 1,
              MIN_SIMULATED_BITS,
              MAX_SIMULATED_BITS));
    }
    CompiledLayer compiled;
    try {
      compiled = LayerRunner.compile(layer, machine);
    } catch (CompileException e) {
      return new WitnessRun.NotRun("the layer does not compile for " + machine.name() + ": " + e);
    }
    long wrap =
        run(compiled, witness.input(), machine.withAccumulator(narrow, AccumulatorMode.WRAP), false)
            .accumulatorOverflows();
    long saturate =
        run(
                compiled,
                witness.input(),
                machine.withAccumulator(narrow, AccumulatorMode.SATURATE),
                false)
            .accumulatorOverflows();
    int observed =
        run(
                compiled,
                witness.input(),
                machine.withAccumulator(narrow + 1, AccumulatorMode.WRAP),
                true)
            .accumulatorBitsNeeded();
    return new WitnessRun.Ran(narrow, wrap, saturate, observed);
  }

  /** One run of a compiled layer on a fresh machine. */
  public static RunResult run(
      CompiledLayer compiled, ImmutableIntArray input, MachineConfig config, boolean trackWidth)
      throws SimulationFault {
    Machine machine = new Machine(config);
    machine.trackAccumulatorWidth(trackWidth);
    return LayerRunner.run(machine, compiled, input).result();
  }
}
