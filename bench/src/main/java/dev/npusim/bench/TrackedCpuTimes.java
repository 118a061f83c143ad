package dev.npusim.bench;

import dev.npusim.simulator.Engine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The fast engine on the layers of {@link OrtSideBySide} with accumulator-width tracking off and on
 * (the main job's cumulative runs track it: {@code Machine#trackAccumulatorWidth}), timed by the
 * thread's CPU time, best of N runs after the JIT has settled. A tracked run must report the same
 * counters as the interpreter's tracked run, accumulator width included, and the same counters as
 * the untracked run apart from that width.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     dev.npusim.bench.TrackedCpuTimes 15
 * </pre>
 */
public final class TrackedCpuTimes {
  private TrackedCpuTimes() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.println("| layer | MACs | fast, untracked | fast, tracked | tracked / untracked |");
    System.out.println("| --- | --- | --- | --- | --- |");
    for (SsdLayer layer : SsdLayer.values()) {
      SsdLayer.Instance inst = layer.build(11);
      LayerOnMachine reference =
          new LayerOnMachine(inst, MachineConfig.defaults(), Engine.INTERPRETER);
      reference.machine.trackAccumulatorWidth(true);
      RunResult expected = reference.run();
      LayerOnMachine m = new LayerOnMachine(inst, MachineConfig.defaults(), Engine.FAST);
      double[] best = new double[2];
      RunResult[] results = new RunResult[2];
      for (int tracked = 0; tracked < 2; tracked++) {
        m.machine.trackAccumulatorWidth(tracked == 1);
        long min = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
          long t = threads.getCurrentThreadCpuTime();
          results[tracked] = m.run();
          min = Math.min(min, threads.getCurrentThreadCpuTime() - t);
        }
        best[tracked] = min / 1e6;
      }
      if (!results[1].equals(expected)) {
        throw new IllegalStateException(layer + ": tracked counters differ from the interpreter's");
      }
      if (results[0].accumulatorBitsNeeded() != -1 || expected.accumulatorBitsNeeded() < 1) {
        throw new IllegalStateException(layer + ": the width was not tracked as asked");
      }
      long macs = inst.layer().macs();
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f M | %.1f ms | %.1f ms | %.2fx |%n",
          layer.displayName,
          macs / 1e6,
          best[0],
          best[1],
          best[1] / best[0]);
    }
  }
}
