package dev.npusim.kernels.graph;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.TensorShape;
import java.util.Random;

/** Small random layers and inputs for the transform tests. */
final class TestLayers {
  private TestLayers() {}

  static ImmutableDoubleArray uniform(Random r, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextDouble();
    }
    return ImmutableDoubleArray.copyOf(v);
  }

  static double[] input(Random r, TensorShape s, double lo, double hi) {
    return uniform(r, (int) s.elements(), lo, hi).toArray();
  }

  /**
   * A 3x3 depthwise layer whose channel c has weights of magnitude up to {@code 10^(c % 3 - 1)}, so
   * the channel ranges differ by up to 100x, as folded BatchNorms make them.
   */
  static FloatLayer depthwise(
      Random r, TensorShape in, int stride, BatchNorm bn, Activation act, boolean bias) {
    int c = in.c();
    double[] w = new double[9 * c];
    for (int i = 0; i < w.length; i++) {
      double range = Math.pow(10, (i % c) % 3 - 1);
      w[i] = range * (2 * r.nextDouble() - 1);
    }
    return FloatLayer.depthwise(
        "dw",
        FloatGraph.INPUT,
        in,
        3,
        stride,
        ImmutableDoubleArray.copyOf(w),
        bias ? uniform(r, c, -0.5, 0.5) : null,
        bn,
        act);
  }

  static FloatLayer pointwise(Random r, String input, TensorShape in, int oc, Activation act) {
    return FloatLayer.conv(
        "pw", input, in, oc, 1, 1, uniform(r, oc * in.c(), -1, 1), uniform(r, oc, -0.5, 0.5), act);
  }

  static BatchNorm batchNorm(Random r, int c) {
    return new BatchNorm(
        uniform(r, c, 0.2, 2.0),
        uniform(r, c, -1, 1),
        uniform(r, c, -1, 1),
        uniform(r, c, 1e-36, 2.0),
        BatchNorm.TF_EPSILON);
  }
}
