package dev.npusim.kernels.graph;

import dev.npusim.kernels.TensorShape;

/**
 * The plainest possible evaluation of a {@link FloatLayer}, written from its javadoc and nothing
 * else: one output element at a time, every tap and channel, padding as explicit bounds checks. The
 * tests use it as the independent reference.
 */
final class DirectConvolution {
  private DirectConvolution() {}

  static double[] run(FloatLayer layer, double[] in) {
    return run(layer, in, true);
  }

  static double[] run(FloatLayer layer, double[] in, boolean activate) {
    TensorShape is = layer.inputShape();
    TensorShape os = layer.outputShape();
    double[] out = new double[(int) os.elements()];
    for (int b = 0; b < os.n(); b++) {
      for (int oy = 0; oy < os.h(); oy++) {
        for (int ox = 0; ox < os.w(); ox++) {
          for (int oc = 0; oc < os.c(); oc++) {
            double acc = 0;
            for (int ky = 0; ky < layer.kernelH(); ky++) {
              for (int kx = 0; kx < layer.kernelW(); kx++) {
                int iy = oy * layer.strideH() + ky - layer.padding().top();
                int ix = ox * layer.strideW() + kx - layer.padding().left();
                if (iy < 0 || iy >= is.h() || ix < 0 || ix >= is.w()) {
                  continue;
                }
                if (layer.isDepthwise()) {
                  acc += in[is.index(b, iy, ix, oc)] * layer.filterAt(oc, ky, kx, 0);
                } else {
                  for (int ic = 0; ic < is.c(); ic++) {
                    acc += in[is.index(b, iy, ix, ic)] * layer.filterAt(oc, ky, kx, ic);
                  }
                }
              }
            }
            acc += layer.biasOf(oc);
            if (layer.batchNorm() != null) {
              acc = layer.batchNorm().apply(acc, oc);
            }
            out[os.index(b, oy, ox, oc)] = activate ? layer.activation().apply(acc, oc) : acc;
          }
        }
      }
    }
    return out;
  }

  /** Largest |a - b| over max(max |a|, tiny). */
  static double relativeError(double[] expected, double[] actual) {
    double diff = 0;
    double scale = 1e-300;
    for (int i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    return diff / scale;
  }
}
