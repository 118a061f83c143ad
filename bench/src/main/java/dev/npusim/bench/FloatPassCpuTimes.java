package dev.npusim.bench;

import dev.npusim.kernels.graph.BatchNormFold;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The float reference's passes as the study runs them (issue 11, goals 2-3): the BatchNorm-folded
 * SSD-MobileNetV1 graph on the vendored {@code sample1.jpg}, layer by layer, on a prepared executor
 * (the study's float network and activations-only passes) and on an unprepared one (its
 * weights-only passes, which rearrange each layer's weights when it runs). Prints the process CPU
 * time (every thread: the float executor splits a layer over the common fork-join pool) of the
 * first pass of each kind, the best of the next N, the split of the best pass over layer kinds, and
 * a SHA-256 of every layer output's raw bits, so that two builds can be checked to compute the same
 * doubles.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     dev.npusim.bench.FloatPassCpuTimes 10
 * </pre>
 */
public final class FloatPassCpuTimes {
  private FloatPassCpuTimes() {}

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /**
   * CPU nanoseconds of every live thread (the JIT's and the collector's included): finer than the
   * process's CPU time, which this JVM reports in 10 ms steps.
   */
  private static long cpu() {
    long sum = 0;
    for (long t : THREADS.getThreadCpuTime(THREADS.getAllThreadIds())) {
      sum += Math.max(t, 0);
    }
    return sum;
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    FloatGraph graph = BatchNormFold.fold(SsdMobilenetV1.loadBundled().graph());
    FloatTensor input = ImageFile.bundled("sample1.jpg").preprocess().tensor();
    FloatGraphExecutor prepared = new FloatGraphExecutor(graph);
    FloatGraphExecutor unprepared = FloatGraphExecutor.unprepared(graph);
    String digest = null;
    for (FloatGraphExecutor executor : new FloatGraphExecutor[] {prepared, unprepared}) {
      String name = executor == prepared ? "prepared" : "unprepared";
      long first = 0;
      long best = Long.MAX_VALUE;
      Map<String, Long> bestKinds = null;
      for (int i = 0; i <= runs; i++) {
        Map<String, Long> kinds = new LinkedHashMap<>();
        long t = cpu();
        Map<String, FloatTensor> outputs = pass(executor, graph, input, kinds);
        long cpu = cpu() - t;
        String d = digest(graph, outputs);
        if (digest == null) {
          digest = d;
        } else if (!digest.equals(d)) {
          throw new IllegalStateException(name + " pass " + i + " computed different doubles");
        }
        if (i == 0) {
          first = cpu;
        } else if (cpu < best) {
          best = cpu;
          bestKinds = kinds;
        }
        if (i == 0) {
          System.out.printf(Locale.ROOT, "%s, first pass by kind:%s%n", name, kindsText(kinds));
        }
      }
      if (runs == 0) {
        System.out.printf(Locale.ROOT, "%s: first pass %.0f ms CPU%n", name, first / 1e6);
        continue;
      }
      System.out.printf(
          Locale.ROOT,
          "%s: first pass %.0f ms CPU, best of %d %.0f ms CPU; best pass by kind:%s%n",
          name,
          first / 1e6,
          runs,
          best / 1e6,
          kindsText(bestKinds));
    }
    if (args.length > 1 && args[1].equals("layers")) {
      layerTable(prepared, graph, input, runs);
    }
    FloatActivations whole = prepared.run(input);
    Map<String, FloatTensor> outputs = new HashMap<>();
    for (FloatLayer l : graph.layers()) {
      outputs.put(l.name(), whole.get(l.name()));
    }
    if (!digest.equals(digest(graph, outputs))) {
      throw new IllegalStateException("run(input) computed different doubles than runLayer");
    }
    System.out.println("sha256 of every layer's output: " + digest);
  }

  /** One pass, layer by layer as the study runs it; CPU nanoseconds per layer kind into kinds. */
  private static Map<String, FloatTensor> pass(
      FloatGraphExecutor executor, FloatGraph graph, FloatTensor input, Map<String, Long> kinds) {
    Map<String, FloatTensor> outputs = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (FloatLayer l : graph.layers()) {
      names.add(l.name());
      FloatTensor in = l.input().equals(FloatGraph.INPUT) ? input : outputs.get(l.input());
      long t = cpu();
      outputs.put(l.name(), executor.runLayer(l.name(), in));
      kinds.merge(kind(l), cpu() - t, Long::sum);
    }
    return outputs;
  }

  /** Best CPU time of each layer over {@code runs} passes, with its MACs per second. */
  private static void layerTable(
      FloatGraphExecutor executor, FloatGraph graph, FloatTensor input, int runs) {
    Map<String, Long> best = new LinkedHashMap<>();
    for (int i = 0; i < runs; i++) {
      Map<String, FloatTensor> outputs = new HashMap<>();
      for (FloatLayer l : graph.layers()) {
        FloatTensor in = l.input().equals(FloatGraph.INPUT) ? input : outputs.get(l.input());
        long t = cpu();
        outputs.put(l.name(), executor.runLayer(l.name(), in));
        best.merge(l.name(), cpu() - t, Math::min);
      }
    }
    for (FloatLayer l : graph.layers()) {
      long ns = best.get(l.name());
      System.out.printf(
          Locale.ROOT,
          "%-40s %-9s %s -> %s %6.2f ms %6.2f GMAC/s%n",
          l.name(),
          kind(l),
          l.inputShape(),
          l.outputShape(),
          ns / 1e6,
          l.macs() / (double) ns);
    }
  }

  private static String kind(FloatLayer l) {
    if (l.isDepthwise()) {
      return "depthwise";
    }
    if (!l.op().weighted()) {
      return l.op().toString().toLowerCase(Locale.ROOT);
    }
    return l.kernelH() == 1 && l.kernelW() == 1 ? "1x1" : l.kernelH() + "x" + l.kernelW();
  }

  private static String kindsText(Map<String, Long> kinds) {
    StringBuilder b = new StringBuilder();
    kinds.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.0f ms", k, v / 1e6)));
    return b.toString();
  }

  private static String digest(FloatGraph graph, Map<String, FloatTensor> outputs)
      throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    ByteBuffer bits = ByteBuffer.allocate(8 * 1024);
    for (FloatLayer l : graph.layers()) {
      FloatTensor t = outputs.get(l.name());
      for (int i = 0; i < t.size(); i++) {
        bits.putLong(Double.doubleToRawLongBits(t.get(i)));
        if (!bits.hasRemaining()) {
          sha.update(bits.array());
          bits.clear();
        }
      }
    }
    sha.update(bits.array(), 0, bits.position());
    StringBuilder hex = new StringBuilder();
    for (byte b : sha.digest()) {
      hex.append(String.format(Locale.ROOT, "%02x", b));
    }
    return hex.toString();
  }
}
