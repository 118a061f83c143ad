package dev.npusim.kernels.quant;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.npusim.kernels.graph.FloatTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Min/max calibration: the range each tensor takes over the calibration images, as TF8 (and
 * TFLite's post-training quantization) measures it. Tensors are named as in {@link
 * dev.npusim.kernels.graph.FloatGraph}: {@code input} and each layer's output (after its
 * activation).
 */
public final class Calibration {
  /** The observed range of one tensor. */
  public record Range(double min, double max) {
    public Range {
      checkArgument(min <= max, "empty range [%s, %s]", min, max);
    }
  }

  private final ImmutableMap<String, Range> ranges;

  private Calibration(Map<String, Range> ranges) {
    this.ranges = ImmutableMap.copyOf(ranges);
  }

  public Range range(String tensor) {
    Range r = ranges.get(tensor);
    checkArgument(r != null, "tensor %s was not calibrated", tensor);
    return r;
  }

  public ImmutableMap<String, Range> ranges() {
    return ranges;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Accumulates ranges over several images; not thread-safe. */
  public static final class Builder {
    private final Map<String, double[]> minMax = new LinkedHashMap<>();

    public Builder observe(String tensor, FloatTensor values) {
      double[] mm =
          minMax.computeIfAbsent(tensor, k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
      for (int i = 0; i < values.size(); i++) {
        double v = values.get(i);
        if (v < mm[0]) {
          mm[0] = v;
        }
        if (v > mm[1]) {
          mm[1] = v;
        }
      }
      return this;
    }

    /** Widens a tensor's range to cover {@code range} (a range measured elsewhere). */
    public Builder observe(String tensor, Range range) {
      double[] mm =
          minMax.computeIfAbsent(tensor, k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
      mm[0] = Math.min(mm[0], range.min());
      mm[1] = Math.max(mm[1], range.max());
      return this;
    }

    public Calibration build() {
      Map<String, Range> r = new LinkedHashMap<>();
      minMax.forEach((k, mm) -> r.put(k, new Range(mm[0], mm[1])));
      return new Calibration(r);
    }
  }
}
