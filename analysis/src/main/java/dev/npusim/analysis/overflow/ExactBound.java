package dev.npusim.analysis.overflow;

import com.google.common.collect.ImmutableList;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact accumulator range of every output channel of a layer, over every input the input type
 * allows.
 *
 * <p>At one output position the accumulator is {@code bias + Σ (x - zx) * (w - zw)} over the taps
 * that fall inside the input ({@code case-format.md}; padded taps hold {@code zx} and add 0). Each
 * term reads its own input element (distinct taps of one position are distinct pixels, and conv2d's
 * input channels are distinct elements of a pixel), so each term takes its extreme independently of
 * the others: {@code (x - zx) * d} with {@code d = w - zw} fixed is largest at {@code x = max} when
 * {@code d >= 0} and at {@code x = min} otherwise, and the other way round for the smallest.
 * Summing the per-term extremes gives a bound that some input reaches: exact, not an estimate.
 *
 * <p>Which taps fall inside depends on the output position, but only through the set of valid
 * kernel rows (a function of the output row) times the set of valid kernel columns (of the output
 * column). The analysis takes every distinct row set and column set, so it needs no assumption
 * about which position is widest; in any normal geometry an interior position has all taps, and
 * since every term's range contains 0 (x may equal zx), more taps never narrow the range.
 *
 * <p>Arithmetic is in {@code long}: a term is at most 383 * 383 in magnitude and a layer has fewer
 * than 2^31 filter values, so a sum stays below 2^50 and nothing wraps.
 */
public final class ExactBound {
  private ExactBound() {}

  public static LayerBound of(QuantizedLayer layer) {
    DataType t = layer.inputType();
    long lowX = t.min() - (long) layer.inputZeroPoint();
    long highX = t.max() - (long) layer.inputZeroPoint();
    int kh = layer.kernelH();
    int kw = layer.kernelW();
    List<TapSet> rows =
        tapSets(
            layer.output().h(),
            kh,
            layer.strideH(),
            layer.dilationH(),
            layer.padTop(),
            layer.input().h());
    List<TapSet> cols =
        tapSets(
            layer.output().w(),
            kw,
            layer.strideW(),
            layer.dilationW(),
            layer.padLeft(),
            layer.input().w());
    int channels = layer.output().c();
    int ic = layer.kind() == LayerKind.DEPTHWISE_CONV2D ? 1 : layer.input().c();
    long[] tapMax = new long[kh * kw];
    long[] tapMin = new long[kh * kw];
    ImmutableList.Builder<ChannelBound> out = ImmutableList.builder();
    Extreme worst = null;
    int minSafeBits = 0;
    for (int oc = 0; oc < channels; oc++) {
      int zw = layer.filterZeroPoint(oc);
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          long hi = 0;
          long lo = 0;
          for (int c = 0; c < ic; c++) {
            long d = layer.filterAt(oc, ky, kx, c) - (long) zw;
            hi += d >= 0 ? highX * d : lowX * d;
            lo += d >= 0 ? lowX * d : highX * d;
          }
          tapMax[ky * kw + kx] = hi;
          tapMin[ky * kw + kx] = lo;
        }
      }
      long bias = layer.biasOf(oc);
      Extreme max = null;
      Extreme min = null;
      for (TapSet r : rows) {
        for (TapSet c : cols) {
          long hi = bias;
          long lo = bias;
          for (int ky = r.taps().nextSetBit(0); ky >= 0; ky = r.taps().nextSetBit(ky + 1)) {
            for (int kx = c.taps().nextSetBit(0); kx >= 0; kx = c.taps().nextSetBit(kx + 1)) {
              hi += tapMax[ky * kw + kx];
              lo += tapMin[ky * kw + kx];
            }
          }
          if (max == null || hi > max.accumulator()) {
            max = new Extreme(oc, true, r.position(), c.position(), hi);
          }
          if (min == null || lo < min.accumulator()) {
            min = new Extreme(oc, false, r.position(), c.position(), lo);
          }
        }
      }
      ChannelBound bound = new ChannelBound(min, max);
      out.add(bound);
      Extreme widest = bound.widest();
      if (widest.bits() > minSafeBits) {
        minSafeBits = widest.bits();
        worst = widest;
      }
    }
    return new LayerBound(out.build(), minSafeBits, worst);
  }

  /** A distinct set of valid kernel rows (or columns) and the first output row (column) with it. */
  private record TapSet(BitSet taps, int position) {}

  private static List<TapSet> tapSets(
      int outputs, int kernel, int stride, int dilation, int padLo, int inputSize) {
    Map<BitSet, Integer> first = new LinkedHashMap<>();
    for (int o = 0; o < outputs; o++) {
      BitSet valid = new BitSet(kernel);
      for (int k = 0; k < kernel; k++) {
        long i = (long) o * stride - padLo + (long) k * dilation;
        if (i >= 0 && i < inputSize) {
          valid.set(k);
        }
      }
      first.putIfAbsent(valid, o);
    }
    List<TapSet> sets = new ArrayList<>();
    first.forEach((taps, position) -> sets.add(new TapSet(taps, position)));
    return sets;
  }
}
