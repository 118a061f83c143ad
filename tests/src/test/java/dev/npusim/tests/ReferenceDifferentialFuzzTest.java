package dev.npusim.tests;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import dev.npusim.simulator.MachineConfig;

/**
 * Differential fuzzing (issue 12): the fuzzer chooses a layer (op, all three semantics, geometry,
 * types, data distributions, biases, scales up to the whole float32 range) and a seed; the compiled
 * program on the simulator must equal the independent integer reference bit for bit. A spec the
 * generator rejects (IllegalArgumentException from {@link CaseSpec.Builder#build}) is the spec's
 * typed error and ends the run.
 */
class ReferenceDifferentialFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void simulatorEqualsReference(FuzzedDataProvider data) {
    LayerKind op = data.pickValue(LayerKind.values());
    Semantics semantics = data.pickValue(Semantics.values());
    CaseSpec.Builder b = CaseSpec.builder(op, semantics);
    int n = data.consumeInt(1, 2);
    int c = data.consumeInt(1, 16);
    if (op == LayerKind.FULLY_CONNECTED) {
      b.input(n, 1, 1, c).outputChannels(data.consumeInt(1, 16));
    } else {
      b.input(n, data.consumeInt(1, 8), data.consumeInt(1, 8), c);
      int k = data.pickValue(new int[] {1, 3, 5});
      b.kernel(k, k)
          .stride(data.consumeInt(1, 2), data.consumeInt(1, 2))
          .dilation(data.consumeInt(1, 2), data.consumeInt(1, 2));
      b.padding(
          switch (data.consumeInt(0, 2)) {
            case 0 -> Padding.same();
            case 1 -> Padding.valid();
            default ->
                Padding.explicit(
                    data.consumeInt(0, 3),
                    data.consumeInt(0, 3),
                    data.consumeInt(0, 3),
                    data.consumeInt(0, 3));
          });
      if (op == LayerKind.DEPTHWISE_CONV2D) {
        b.depthMultiplier(data.consumeInt(1, 3));
      } else {
        b.outputChannels(data.consumeInt(1, 16));
      }
    }
    if (semantics == Semantics.FLOAT_REQUANT) {
      b.types(
          data.pickValue(DataType.values()),
          data.pickValue(DataType.values()),
          data.pickValue(DataType.values()));
      b.perChannelFilterZeroPoint(data.consumeBoolean());
    }
    b.perChannelRequant(data.consumeBoolean())
        .inputDistribution(data.pickValue(CaseSpec.Distribution.values()))
        .filterDistribution(data.pickValue(CaseSpec.Distribution.values()))
        .bias(data.pickValue(CaseSpec.BiasRange.values()))
        .scales(data.pickValue(CaseSpec.ScaleRange.values()))
        .activation(data.pickValue(CaseSpec.Activation.values()));
    long seed = data.consumeLong();
    CaseSpec spec;
    try {
      spec = b.build();
    } catch (IllegalArgumentException rejected) {
      return;
    }
    CompilerProperties.check(spec, seed, MachineConfig.defaults());
  }
}
