package dev.npusim.golden.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpecGen;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Properties of the references on random generated layers. Each states a fact that follows from the
 * arithmetic of {@code case-format.md} and not from either implementation.
 */
class ReferenceProperties {
  private static final int EXAMPLES = 400;

  private static final Gen<LayerKind> DEPTHWISE = Generate.constant(LayerKind.DEPTHWISE_CONV2D);
  private static final Gen<LayerKind> FULLY_CONNECTED =
      Generate.constant(LayerKind.FULLY_CONNECTED);
  private static final Gen<LayerKind> SPATIAL =
      Generate.pick(List.of(LayerKind.CONV2D, LayerKind.DEPTHWISE_CONV2D));

  /**
   * Where nothing wraps, the integer output is the exact value rounded, so it is within the
   * rounding error of the clamped exact value (the clamp cannot increase a difference):
   *
   * <ul>
   *   <li>Q31: SRDHM is off by at most 1/2 before the right shift {@code rs}, RDBPOT by 1/2 after
   *       it: at most {@code 1/2 + 1/2 * 2^-rs} (and 1/2 when {@code rs = 0}, which is exact);
   *   <li>float-requant: {@code float32(acc)} and the float32 product each have a relative error of
   *       at most 2^-24, then the half-even rounding adds 1/2: at most {@code 1/2 + |acc * scale| *
   *       2^-22}.
   * </ul>
   *
   * Elements where the 32-bit accumulator, the left shift, or the zero-point addition would wrap
   * are skipped; they are covered by {@link #accumulatorsWrapModulo2To32}.
   */
  @Test
  void integerOutputIsTheExactValueRoundedWhenNothingWraps() {
    AtomicLong checkedQ31 = new AtomicLong();
    AtomicLong checkedFloat = new AtomicLong();
    qt().withExamples(EXAMPLES)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              QuantizedLayer layer = c.layer();
              int[] actual = IntegerReference.run(layer, c.input());
              double[] exact = ExactRequantReference.run(layer, c.input());
              long[] acc = IntegerReference.exact(layer, c.input()).accumulators().toArray();
              for (int i = 0; i < actual.length; i++) {
                int oc = i % layer.output().c();
                if (acc[i] != (int) acc[i]) {
                  continue; // the 32-bit accumulator wrapped
                }
                double bound;
                if (layer.requant() instanceof Requantization.Q31 q) {
                  int shift = q.shift(oc);
                  long shifted = acc[i] << Math.max(shift, 0);
                  double scaled = acc[i] * ExactRequantReference.effectiveScale(layer, oc);
                  if (shifted != (int) shifted
                      || Math.abs(scaled) + 1 + Math.abs(layer.outputZeroPoint()) >= 1L << 31) {
                    continue; // the left shift or the zero-point addition wraps
                  }
                  int rightShift = Math.max(-shift, 0);
                  bound = rightShift == 0 ? 0.5 : 0.5 + 0.5 * Math.scalb(1.0, -rightShift);
                  checkedQ31.incrementAndGet();
                } else {
                  double scale = ExactRequantReference.effectiveScale(layer, oc);
                  bound = 0.5 + Math.abs(acc[i] * scale) * Math.scalb(1.0, -22);
                  checkedFloat.incrementAndGet();
                }
                double error = Math.abs(actual[i] - exact[i]);
                assertTrue(
                    error <= bound + 1e-9,
                    "element "
                        + i
                        + ": integer "
                        + actual[i]
                        + ", exact "
                        + exact[i]
                        + ", bound "
                        + bound);
              }
            });
    // The skips must leave the property something to say about both requantizations.
    assertTrue(checkedQ31.get() > 1000, "Q31 elements checked: " + checkedQ31);
    assertTrue(checkedFloat.get() > 500, "float-requant elements checked: " + checkedFloat);
  }

  /**
   * The two references compute the same real number the same way: every partial sum is an integer
   * below 2^53, so both double sums are exact, and the last step is the same {@code zo + acc *
   * scale}. Their loops share nothing (direct indexing with bounds tests vs. a materialized padded
   * tensor and a grouped convolution), so agreement checks the indexing of both.
   */
  @Test
  void floatReferenceEqualsTheExactFormOfTheIntegerReference() {
    qt().withExamples(EXAMPLES)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              IntegerReference.ExactOutput exact = IntegerReference.exact(c.layer(), c.input());
              assertArrayEquals(
                  exact.unclamped().toArray(),
                  ExactRequantReference.unclamped(c.layer(), c.input()));
              assertArrayEquals(
                  exact.clamped().toArray(), ExactRequantReference.run(c.layer(), c.input()));
            });
  }

  /** Two's-complement addition is addition modulo 2^32: the wrapped sum is the low 32 bits. */
  @Test
  void accumulatorsWrapModulo2To32() {
    qt().withExamples(EXAMPLES)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              IntegerReference.Accumulators acc =
                  IntegerReference.accumulators(c.layer(), c.input());
              for (int i = 0; i < acc.wrapped().length(); i++) {
                assertEquals((int) acc.exact().get(i), acc.wrapped().get(i));
              }
            });
  }

  /** Padding is a real zero: it equals padding the input with its zero point by hand. */
  @Test
  void paddingEqualsAnInputPaddedWithItsZeroPoint() {
    qt().withExamples(EXAMPLES)
        .forAll(CaseSpecGen.specs(SPATIAL, Generate.enumValues(Semantics.class)), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              QuantizedLayer l = c.layer();
              TensorShape in = l.input();
              TensorShape padded =
                  new TensorShape(
                      in.n(),
                      in.h() + l.padTop() + l.padBottom(),
                      in.w() + l.padLeft() + l.padRight(),
                      in.c());
              int[] x = new int[(int) padded.elements()];
              Arrays.fill(x, l.inputZeroPoint());
              for (int b = 0; b < in.n(); b++) {
                for (int y = 0; y < in.h(); y++) {
                  for (int xx = 0; xx < in.w(); xx++) {
                    for (int ch = 0; ch < in.c(); ch++) {
                      x[padded.index(b, y + l.padTop(), xx + l.padLeft(), ch)] =
                          c.input().get(in.index(b, y, xx, ch));
                    }
                  }
                }
              }
              QuantizedLayer unpadded =
                  copy(
                      l, l.kind(), padded, new int[] {0, 0, 0, 0}, l.depthMultiplier(), l.filter());
              assertArrayEquals(
                  IntegerReference.run(l, c.input()),
                  IntegerReference.run(unpadded, ImmutableIntArray.copyOf(x)));
            });
  }

  /**
   * A depthwise layer is a conv2d whose filter is zero (in the real domain, i.e. the filter zero
   * point) except where input channel {@code ic == oc / depth_multiplier}.
   */
  @Test
  void depthwiseEqualsABlockDiagonalConv2d() {
    qt().withExamples(EXAMPLES)
        .forAll(CaseSpecGen.specs(DEPTHWISE, Generate.enumValues(Semantics.class)), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              QuantizedLayer dw = c.layer();
              int ic = dw.input().c();
              int oc = dw.output().c();
              int[] conv = new int[oc * dw.kernelH() * dw.kernelW() * ic];
              int i = 0;
              for (int o = 0; o < oc; o++) {
                for (int ky = 0; ky < dw.kernelH(); ky++) {
                  for (int kx = 0; kx < dw.kernelW(); kx++) {
                    for (int ch = 0; ch < ic; ch++) {
                      conv[i++] =
                          ch == o / dw.depthMultiplier()
                              ? dw.filterAt(o, ky, kx, ch)
                              : dw.filterZeroPoint(o);
                    }
                  }
                }
              }
              QuantizedLayer asConv =
                  copy(
                      dw,
                      LayerKind.CONV2D,
                      dw.input(),
                      new int[] {dw.padTop(), dw.padBottom(), dw.padLeft(), dw.padRight()},
                      1,
                      ImmutableIntArray.copyOf(conv));
              assertArrayEquals(
                  IntegerReference.run(dw, c.input()), IntegerReference.run(asConv, c.input()));
            });
  }

  /** fully_connected is a 1x1 conv2d on an [N, 1, 1, IC] image: OHWI with H = W = 1 is [OC, IC]. */
  @Test
  void fullyConnectedEqualsA1x1Conv2d() {
    qt().withExamples(EXAMPLES)
        .forAll(
            CaseSpecGen.specs(FULLY_CONNECTED, Generate.enumValues(Semantics.class)), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              QuantizedLayer fc = c.layer();
              QuantizedLayer conv =
                  copy(fc, LayerKind.CONV2D, fc.input(), new int[] {0, 0, 0, 0}, 1, fc.filter());
              assertArrayEquals(
                  IntegerReference.run(fc, c.input()), IntegerReference.run(conv, c.input()));
            });
  }

  /** The layer with another kind, input shape, padding, depth multiplier or filter. */
  private static QuantizedLayer copy(
      QuantizedLayer l,
      LayerKind kind,
      TensorShape input,
      int[] padding,
      int depthMultiplier,
      ImmutableIntArray filter) {
    return QuantizedLayer.builder(kind, l.semantics())
        .input(input)
        .output(l.output())
        .kernelH(l.kernelH())
        .kernelW(l.kernelW())
        .strideH(l.strideH())
        .strideW(l.strideW())
        .dilationH(l.dilationH())
        .dilationW(l.dilationW())
        .padTop(padding[0])
        .padBottom(padding[1])
        .padLeft(padding[2])
        .padRight(padding[3])
        .depthMultiplier(depthMultiplier)
        .inputType(l.inputType())
        .filterType(l.filterType())
        .outputType(l.outputType())
        .inputZeroPoint(l.inputZeroPoint())
        .filterZeroPoints(l.filterZeroPoints())
        .outputZeroPoint(l.outputZeroPoint())
        .activationMin(l.activationMin())
        .activationMax(l.activationMax())
        .filter(filter)
        .bias(l.bias())
        .requant(l.requant())
        .build();
  }
}
