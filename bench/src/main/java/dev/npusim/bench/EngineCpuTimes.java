package dev.npusim.bench;

import dev.npusim.simulator.Engine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The engines on the layers of {@link OrtSideBySide}: the interpreter and the fast engine timed by
 * the thread's CPU time (best of N runs after the JIT has settled), which a machine shared with
 * other jobs disturbs less than wall time; the fast and the parallel engine also by wall time (best
 * of N), since the parallel engine's work is spread over several threads (its calling thread's CPU
 * time, the last column, leaves out the other threads' parts, but counts the short spins in which
 * it waits for them). All engines run in the same JVM, in {@link Engine} order; their counters must
 * be equal.
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
    System.out.println(
        "| layer | MACs | interpreter CPU | fast CPU | speed-up | fast wall | parallel wall"
            + " | parallel / fast (wall) | parallel, this thread's CPU |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    int engines = Engine.values().length;
    for (SsdLayer layer : SsdLayer.values()) {
      SsdLayer.Instance inst = layer.build(11);
      double[] cpu = new double[engines];
      double[] wall = new double[engines];
      RunResult[] results = new RunResult[engines];
      for (Engine engine : Engine.values()) {
        LayerOnMachine m = new LayerOnMachine(inst, MachineConfig.defaults(), engine);
        long minCpu = Long.MAX_VALUE;
        long minWall = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
          long t = threads.getCurrentThreadCpuTime();
          long w = System.nanoTime();
          results[engine.ordinal()] = m.run();
          minWall = Math.min(minWall, System.nanoTime() - w);
          minCpu = Math.min(minCpu, threads.getCurrentThreadCpuTime() - t);
        }
        cpu[engine.ordinal()] = minCpu / 1e6;
        wall[engine.ordinal()] = minWall / 1e6;
      }
      for (int e = 1; e < engines; e++) {
        if (!results[0].equals(results[e])) {
          throw new IllegalStateException(
              layer + ": the counters of " + Engine.values()[e] + " differ from the interpreter's");
        }
      }
      long macs = inst.layer().macs();
      int i = Engine.INTERPRETER.ordinal();
      int f = Engine.FAST.ordinal();
      int p = Engine.PARALLEL.ordinal();
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f M | %.1f ms (%.2e MAC/s) | %.1f ms (%.2e MAC/s) | %.2fx | %.1f ms | %.1f ms"
              + " (%.2e MAC/s) | %.2fx | %.1f ms |%n",
          layer.displayName,
          macs / 1e6,
          cpu[i],
          macs / (cpu[i] / 1e3),
          cpu[f],
          macs / (cpu[f] / 1e3),
          cpu[i] / cpu[f],
          wall[f],
          wall[p],
          macs / (wall[p] / 1e3),
          wall[f] / wall[p],
          cpu[p]);
    }
  }
}
