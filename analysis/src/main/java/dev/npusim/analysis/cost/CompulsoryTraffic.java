package dev.npusim.analysis.cost;

import dev.npusim.kernels.QuantizedLayer;

/**
 * The DRAM traffic no schedule can avoid: every filter byte loaded once, every input byte that some
 * output reads loaded once, every output byte stored once. Any program computing the layer from
 * DRAM to DRAM moves at least this much, whatever the scratchpads.
 *
 * <p>Input bytes that no output reads (rows or columns a stride skips at the end, as in a 1x1
 * stride-2 layer on an even input) are not compulsory, and padding is not in DRAM at all. Bias and
 * requantization parameters are not counted: they are small, and the bound stays a lower bound
 * without them.
 */
public final class CompulsoryTraffic {
  private CompulsoryTraffic() {}

  /** Filter + input footprint + output, in bytes. */
  public static long bytes(QuantizedLayer layer) {
    return filterBytes(layer) + inputFootprintBytes(layer) + outputBytes(layer);
  }

  public static long filterBytes(QuantizedLayer layer) {
    return layer.filter().length();
  }

  public static long outputBytes(QuantizedLayer layer) {
    return layer.output().elements();
  }

  /** Input bytes read by at least one output: rows used x columns used x channels x batch. */
  public static long inputFootprintBytes(QuantizedLayer layer) {
    long rows =
        used(
            layer.input().h(),
            layer.output().h(),
            layer.kernelH(),
            layer.strideH(),
            layer.dilationH(),
            layer.padTop());
    long cols =
        used(
            layer.input().w(),
            layer.output().w(),
            layer.kernelW(),
            layer.strideW(),
            layer.dilationW(),
            layer.padLeft());
    return layer.input().n() * rows * cols * layer.input().c();
  }

  /** How many of the {@code in} input positions along one axis some output tap reads. */
  private static long used(int in, int out, int kernel, int stride, int dilation, int padLo) {
    boolean[] read = new boolean[in];
    long count = 0;
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < kernel; k++) {
        int i = o * stride - padLo + k * dilation;
        if (i >= 0 && i < in && !read[i]) {
          read[i] = true;
          count++;
        }
      }
    }
    return count;
  }
}
