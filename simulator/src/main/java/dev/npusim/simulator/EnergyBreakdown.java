package dev.npusim.simulator;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import java.util.EnumMap;
import java.util.Map;

/**
 * Energy of a run by {@link EnergyComponent}, in picojoules. Every component is present, finite and
 * non-negative. {@link EnergyModel#of} computes one from a run; {@link #plus} adds runs (layers of
 * a network).
 */
public record EnergyBreakdown(ImmutableMap<EnergyComponent, Double> picojoules) {

  public EnergyBreakdown {
    for (EnergyComponent c : EnergyComponent.values()) {
      Double v = picojoules.get(c);
      checkArgument(v != null, "energy of %s is missing", c.key());
      checkArgument(Double.isFinite(v) && v >= 0, "energy of %s is %s pJ", c.key(), v);
    }
  }

  /** All components zero. */
  public static EnergyBreakdown zero() {
    Map<EnergyComponent, Double> m = new EnumMap<>(EnergyComponent.class);
    for (EnergyComponent c : EnergyComponent.values()) {
      m.put(c, 0.0);
    }
    return new EnergyBreakdown(ImmutableMap.copyOf(m));
  }

  public double pj(EnergyComponent c) {
    return picojoules.get(c);
  }

  /** Sum over all components, in picojoules. */
  public double totalPj() {
    double sum = 0;
    for (EnergyComponent c : EnergyComponent.values()) {
      sum += picojoules.get(c);
    }
    return sum;
  }

  /** Sum of all scratchpad components. */
  public double scratchpadsPj() {
    return pj(EnergyComponent.SPAD_ACT)
        + pj(EnergyComponent.SPAD_WGT)
        + pj(EnergyComponent.SPAD_OUT)
        + pj(EnergyComponent.SPAD_PAR);
  }

  /** Component-wise sum. */
  public EnergyBreakdown plus(EnergyBreakdown other) {
    Map<EnergyComponent, Double> m = new EnumMap<>(EnergyComponent.class);
    for (EnergyComponent c : EnergyComponent.values()) {
      m.put(c, pj(c) + other.pj(c));
    }
    return new EnergyBreakdown(ImmutableMap.copyOf(m));
  }
}
