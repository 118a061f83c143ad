package dev.npusim.golden.generator;

import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of small, always-valid {@link CaseSpec}s covering every op, semantics,
 * padding mode, type mix, distribution, bias range, scale range and activation. Shapes stay small
 * (at most 2x6x6x4) so that hundreds of examples run in a second or two.
 */
public final class CaseSpecGen {
  private CaseSpecGen() {}

  /** Any spec. */
  public static Gen<CaseSpec> specs() {
    return specs(Generate.enumValues(LayerKind.class), Generate.enumValues(Semantics.class));
  }

  /**
   * Size limits of generated specs.
   *
   * @param kernels kernel heights and widths to draw from
   */
  public record Limits(
      int maxBatch,
      int maxSpatial,
      int maxChannels,
      int maxOutputChannels,
      java.util.List<Integer> kernels,
      int maxStride,
      int maxDilation,
      int maxDepthMultiplier) {
    /** Tiny layers: hundreds per second. */
    public static final Limits SMALL = new Limits(2, 6, 4, 5, java.util.List.of(1, 2, 3), 3, 2, 3);
  }

  /** Specs of the given ops and semantics. */
  public static Gen<CaseSpec> specs(Gen<LayerKind> ops, Gen<Semantics> semanticsGen) {
    return specs(ops, semanticsGen, Limits.SMALL);
  }

  /** Specs of the given ops and semantics within the given limits. */
  public static Gen<CaseSpec> specs(
      Gen<LayerKind> ops, Gen<Semantics> semanticsGen, Limits limits) {
    Gen<Integer> small = integers().between(1, limits.maxChannels());
    Gen<Integer> spatial = integers().between(1, limits.maxSpatial());
    Gen<Integer> kernel = Generate.pick(limits.kernels());
    Gen<Integer> stride = integers().between(1, limits.maxStride());
    Gen<Integer> dilation = integers().between(1, limits.maxDilation());
    Gen<Integer> pad = integers().between(0, 2);
    Gen<Integer> paddingMode = integers().between(0, 2);
    Gen<Boolean> flag = Generate.booleans();
    Gen<DataType> types = Generate.enumValues(DataType.class);
    Gen<CaseSpec.Distribution> distributions = Generate.enumValues(CaseSpec.Distribution.class);
    Gen<CaseSpec.BiasRange> biases = Generate.enumValues(CaseSpec.BiasRange.class);
    Gen<CaseSpec.ScaleRange> scales = Generate.enumValues(CaseSpec.ScaleRange.class);
    Gen<CaseSpec.Activation> activations = Generate.enumValues(CaseSpec.Activation.class);
    Gen<CaseSpec> gen =
        in -> {
          LayerKind op = ops.generate(in);
          Semantics semantics = semanticsGen.generate(in);
          CaseSpec.Builder b = CaseSpec.builder(op, semantics);
          int n = integers().between(1, limits.maxBatch()).generate(in);
          int ic = small.generate(in);
          if (op == LayerKind.FULLY_CONNECTED) {
            b.input(n, 1, 1, ic)
                .outputChannels(integers().between(1, limits.maxOutputChannels()).generate(in));
          } else {
            int h = spatial.generate(in);
            int w = spatial.generate(in);
            int kh = kernel.generate(in);
            int kw = kernel.generate(in);
            int dh = dilation.generate(in);
            int dw = dilation.generate(in);
            b.input(n, h, w, ic)
                .kernel(kh, kw)
                .stride(stride.generate(in), stride.generate(in))
                .dilation(dh, dw);
            if (op == LayerKind.DEPTHWISE_CONV2D) {
              b.depthMultiplier(integers().between(1, limits.maxDepthMultiplier()).generate(in));
            } else {
              b.outputChannels(integers().between(1, limits.maxOutputChannels()).generate(in));
            }
            int extentH = (kh - 1) * dh + 1;
            int extentW = (kw - 1) * dw + 1;
            switch (paddingMode.generate(in)) {
              case 0 -> b.padding(Padding.same());
              case 1 -> b.padding(extentH <= h && extentW <= w ? Padding.valid() : Padding.same());
              default -> {
                int top = pad.generate(in);
                int bottom = pad.generate(in);
                int left = pad.generate(in);
                int right = pad.generate(in);
                // Grow bottom/right until the dilated kernel fits at least once.
                bottom += Math.max(0, extentH - (h + top + bottom));
                right += Math.max(0, extentW - (w + left + right));
                b.padding(Padding.explicit(top, bottom, left, right));
              }
            }
          }
          if (semantics == Semantics.FLOAT_REQUANT) {
            b.types(types.generate(in), types.generate(in), types.generate(in));
            b.perChannelFilterZeroPoint(flag.generate(in));
          }
          b.perChannelRequant(semantics != Semantics.TFLITE_UINT8 && flag.generate(in));
          b.inputDistribution(distributions.generate(in));
          b.filterDistribution(distributions.generate(in));
          b.bias(biases.generate(in));
          CaseSpec.ScaleRange scale = scales.generate(in);
          // EXTREME is float-requant only; other semantics draw WIDE in its place.
          b.scales(
              scale == CaseSpec.ScaleRange.EXTREME && semantics != Semantics.FLOAT_REQUANT
                  ? CaseSpec.ScaleRange.WIDE
                  : scale);
          b.activation(activations.generate(in));
          return b.build();
        };
    return gen.describedAs(CaseSpec::describe);
  }
}
