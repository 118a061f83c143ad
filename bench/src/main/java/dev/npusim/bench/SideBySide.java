package dev.npusim.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link OrtSideBySide} and prints the table of issue 11: per layer, the median time of one
 * inference as MAC/s for each engine, and how many times slower than ONNX Runtime each simulator
 * engine is. Extra arguments are JMH's ({@code -wi 2 -i 3 -p layer=CONV2D_0}).
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar dev.npusim.bench.SideBySide
 * </pre>
 */
public final class SideBySide {
  private static final String[] ENGINES = {
    "onnxRuntime", "reference", "interpreter", "fast", "parallel"
  };

  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    Options cli = new CommandLineOptions(args);
    Options opts =
        new OptionsBuilder().parent(cli).include(OrtSideBySide.class.getSimpleName()).build();
    Collection<RunResult> results = new Runner(opts).run();
    Map<SsdLayer, Map<String, Double>> medians = new EnumMap<>(SsdLayer.class);
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      SsdLayer layer = SsdLayer.valueOf(r.getParams().getParam("layer"));
      double[] ms =
          r.getBenchmarkResults().stream()
              .flatMap(b -> b.getIterationResults().stream())
              .mapToDouble(i -> i.getPrimaryResult().getScore())
              .sorted()
              .toArray();
      medians.computeIfAbsent(layer, k -> new LinkedHashMap<>()).put(method, median(ms));
    }
    System.out.println();
    System.out.println(
        "| layer | MACs | ORT | reference | interpreter | fast | parallel | interpreter / ORT"
            + " | fast / ORT | parallel / ORT |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (Map.Entry<SsdLayer, Map<String, Double>> e : medians.entrySet()) {
      long macs = e.getKey().build(11).layer().macs();
      Map<String, Double> m = e.getValue();
      StringBuilder row = new StringBuilder("| " + e.getKey().displayName + " | ");
      row.append(String.format(Locale.ROOT, "%.1f M", macs / 1e6));
      for (String engine : ENGINES) {
        Double ms = m.get(engine);
        row.append(" | ").append(ms == null ? "-" : macsPerSecond(macs, ms));
      }
      Double ort = m.get("onnxRuntime");
      for (String engine : new String[] {"interpreter", "fast", "parallel"}) {
        Double ms = m.get(engine);
        row.append(" | ")
            .append(
                ort == null || ms == null ? "-" : String.format(Locale.ROOT, "%.1fx", ms / ort));
      }
      System.out.println(row.append(" |"));
    }
    System.out.println();
    System.out.println("MAC/s from the median of the measured iterations (ms per inference).");
  }

  static String macsPerSecond(long macs, double ms) {
    return String.format(Locale.ROOT, "%.2e", macs / (ms / 1e3));
  }

  static double median(double[] sorted) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
