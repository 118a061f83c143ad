package dev.npusim.golden.export;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.golden.reference.RequantArithmetic;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import java.util.ArrayList;
import java.util.List;

/**
 * One input of a requantization unit and the output byte it must give: the vector format of {@code
 * examples/rtl/requant_tb.v}.
 *
 * @param shift in [-31, 31]
 * @param zo output zero point, in [-128, 255]
 * @param amin clamp minimum, in [-128, 255]
 * @param amax clamp maximum, {@code >= amin}
 * @param expected the output byte (0..255), two's complement for int8
 */
public record RequantVector(
    int acc, int multiplier, int shift, int zo, int amin, int amax, int expected) {
  public RequantVector {
    checkArgument(shift >= -31 && shift <= 31, "shift %s is outside [-31, 31]", shift);
    checkArgument(zo >= -128 && zo <= 255, "zo %s is outside [-128, 255]", zo);
    checkArgument(
        amin >= -128 && amax <= 255 && amin <= amax, "clamp [%s, %s] is not legal", amin, amax);
    checkArgument(expected >= 0 && expected <= 255, "expected byte %s", expected);
  }

  /**
   * A vector whose expected output comes from the integer reference's arithmetic ({@link
   * RequantArithmetic}, written from the spec and sharing nothing with the simulator): TFLite's
   * {@code MultiplyByQuantizedMultiplier}, the zero point added in 32 bits, then the clamp.
   */
  public static RequantVector fromReference(
      int acc, int multiplier, int shift, int zo, int amin, int amax) {
    int scaled = RequantArithmetic.multiplyByQuantizedMultiplier(acc, multiplier, shift);
    int out = Math.min(Math.max(scaled + zo, amin), amax);
    return new RequantVector(acc, multiplier, shift, zo, amin, amax, out & 0xFF);
  }

  /**
   * One vector per output of a case with Q31 requantization: the 32-bit accumulator from the
   * integer reference's direct loops, the output channel's multiplier and shift, and as expected
   * byte the case's own expected output (for the vendored golden files, what CMSIS-NN or TFLite
   * computed). A {@code float-requant} case gives none.
   */
  public static List<RequantVector> fromCase(GoldenCase c) {
    QuantizedLayer l = c.layer();
    if (!(l.requant() instanceof Requantization.Q31 q)) {
      return List.of();
    }
    int[] acc = IntegerReference.accumulators(l, c.input()).wrapped().toArray();
    int channels = l.output().c();
    List<RequantVector> out = new ArrayList<>(acc.length);
    for (int i = 0; i < acc.length; i++) {
      int oc = i % channels;
      out.add(
          new RequantVector(
              acc[i],
              q.multiplier(oc),
              q.shift(oc),
              l.outputZeroPoint(),
              l.activationMin(),
              l.activationMax(),
              c.expectedOutput().get(i) & 0xFF));
    }
    return out;
  }

  /** The 128-bit line of {@code requant_tb.v}: 32 hex digits. */
  public String hexLine() {
    return String.format(
        "%08x%08x%02x%04x%04x%04x%02x",
        acc, multiplier, shift & 0xFF, zo & 0xFFFF, amin & 0xFFFF, amax & 0xFFFF, expected);
  }

  /** A file of vectors for {@code $readmemh}, one per line. */
  public static String hex(Iterable<RequantVector> vectors) {
    StringBuilder sb = new StringBuilder();
    for (RequantVector v : vectors) {
      sb.append(v.hexLine()).append('\n');
    }
    return sb.toString();
  }
}
