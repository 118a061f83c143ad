package dev.npusim.bench;

import dev.npusim.simulator.Engine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The interpreter and the fast engine on the layers of {@link OrtSideBySide}, timed by the thread's
 * CPU time (best of N runs after the JIT has settled), which a machine shared with other jobs
 * disturbs less than wall time. Both engines run in the same JVM, the interpreter first, as in the
 * side-by-side; the counters of the two must be equal.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     dev.npusim.bench.EngineCpuTimes 15
 * </pre>
 */
public final class EngineCpuTimes {
  private EngineCpuTimes() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.println("| layer | MACs | interpreter | fast | speed-up |");
    System.out.println("| --- | --- | --- | --- | --- |");
    for (SsdLayer layer : SsdLayer.values()) {
      SsdLayer.Instance inst = layer.build(11);
      double[] best = new double[2];
      RunResult[] results = new RunResult[2];
      for (Engine engine : Engine.values()) {
        LayerOnMachine m = new LayerOnMachine(inst, MachineConfig.defaults(), engine);
        long min = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
          long t = threads.getCurrentThreadCpuTime();
          results[engine.ordinal()] = m.run();
          min = Math.min(min, threads.getCurrentThreadCpuTime() - t);
        }
        best[engine.ordinal()] = min / 1e6;
      }
      if (!results[0].equals(results[1])) {
        throw new IllegalStateException(layer + ": the engines' counters differ");
      }
      long macs = inst.layer().macs();
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f M | %.1f ms (%.2e MAC/s) | %.1f ms (%.2e MAC/s) | %.2fx |%n",
          layer.displayName,
          macs / 1e6,
          best[0],
          macs / (best[0] / 1e3),
          best[1],
          macs / (best[1] / 1e3),
          best[0] / best[1]);
    }
  }
}
