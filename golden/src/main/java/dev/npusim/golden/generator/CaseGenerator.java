package dev.npusim.golden.generator;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.cases.AddCase;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.cases.PoolCase;
import dev.npusim.golden.cases.SoftmaxCase;
import dev.npusim.golden.generator.CaseSpec.Distribution;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.quant.QuantizedMultiplier;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Builds random, valid {@link GoldenCase}s from a {@link CaseSpec} and a seed; the expected output
 * is the {@link IntegerReference}'s. The same spec and seed always give the same case.
 *
 * <p>Requantization parameters come from real scales, the way the frameworks derive them: an input
 * scale, an output scale and a target effective scale per channel (from {@link
 * CaseSpec.ScaleRange}) fix the float32 filter scale; then
 *
 * <ul>
 *   <li>TFLite semantics: {@code QuantizeMultiplier(double(s_in) * double(s_w) / double(s_out))}
 *       ({@link QuantizedMultiplier#of});
 *   <li>{@code float-requant}: {@code (s_in * s_w) / s_out} evaluated in float32, as ONNX Runtime's
 *       QLinearConv does.
 * </ul>
 *
 * The scales are kept in the case as its informational {@code scale} fields.
 */
public final class CaseGenerator {
  private CaseGenerator() {}

  /** A random case for {@code spec}; deterministic in {@code (spec, seed)}. */
  public static GoldenCase generate(CaseSpec spec, long seed) {
    return new Draw(spec, new SplittableRandom(seed)).goldenCase(seed);
  }

  /** A random pooling case for {@code spec}; deterministic in {@code (spec, seed)}. */
  public static PoolCase generate(PoolSpec spec, long seed) {
    return new OperatorDraw(seed).pool(spec, seed);
  }

  /** A random ADD case for {@code spec}; deterministic in {@code (spec, seed)}. */
  public static AddCase generate(AddSpec spec, long seed) {
    return new OperatorDraw(seed).add(spec, seed);
  }

  /** A random int8 softmax case for {@code spec}; deterministic in {@code (spec, seed)}. */
  public static SoftmaxCase generate(SoftmaxSpec spec, long seed) {
    return new OperatorDraw(seed).softmax(spec, seed);
  }

  /** The draws of one case, in a fixed order so that a seed reproduces it. */
  private static final class Draw {
    private final CaseSpec spec;
    private final SplittableRandom random;

    Draw(CaseSpec spec, SplittableRandom random) {
      this.spec = spec;
      this.random = random;
    }

    GoldenCase goldenCase(long seed) {
      dev.npusim.kernels.graph.Padding pad = spec.explicitPadding();
      int oc = spec.outputChannels();
      TensorShape input =
          new TensorShape(
              spec.batch(), spec.inputHeight(), spec.inputWidth(), spec.inputChannels());
      TensorShape output = outputShape(pad);

      int inputZeroPoint = uniform(spec.inputType());
      int[] filterZeroPoints = filterZeroPoints(oc);
      int outputZeroPoint = uniform(spec.outputType());

      // Real scales: input and output per tensor, filter per channel when requant is.
      int scaleCount = spec.perChannelRequant() ? oc : 1;
      float inputScale =
          (float) Math.scalb(1.0, -2 - random.nextInt(7)) * (float) (1 + random.nextDouble());
      float outputScale =
          (float) Math.scalb(1.0, -random.nextInt(7)) * (float) (1 + random.nextDouble());
      boolean extreme = spec.scales() == CaseSpec.ScaleRange.EXTREME;
      if (extreme) {
        inputScale = 1;
        outputScale = 1;
      }
      float[] filterScales = new float[scaleCount];
      for (int c = 0; c < scaleCount; c++) {
        double target = effectiveScaleTarget(inputZeroPoint, zeroPointOf(filterZeroPoints, c));
        filterScales[c] = extreme ? (float) target : (float) (target * outputScale / inputScale);
      }
      Requantization requant = requantization(inputScale, filterScales, outputScale);

      int[] inputData = new int[(int) input.elements()];
      for (int i = 0; i < inputData.length; i++) {
        inputData[i] = value(spec.inputType(), spec.inputDistribution(), inputZeroPoint);
      }
      int filterCount =
          QuantizedLayer.filterElements(
              spec.op(), spec.inputChannels(), oc, spec.kernelHeight(), spec.kernelWidth());
      int[] filterData = filterValues(filterCount, oc, filterZeroPoints);
      ImmutableIntArray bias = bias(oc, inputZeroPoint, filterZeroPoints);

      int[] clamp = activationRange(outputZeroPoint, outputScale);

      QuantizedLayer layer =
          geometry(input, output, pad)
              .inputZeroPoint(inputZeroPoint)
              .filterZeroPoints(ImmutableIntArray.copyOf(filterZeroPoints))
              .outputZeroPoint(outputZeroPoint)
              .activationMin(clamp[0])
              .activationMax(clamp[1])
              .filter(ImmutableIntArray.copyOf(filterData))
              .bias(bias)
              .requant(requant)
              .build();
      ImmutableIntArray inputArray = ImmutableIntArray.copyOf(inputData);
      ImmutableIntArray expected =
          ImmutableIntArray.copyOf(IntegerReference.run(layer, inputArray));
      ImmutableDoubleArray.Builder informationalFilterScales = ImmutableDoubleArray.builder();
      for (float s : filterScales) {
        informationalFilterScales.add(s);
      }
      return new GoldenCase(
          spec.op().caseName() + "-" + spec.semantics().caseName() + "-seed" + seed,
          "npusim CaseGenerator, seed " + seed + "; expected output from IntegerReference",
          Optional.of(spec.describe()),
          layer,
          inputArray,
          expected,
          OptionalDouble.of(inputScale),
          informationalFilterScales.build(),
          OptionalDouble.of(outputScale));
    }

    /** The output shape the spec's kernel, stride, dilation and padding give (no draws). */
    private TensorShape outputShape(dev.npusim.kernels.graph.Padding pad) {
      return new TensorShape(
          spec.batch(),
          QuantizedLayer.outputSize(
              spec.inputHeight(),
              spec.kernelHeight(),
              spec.strideH(),
              spec.dilationH(),
              pad.top(),
              pad.bottom()),
          QuantizedLayer.outputSize(
              spec.inputWidth(),
              spec.kernelWidth(),
              spec.strideW(),
              spec.dilationW(),
              pad.left(),
              pad.right()),
          spec.outputChannels());
    }

    /** A layer builder holding everything the spec fixes: shapes, window, padding and types. */
    private QuantizedLayer.Builder geometry(
        TensorShape input, TensorShape output, dev.npusim.kernels.graph.Padding pad) {
      return QuantizedLayer.builder(spec.op(), spec.semantics())
          .input(input)
          .output(output)
          .kernelH(spec.kernelHeight())
          .kernelW(spec.kernelWidth())
          .strideH(spec.strideH())
          .strideW(spec.strideW())
          .dilationH(spec.dilationH())
          .dilationW(spec.dilationW())
          .padTop(pad.top())
          .padBottom(pad.bottom())
          .padLeft(pad.left())
          .padRight(pad.right())
          .depthMultiplier(spec.depthMultiplier())
          .inputType(spec.inputType())
          .filterType(spec.filterType())
          .outputType(spec.outputType());
    }

    /**
     * One effective scale {@code s_in * s_w / s_out} drawn from the spec's {@link
     * CaseSpec.ScaleRange}: for TYPICAL, 32 output LSB per accumulator standard deviation (see
     * {@link #accumulatorStd}) times 2^[-1, 1); for LEFT_SHIFT 2^[0, 4); for WIDE 2^[-24, 4); for
     * EXTREME see {@link #extremeScale}.
     */
    private double effectiveScaleTarget(int inputZeroPoint, int filterZeroPoint) {
      return switch (spec.scales()) {
        case TYPICAL ->
            32.0
                / accumulatorStd(inputZeroPoint, filterZeroPoint)
                * Math.pow(2, 2 * random.nextDouble() - 1);
        case LEFT_SHIFT -> Math.pow(2, 4 * random.nextDouble());
        case WIDE -> Math.scalb(Math.pow(2, 28 * random.nextDouble()), -24);
        case EXTREME -> extremeScale();
      };
    }

    /** 1e14, Float.MAX_VALUE, or log-uniform over the positive finite float32 range. */
    private double extremeScale() {
      return switch (random.nextInt(4)) {
        case 0 -> 1e14f;
        case 1 -> Float.MAX_VALUE;
        default -> {
          // 2^[-149, 128): every binade, subnormals included; clipped to the largest float.
          double s = Math.scalb(1 + random.nextDouble(), -149 + random.nextInt(277));
          yield Math.max(Float.MIN_VALUE, Math.min(s, Float.MAX_VALUE));
        }
      };
    }

    /**
     * The standard deviation of an accumulator of {@code fanIn} products of uniformly drawn values,
     * from {@code E[(x - zx)^2] = var(x) + (mean(x) - zx)^2} for each factor (the factors are
     * independent and the filter's mean offset does not cancel when the zero point is off-centre).
     */
    private double accumulatorStd(int inputZeroPoint, int filterZeroPoint) {
      return Math.sqrt(
          spec.fanIn()
              * meanSquareAround(spec.inputType(), inputZeroPoint)
              * meanSquareAround(spec.filterType(), filterZeroPoint));
    }

    /** {@code E[(v - zeroPoint)^2]} for {@code v} uniform over the type's 256 values. */
    private static double meanSquareAround(DataType type, int zeroPoint) {
      double variance = (256.0 * 256.0 - 1) / 12;
      double offset = (type.min() + type.max()) / 2.0 - zeroPoint;
      return variance + offset * offset;
    }

    private Requantization requantization(
        float inputScale, float[] filterScales, float outputScale) {
      if (spec.semantics() == Semantics.FLOAT_REQUANT) {
        float[] scales = new float[filterScales.length];
        for (int c = 0; c < scales.length; c++) {
          // ONNX Runtime QLinearConv: output_scale[c] = X_scale * W_scale[c] / Y_scale, in float.
          scales[c] = inputScale * filterScales[c] / outputScale;
        }
        return Requantization.FloatScale.of(scales);
      }
      int[] multipliers = new int[filterScales.length];
      int[] shifts = new int[filterScales.length];
      for (int c = 0; c < filterScales.length; c++) {
        // TFLite: effective scale in double from the float32 tensor scales.
        double real = (double) inputScale * (double) filterScales[c] / (double) outputScale;
        QuantizedMultiplier q = QuantizedMultiplier.of(real);
        multipliers[c] = q.multiplier();
        shifts[c] = q.shift();
      }
      return new Requantization.Q31(
          ImmutableIntArray.copyOf(multipliers), ImmutableIntArray.copyOf(shifts));
    }

    private int[] filterZeroPoints(int oc) {
      return switch (spec.semantics()) {
        case TFLITE_INT8 -> new int[] {0};
        case TFLITE_UINT8 -> new int[] {uniform(spec.filterType())};
        case FLOAT_REQUANT -> {
          int[] zp = new int[spec.perChannelFilterZeroPoint() ? oc : 1];
          for (int i = 0; i < zp.length; i++) {
            zp[i] = uniform(spec.filterType());
          }
          yield zp;
        }
      };
    }

    /** Filter values; the NEAR_ZERO_POINT distribution centres on each channel's zero point. */
    private int[] filterValues(int count, int oc, int[] zeroPoints) {
      int[] values = new int[count];
      for (int i = 0; i < count; i++) {
        int channel = channelOfFilterElement(i, oc);
        values[i] =
            value(spec.filterType(), spec.filterDistribution(), zeroPointOf(zeroPoints, channel));
      }
      return values;
    }

    /** Output channel of flat filter index {@code i} (OHWI; depthwise and FC as in the spec). */
    private int channelOfFilterElement(int i, int oc) {
      return switch (spec.op()) {
        case CONV2D -> i / (spec.kernelHeight() * spec.kernelWidth() * spec.inputChannels());
        case DEPTHWISE_CONV2D -> i % oc;
        case FULLY_CONNECTED -> i / spec.inputChannels();
      };
    }

    private int value(DataType type, Distribution distribution, int zeroPoint) {
      return switch (distribution) {
        case UNIFORM -> uniform(type);
        case ALL_MIN -> type.min();
        case ALL_MAX -> type.max();
        case EXTREMES -> random.nextBoolean() ? type.min() : type.max();
        case NEAR_ZERO_POINT ->
            Math.min(Math.max(zeroPoint + random.nextInt(-8, 9), type.min()), type.max());
      };
    }

    private static int zeroPointOf(int[] zeroPoints, int channel) {
      return zeroPoints[zeroPoints.length == 1 ? 0 : channel];
    }

    private ImmutableIntArray bias(int oc, int inputZeroPoint, int[] filterZeroPoints) {
      if (spec.bias() == CaseSpec.BiasRange.NONE) {
        return null;
      }
      int[] b = new int[oc];
      for (int c = 0; c < oc; c++) {
        b[c] =
            switch (spec.bias()) {
              case NONE, ZERO -> 0;
              case TYPICAL -> {
                // Within one accumulator standard deviation, as trained biases mostly are.
                int typical =
                    (int)
                        Math.min(
                            1 << 30,
                            accumulatorStd(inputZeroPoint, zeroPointOf(filterZeroPoints, c)));
                yield random.nextInt(-typical, typical + 1);
              }
              case NEAR_2_POW_30 ->
                  (random.nextBoolean() ? 1 : -1) * (1 << 30)
                      + random.nextInt(-(1 << 16), (1 << 16) + 1);
              case FULL_INT32 -> random.nextInt();
            };
      }
      return ImmutableIntArray.copyOf(b);
    }

    /** {@code [activation_min, activation_max]} as TFLite's CalculateActivationRangeQuantized. */
    private int[] activationRange(int zeroPoint, float outputScale) {
      DataType t = spec.outputType();
      return switch (spec.activation()) {
        case NONE -> new int[] {t.min(), t.max()};
        case RELU -> new int[] {Math.max(zeroPoint, t.min()), t.max()};
        case RELU6 -> {
          long six = zeroPoint + Math.round(6.0 / outputScale);
          yield new int[] {Math.max(zeroPoint, t.min()), (int) Math.min(six, t.max())};
        }
      };
    }

    private int uniform(DataType type) {
      return random.nextInt(type.min(), type.max() + 1);
    }
  }
}
