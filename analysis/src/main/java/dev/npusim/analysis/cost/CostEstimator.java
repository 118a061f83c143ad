package dev.npusim.analysis.cost;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.isa.Program;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.MemoryPlan;
import dev.npusim.simulator.EnergyModel;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Costs layers and programs by compiling them and running them instruction by instruction: the
 * cycle and energy numbers are the simulator's, not a formula's.
 *
 * <p>A network's layers run in parallel on separate {@link Machine}s (one per task; a machine is
 * not shared between threads), and a geometry that repeats (MobileNet's layers 7 to 11) is
 * simulated once: the program, and so its cost, depends only on the geometry, not on the values.
 */
public final class CostEstimator {
  private CostEstimator() {}

  /** A layer's cost and, when asked for, its trace recording. */
  public record Traced(LayerCost cost, TraceRecorder.Recording recording) {}

  /**
   * Compiles and runs one layer.
   *
   * @param input the input values, or null for zeros
   * @param trace true to record a timeline
   */
  public static Traced layer(
      NamedLayer named, MachineConfig machine, ImmutableIntArray input, boolean trace)
      throws CostException {
    QuantizedLayer layer = named.layer();
    CompiledLayer compiled;
    try {
      compiled = LayerRunner.compile(layer, machine);
    } catch (CompileException e) {
      throw new CostException(
          named.name() + " does not compile for " + machine.name() + ": " + e.getMessage());
    }
    MemoryPlan plan = compiled.plan();
    // The compiler checked the plan against the configured DRAM; simulate only the bytes it uses
    // (DRAM size does not enter timing or energy).
    Machine m = new Machine(machine.withDram((int) Math.max(4096, plan.dramBytes())));
    // A cost reads only counters that do not depend on values (Machine#setTimingOnly).
    m.setTimingOnly(true);
    TraceRecorder recorder = trace ? new TraceRecorder(machine) : null;
    RunResult r;
    try {
      // The one load-and-run path of the study, output poisoning included.
      int[] in = input != null ? input.toArray() : new int[plan.inputBytes()];
      r = new LayerRunner(m).run(compiled, in, recorder).result();
    } catch (SimulationFault f) {
      throw new CostException(
          named.name() + " faults on " + machine.name() + ": " + f.getMessage());
    }
    LayerCost cost =
        new LayerCost(
            named.name(),
            describe(layer),
            compiled.kernel() + ", " + compiled.tiles() + " tiles",
            layer.macs(),
            CompulsoryTraffic.bytes(layer),
            r,
            EnergyModel.of(r, machine),
            machine);
    return new Traced(cost, recorder == null ? null : recorder.finish(r));
  }

  /** Runs a program from zeroed DRAM and costs it; its useful MACs are the simulated ones. */
  public static Traced program(
      String name, Program program, MachineConfig machine, long maxSteps, boolean trace)
      throws CostException {
    Machine m = new Machine(machine);
    m.setTimingOnly(true);
    TraceRecorder recorder = trace ? new TraceRecorder(machine) : null;
    RunResult r;
    try {
      r = m.run(program, maxSteps, null, recorder);
    } catch (SimulationFault f) {
      throw new CostException(name + " faults on " + machine.name() + ": " + f.getMessage());
    }
    LayerCost cost =
        new LayerCost(name, "program", "", r.macs(), -1, r, EnergyModel.of(r, machine), machine);
    return new Traced(cost, recorder == null ? null : recorder.finish(r));
  }

  /**
   * Costs every layer of a network on a machine, in its order.
   *
   * @param threads worker threads (1 runs on the caller's thread)
   */
  public static List<Traced> network(
      List<NamedLayer> layers, MachineConfig machine, int threads, boolean trace)
      throws CostException {
    // One simulation per distinct geometry, longest first so the workers finish together.
    Map<Geometry, NamedLayer> unique = new LinkedHashMap<>();
    for (NamedLayer l : layers) {
      unique.putIfAbsent(Geometry.of(l.layer()), l);
    }
    List<NamedLayer> work = new ArrayList<>(unique.values());
    work.sort(Comparator.comparingLong((NamedLayer l) -> l.layer().macs()).reversed());
    Map<Geometry, Traced> done = new HashMap<>();
    if (threads <= 1 || work.size() <= 1) {
      for (NamedLayer l : work) {
        done.put(Geometry.of(l.layer()), layer(l, machine, null, trace));
      }
    } else {
      ExecutorService pool = Executors.newFixedThreadPool(threads, daemons());
      try {
        Map<Geometry, Future<Traced>> futures = new LinkedHashMap<>();
        for (NamedLayer l : work) {
          futures.put(Geometry.of(l.layer()), pool.submit(() -> layer(l, machine, null, trace)));
        }
        for (Map.Entry<Geometry, Future<Traced>> f : futures.entrySet()) {
          done.put(f.getKey(), await(f.getValue()));
        }
      } finally {
        pool.shutdownNow();
      }
    }
    List<Traced> out = new ArrayList<>(layers.size());
    for (NamedLayer l : layers) {
      Traced t = done.get(Geometry.of(l.layer()));
      out.add(new Traced(t.cost().renamed(l.name()), t.recording()));
    }
    return out;
  }

  /** The result of a task, with a {@link CostException} passed through as itself. */
  static <T> T await(Future<T> f) throws CostException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CostException c) {
        throw c;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static ThreadFactory daemons() {
    return r -> {
      Thread t = new Thread(r, "npusim-cost");
      t.setDaemon(true);
      return t;
    };
  }

  /** A key equal for two layers exactly when their compiled programs are the same up to values. */
  static Object geometryKey(QuantizedLayer l) {
    return Geometry.of(l);
  }

  /** Short description of a layer's operation: {@code conv 3x3 s2}, {@code dw 3x3 s1}, ... */
  public static String describe(QuantizedLayer l) {
    if (l.kind() == LayerKind.FULLY_CONNECTED) {
      return "fc";
    }
    StringBuilder sb = new StringBuilder(l.kind() == LayerKind.CONV2D ? "conv " : "dw ");
    sb.append(l.kernelH()).append('x').append(l.kernelW());
    sb.append(" s").append(l.strideH());
    if (l.strideW() != l.strideH()) {
      sb.append(',').append(l.strideW());
    }
    if (l.dilationH() > 1 || l.dilationW() > 1) {
      sb.append(" d").append(l.dilationH());
      if (l.dilationW() != l.dilationH()) {
        sb.append(',').append(l.dilationW());
      }
    }
    if (l.depthMultiplier() > 1) {
      sb.append(" x").append(l.depthMultiplier());
    }
    return sb.toString();
  }

  /** Everything about a layer the compiled program depends on, values excluded. */
  private record Geometry(
      LayerKind kind,
      String semantics,
      String input,
      String output,
      List<Integer> ints,
      String types,
      boolean perChannelRequant,
      boolean perChannelZeroPoint) {
    static Geometry of(QuantizedLayer l) {
      return new Geometry(
          l.kind(),
          l.semantics().name(),
          l.input().toString(),
          l.output().toString(),
          List.of(
              l.kernelH(),
              l.kernelW(),
              l.strideH(),
              l.strideW(),
              l.dilationH(),
              l.dilationW(),
              l.padTop(),
              l.padBottom(),
              l.padLeft(),
              l.padRight(),
              l.depthMultiplier()),
          l.inputType() + "/" + l.filterType() + "/" + l.outputType(),
          l.requant().size() > 1,
          l.filterZeroPoints().length() > 1);
    }
  }
}
