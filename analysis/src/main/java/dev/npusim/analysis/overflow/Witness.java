package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;
import java.util.Arrays;

/**
 * An input tensor whose accumulator at {@code target}'s channel and position (batch image 0) equals
 * {@code target.accumulator()} exactly.
 *
 * <p>Every input element is the input zero point (a real zero, adding nothing anywhere) except
 * those the target position reads, which sit at the type's maximum or minimum: the maximum where
 * {@code w - zw} has the sign of the extreme sought, the minimum elsewhere. That is the per-term
 * choice {@link ExactBound} sums, so the accumulator is the bound.
 */
public record Witness(Extreme target, ImmutableIntArray input) {
  public Witness {
    checkArgument(input.length() > 0, "a witness has input");
  }

  /** The witness for one extreme of a layer. */
  public static Witness reaching(QuantizedLayer layer, Extreme target) {
    TensorShape in = layer.input();
    int[] x = new int[Math.toIntExact(in.elements())];
    Arrays.fill(x, layer.inputZeroPoint());
    DataType t = layer.inputType();
    int oc = target.channel();
    int zw = layer.filterZeroPoint(oc);
    boolean depthwise = layer.kind() == LayerKind.DEPTHWISE_CONV2D;
    for (int ky = 0; ky < layer.kernelH(); ky++) {
      int iy = target.y() * layer.strideH() - layer.padTop() + ky * layer.dilationH();
      if (iy < 0 || iy >= in.h()) {
        continue;
      }
      for (int kx = 0; kx < layer.kernelW(); kx++) {
        int ix = target.x() * layer.strideW() - layer.padLeft() + kx * layer.dilationW();
        if (ix < 0 || ix >= in.w()) {
          continue;
        }
        int first = depthwise ? oc / layer.depthMultiplier() : 0;
        int last = depthwise ? first : in.c() - 1;
        for (int ic = first; ic <= last; ic++) {
          int d = layer.filterAt(oc, ky, kx, ic) - zw;
          if (d == 0) {
            continue; // any value adds 0; leave the zero point
          }
          boolean high = (d > 0) == target.maximum();
          x[in.index(0, iy, ix, ic)] = high ? t.max() : t.min();
        }
      }
    }
    return new Witness(target, ImmutableIntArray.copyOf(x));
  }

  /** Flat NHWC index of the target accumulator in the layer's output. */
  public int outputIndex(QuantizedLayer layer) {
    return layer.output().index(0, target.y(), target.x(), target.channel());
  }
}
