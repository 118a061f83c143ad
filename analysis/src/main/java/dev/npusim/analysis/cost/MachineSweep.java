package dev.npusim.analysis.cost;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.npusim.simulator.MachineConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Costs a network on every point of a grid of machine parameters. All (point, layer) simulations go
 * to one pool of worker threads, so every core stays busy; a point whose machine is invalid or on
 * which a layer does not compile is reported with its reason instead of stopping the sweep.
 */
public final class MachineSweep {
  private MachineSweep() {}

  /**
   * One grid point.
   *
   * @param values the swept parameters' values, in grid order
   * @param machine the machine, or null if the values make no valid machine
   * @param error why the machine is invalid, or null
   */
  public record Point(
      ImmutableMap<SweepParameter, Integer> values, MachineConfig machine, String error) {}

  /**
   * A point's outcome.
   *
   * @param cost null when the point failed
   * @param error null when the point succeeded
   * @param pareto true if no other point has fewer-or-equal cycles and energy with one of them
   *     strictly fewer
   */
  public record Outcome(Point point, NetworkCost cost, String error, boolean pareto) {}

  /** Every combination of the given values (first parameter varies slowest), on a base machine. */
  public static List<Point> grid(MachineConfig base, Map<SweepParameter, List<Integer>> axes) {
    List<Map<SweepParameter, Integer>> combos = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    for (Map.Entry<SweepParameter, List<Integer>> axis : axes.entrySet()) {
      List<Map<SweepParameter, Integer>> next = new ArrayList<>();
      for (Map<SweepParameter, Integer> c : combos) {
        for (int v : axis.getValue()) {
          Map<SweepParameter, Integer> m = new LinkedHashMap<>(c);
          m.put(axis.getKey(), v);
          next.add(m);
        }
      }
      combos = next;
    }
    List<Point> points = new ArrayList<>();
    for (Map<SweepParameter, Integer> c : combos) {
      MachineConfig m = base;
      String error = null;
      // e.g. npu8-default/lanes=64/dma_bw=16: readable, and no comma to quote in CSV.
      StringBuilder name = new StringBuilder(base.name());
      for (Map.Entry<SweepParameter, Integer> e : c.entrySet()) {
        name.append('/').append(e.getKey().key()).append('=').append(e.getValue());
      }
      try {
        for (Map.Entry<SweepParameter, Integer> e : c.entrySet()) {
          m = e.getKey().apply(m, e.getValue());
        }
        m = m.withName(name.toString());
      } catch (IllegalArgumentException ex) {
        m = null;
        error = ex.getMessage();
      }
      points.add(new Point(ImmutableMap.copyOf(c), m, error));
    }
    return points;
  }

  /** Costs the layers on every point with {@code threads} workers. */
  public static List<Outcome> run(
      String source, List<NamedLayer> layers, List<Point> points, int threads) {
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, threads), CostEstimator.daemons());
    try {
      // Submit everything first, longest layers first, so the pool never idles between points.
      // A geometry that repeats is simulated once per point (see CostEstimator).
      Map<Object, NamedLayer> unique = new LinkedHashMap<>();
      for (NamedLayer l : layers) {
        unique.putIfAbsent(CostEstimator.geometryKey(l.layer()), l);
      }
      List<NamedLayer> byMacs = new ArrayList<>(unique.values());
      byMacs.sort((a, b) -> Long.compare(b.layer().macs(), a.layer().macs()));
      List<Map<Object, Future<CostEstimator.Traced>>> futures = new ArrayList<>();
      for (Point p : points) {
        Map<Object, Future<CostEstimator.Traced>> f = new LinkedHashMap<>();
        if (p.machine() != null) {
          for (NamedLayer l : byMacs) {
            f.put(
                CostEstimator.geometryKey(l.layer()),
                pool.submit(() -> CostEstimator.layer(l, p.machine(), null, false)));
          }
        }
        futures.add(f);
      }
      List<Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < points.size(); i++) {
        Point p = points.get(i);
        if (p.machine() == null) {
          outcomes.add(new Outcome(p, null, p.error(), false));
          continue;
        }
        List<LayerCost> costs = new ArrayList<>();
        String error = null;
        for (NamedLayer l : layers) {
          try {
            LayerCost c =
                CostEstimator.await(futures.get(i).get(CostEstimator.geometryKey(l.layer())))
                    .cost();
            costs.add(c.renamed(l.name()));
          } catch (CostException e) {
            error = error == null ? e.getMessage() : error;
          }
        }
        outcomes.add(
            error == null
                ? new Outcome(p, NetworkCost.of(source, p.machine(), costs), null, false)
                : new Outcome(p, null, error, false));
      }
      return markPareto(outcomes);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Marks the points no other point beats in both cycles and energy. */
  static List<Outcome> markPareto(List<Outcome> outcomes) {
    List<Outcome> marked = new ArrayList<>();
    for (Outcome o : outcomes) {
      boolean front = o.cost() != null;
      if (front) {
        for (Outcome q : outcomes) {
          if (q != o && q.cost() != null && dominates(q.cost(), o.cost())) {
            front = false;
            break;
          }
        }
      }
      marked.add(new Outcome(o.point(), o.cost(), o.error(), front));
    }
    return ImmutableList.copyOf(marked);
  }

  private static boolean dominates(NetworkCost a, NetworkCost b) {
    double ea = a.energy().totalPj();
    double eb = b.energy().totalPj();
    return a.cycles() <= b.cycles() && ea <= eb && (a.cycles() < b.cycles() || ea < eb);
  }
}
