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

  /** Specs of the given ops and semantics. */
  public static Gen<CaseSpec> specs(Gen<LayerKind> ops, Gen<Semantics> semanticsGen) {
    Gen<Integer> small = integers().between(1, 4);
    Gen<Integer> spatial = integers().between(1, 6);
    Gen<Integer> kernel = integers().between(1, 3);
    Gen<Integer> stride = integers().between(1, 3);
    Gen<Integer> dilation = integers().between(1, 2);
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
          int n = integers().between(1, 2).generate(in);
          int ic = small.generate(in);
          if (op == LayerKind.FULLY_CONNECTED) {
            b.input(n, 1, 1, ic).outputChannels(integers().between(1, 5).generate(in));
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
              b.depthMultiplier(integers().between(1, 3).generate(in));
            } else {
              b.outputChannels(small.generate(in));
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
          b.scales(scales.generate(in));
          b.activation(activations.generate(in));
          return b.build();
        };
    return gen.describedAs(CaseSpec::describe);
  }
}
