package dev.npusim.golden.generator;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.cases.AddCase;
import dev.npusim.golden.cases.PoolCase;
import dev.npusim.golden.cases.SoftmaxCase;
import dev.npusim.golden.reference.OperatorReference;
import dev.npusim.golden.reference.SoftmaxReference;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * The random draws of one pooling, ADD or softmax case, in a fixed order so that a seed reproduces
 * it. Scales are float32, as TFLite stores them; ADD's multipliers come from them by TFLite's
 * {@code Prepare} ({@link AddLayer#fromScales}); the expected output is the integer reference's
 * ({@link OperatorReference}).
 */
final class OperatorDraw {
  private final SplittableRandom random;

  OperatorDraw(long seed) {
    this.random = new SplittableRandom(seed);
  }

  PoolCase pool(PoolSpec spec, long seed) {
    DataType type = spec.type();
    int zeroPoint = uniform(type);
    float scale = logUniform(-8, 0);
    int[] clamp = activationRange(type, spec.activation(), zeroPoint, scale);
    PoolLayer layer = spec.layer(clamp[0], clamp[1]);
    ImmutableIntArray input =
        values(type, spec.distribution(), zeroPoint, layer.input().elements());
    dev.npusim.kernels.graph.Padding p = spec.explicitPadding();
    ImmutableIntArray expected =
        ImmutableIntArray.copyOf(OperatorReference.pool(layer, input.toArray()));
    return new PoolCase(
        name(spec.kind().opName(), type, seed),
        source(seed),
        Optional.of(spec.describe()),
        layer,
        p,
        zeroPoint,
        OptionalDouble.of(scale),
        input,
        expected);
  }

  AddCase add(AddSpec spec, long seed) {
    DataType type = spec.type();
    float s1 = logUniform(-8, -2);
    float s2;
    float so;
    switch (spec.scales()) {
      case TYPICAL -> {
        s2 = (float) (s1 * Math.pow(2, 2 * random.nextDouble() - 1));
        so = (float) (Math.max(s1, s2) * Math.pow(2, 2 * random.nextDouble() - 1));
      }
      default -> {
        s2 = (float) (s1 * Math.pow(2, 24 * random.nextDouble() - 12));
        so = (float) (Math.max(s1, s2) * Math.pow(2, 28 * random.nextDouble() - 18));
      }
    }
    int z1 = uniform(type);
    int z2 = uniform(type);
    int zo = uniform(type);
    int[] clamp = activationRange(type, spec.activation(), zo, so);
    AddLayer layer =
        AddLayer.fromScales(
            type, spec.shape(), spec.input2Shape(), s1, z1, s2, z2, so, zo, clamp[0], clamp[1]);
    ImmutableIntArray in1 = values(type, spec.distribution(), z1, spec.shape().elements());
    ImmutableIntArray in2 = values(type, spec.distribution(), z2, spec.input2Shape().elements());
    return new AddCase(
        name("add", type, seed),
        source(seed),
        Optional.of(spec.describe()),
        layer,
        in1,
        in2,
        ImmutableIntArray.copyOf(OperatorReference.add(layer, in1.toArray(), in2.toArray())),
        OptionalDouble.of(s1),
        OptionalDouble.of(s2),
        OptionalDouble.of(so));
  }

  SoftmaxCase softmax(SoftmaxSpec spec, long seed) {
    float scale =
        switch (spec.scales()) {
          case TYPICAL -> logUniform(-6, -2);
          case WIDE -> (float) (Math.pow(2, 28 * random.nextDouble() - 25) / spec.beta());
        };
    int zeroPoint = uniform(DataType.INT8);
    var s = spec.shape();
    ImmutableIntArray shape = ImmutableIntArray.of(s.n(), s.h(), s.w(), s.c());
    ImmutableIntArray input = values(DataType.INT8, spec.distribution(), zeroPoint, s.elements());
    return new SoftmaxCase(
        name("softmax", DataType.INT8, seed),
        source(seed),
        Optional.of(spec.describe()),
        shape,
        zeroPoint,
        scale,
        spec.beta(),
        input,
        ImmutableIntArray.copyOf(
            SoftmaxReference.softmax(
                SoftmaxReference.prepare(spec.beta(), scale), input.toArray(), s.c())));
  }

  private static String name(String op, DataType type, long seed) {
    return op + "-" + (type == DataType.INT8 ? "tflite-int8" : "tflite-uint8") + "-seed" + seed;
  }

  private static String source(long seed) {
    return "npusim CaseGenerator, seed " + seed + "; expected output from the integer reference";
  }

  /** A float32 scale log-uniform in [2^lo, 2^hi). */
  private float logUniform(int lo, int hi) {
    return (float) Math.pow(2, lo + (hi - lo) * random.nextDouble());
  }

  private ImmutableIntArray values(
      DataType type, CaseSpec.Distribution distribution, int zeroPoint, long n) {
    int[] v = new int[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] =
          switch (distribution) {
            case UNIFORM -> uniform(type);
            case ALL_MIN -> type.min();
            case ALL_MAX -> type.max();
            case EXTREMES -> random.nextBoolean() ? type.min() : type.max();
            case NEAR_ZERO_POINT ->
                Math.min(Math.max(zeroPoint + random.nextInt(-8, 9), type.min()), type.max());
          };
    }
    return ImmutableIntArray.copyOf(v);
  }

  /** {@code [activation_min, activation_max]} as TFLite's CalculateActivationRangeQuantized. */
  private static int[] activationRange(
      DataType t, CaseSpec.Activation activation, int zeroPoint, float scale) {
    return switch (activation) {
      case NONE -> new int[] {t.min(), t.max()};
      case RELU -> new int[] {Math.max(zeroPoint, t.min()), t.max()};
      case RELU6 -> {
        long six = zeroPoint + Math.round(6.0 / scale);
        yield new int[] {Math.max(zeroPoint, t.min()), (int) Math.min(six, t.max())};
      }
    };
  }

  private int uniform(DataType type) {
    return random.nextInt(type.min(), type.max() + 1);
  }
}
