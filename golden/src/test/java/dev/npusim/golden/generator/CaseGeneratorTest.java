package dev.npusim.golden.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseSpec.Activation;
import dev.npusim.golden.generator.CaseSpec.BiasRange;
import dev.npusim.golden.generator.CaseSpec.Distribution;
import dev.npusim.golden.generator.CaseSpec.ScaleRange;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.quant.QuantizedMultiplier;
import org.junit.jupiter.api.Test;

/** The spec's validation and that each generator option does what it says. */
class CaseGeneratorTest {

  private static CaseSpec.Builder conv(Semantics s) {
    return CaseSpec.builder(LayerKind.CONV2D, s).input(1, 4, 4, 3).outputChannels(4);
  }

  // ---- spec validation ---------------------------------------------------------------------

  @Test
  void specRejectsWhatTheSemanticsForbid() {
    assertThrows(
        IllegalArgumentException.class,
        () -> conv(Semantics.TFLITE_UINT8).perChannelRequant(true).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> conv(Semantics.TFLITE_INT8).perChannelFilterZeroPoint(true).build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            conv(Semantics.TFLITE_INT8)
                .types(DataType.UINT8, DataType.INT8, DataType.INT8)
                .build());
  }

  @Test
  void specRejectsInconsistentGeometry() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_INT8)
                .input(1, 4, 4, 3)
                .depthMultiplier(2)
                .outputChannels(5)
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CaseSpec.builder(LayerKind.FULLY_CONNECTED, Semantics.TFLITE_INT8)
                .kernel(3, 3)
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () -> conv(Semantics.TFLITE_INT8).depthMultiplier(2).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> conv(Semantics.TFLITE_INT8).kernel(5, 5).padding(Padding.valid()).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> conv(Semantics.TFLITE_INT8).input(1, 4096, 4096, 3).build());
  }

  /** Issue 12: {@code --padding 2147483647,...} wrote an impossible case. */
  @Test
  void specRejectsPaddingThatOverflows() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            conv(Semantics.TFLITE_INT8)
                .padding(Padding.explicit(Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0))
                .build());
  }

  /** Issue 12: {@code --depth-multiplier 1000000000} reported output channels -1179869184. */
  @Test
  void specRejectsADepthMultiplierThatOverflowsTheChannels() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_INT8)
                    .input(1, 4, 4, 3)
                    .depthMultiplier(1_000_000_000)
                    .build());
    assertEquals(
        "depthwise output channels: input channels 3 x depth multiplier 1000000000 = 3000000000"
            + " do not fit in 32 bits",
        e.getMessage());
  }

  @Test
  void depthwiseDerivesItsOutputChannels() {
    CaseSpec spec =
        CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_UINT8)
            .input(1, 5, 5, 3)
            .depthMultiplier(2)
            .build();
    assertEquals(6, spec.outputChannels());
  }

  // ---- generated cases ---------------------------------------------------------------------

  @Test
  void sameSeedSameCaseAndDifferentSeedDifferentCase() {
    CaseSpec spec = conv(Semantics.TFLITE_INT8).build();
    assertEquals(CaseGenerator.generate(spec, 7), CaseGenerator.generate(spec, 7));
    assertNotEquals(
        CaseGenerator.generate(spec, 7).input(), CaseGenerator.generate(spec, 8).input());
  }

  @Test
  void geometryFollowsTheSpec() {
    CaseSpec spec =
        CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_UINT8)
            .input(2, 5, 4, 3)
            .kernel(3, 2)
            .stride(2, 1)
            .dilation(1, 2)
            .depthMultiplier(2)
            .padding(Padding.same())
            .build();
    QuantizedLayer l = CaseGenerator.generate(spec, 1).layer();
    // SAME: out H = ceil(5/2) = 3, total (3-1)*2 + 3 - 5 = 2 -> [1, 1];
    //       out W = 4, extent (2-1)*2 + 1 = 3, total 3 + 3 - 4 = 2 -> [1, 1].
    assertEquals(new TensorShape(2, 3, 4, 6), l.output());
    assertEquals(1, l.padTop());
    assertEquals(1, l.padBottom());
    assertEquals(1, l.padLeft());
    assertEquals(1, l.padRight());
    assertEquals(2, l.depthMultiplier());
  }

  @Test
  void expectedOutputIsTheIntegerReference() {
    GoldenCase c = CaseGenerator.generate(conv(Semantics.FLOAT_REQUANT).build(), 3);
    assertEquals(
        ImmutableIntArray.copyOf(IntegerReference.run(c.layer(), c.input())), c.expectedOutput());
  }

  @Test
  void extremeDistributions() {
    GoldenCase max =
        CaseGenerator.generate(
            conv(Semantics.TFLITE_INT8).distribution(Distribution.ALL_MAX).build(), 1);
    assertTrue(max.input().stream().allMatch(v -> v == 127));
    assertTrue(max.layer().filter().stream().allMatch(v -> v == 127));
    GoldenCase min =
        CaseGenerator.generate(
            conv(Semantics.TFLITE_UINT8).distribution(Distribution.ALL_MIN).build(), 1);
    assertTrue(min.input().stream().allMatch(v -> v == 0));
    GoldenCase extremes =
        CaseGenerator.generate(
            conv(Semantics.TFLITE_INT8).inputDistribution(Distribution.EXTREMES).build(), 1);
    assertTrue(extremes.input().stream().allMatch(v -> v == -128 || v == 127));
    assertTrue(extremes.input().stream().anyMatch(v -> v == -128));
    assertTrue(extremes.input().stream().anyMatch(v -> v == 127));
  }

  @Test
  void nearZeroPointStaysWithinEight() {
    GoldenCase c =
        CaseGenerator.generate(
            conv(Semantics.TFLITE_UINT8).distribution(Distribution.NEAR_ZERO_POINT).build(), 4);
    int zx = c.layer().inputZeroPoint();
    assertTrue(c.input().stream().allMatch(v -> Math.abs(v - zx) <= 8));
    int zw = c.layer().filterZeroPoint(0);
    assertTrue(c.layer().filter().stream().allMatch(v -> Math.abs(v - zw) <= 8));
  }

  @Test
  void biasRanges() {
    assertNull(
        CaseGenerator.generate(conv(Semantics.TFLITE_INT8).bias(BiasRange.NONE).build(), 1)
            .layer()
            .bias());
    assertTrue(
        CaseGenerator.generate(conv(Semantics.TFLITE_INT8).bias(BiasRange.ZERO).build(), 1)
            .layer()
            .bias()
            .stream()
            .allMatch(b -> b == 0));
    ImmutableIntArray near =
        CaseGenerator.generate(conv(Semantics.TFLITE_INT8).bias(BiasRange.NEAR_2_POW_30).build(), 1)
            .layer()
            .bias();
    assertTrue(near.stream().allMatch(b -> Math.abs(Math.abs((long) b) - (1L << 30)) <= 1 << 16));
  }

  @Test
  void typicalScalesGiveNegativeShiftsAndLeftShiftPositiveOnes() {
    for (long seed = 0; seed < 20; seed++) {
      Requantization.Q31 typical =
          (Requantization.Q31)
              CaseGenerator.generate(conv(Semantics.TFLITE_INT8).build(), seed).layer().requant();
      assertTrue(typical.shifts().stream().allMatch(s -> s < 0), typical.toString());
      Requantization.Q31 left =
          (Requantization.Q31)
              CaseGenerator.generate(
                      conv(Semantics.TFLITE_INT8).scales(ScaleRange.LEFT_SHIFT).build(), seed)
                  .layer()
                  .requant();
      // [1, 16) is q * 2^shift with q in [0.5, 1): shift 1..4, or 5 if q rounds up to 1.
      assertTrue(left.shifts().stream().allMatch(s -> s >= 1 && s <= 5), left.toString());
    }
  }

  @Test
  void wideScalesMixShiftSigns() {
    Requantization.Q31 q =
        (Requantization.Q31)
            CaseGenerator.generate(
                    conv(Semantics.TFLITE_INT8).outputChannels(64).scales(ScaleRange.WIDE).build(),
                    2)
                .layer()
                .requant();
    assertTrue(q.shifts().stream().anyMatch(s -> s < 0));
    assertTrue(q.shifts().stream().anyMatch(s -> s > 0));
  }

  @Test
  void extremeScalesCoverTheFloat32Range() {
    Requantization.FloatScale f =
        (Requantization.FloatScale)
            CaseGenerator.generate(
                    conv(Semantics.FLOAT_REQUANT)
                        .outputChannels(64)
                        .perChannelRequant(true)
                        .scales(ScaleRange.EXTREME)
                        .build(),
                    3)
                .layer()
                .requant();
    boolean e14 = false;
    boolean max = false;
    boolean tiny = false;
    for (int c = 0; c < 64; c++) {
      float s = f.scale(c);
      e14 |= s == 1e14f;
      max |= s == Float.MAX_VALUE;
      tiny |= s < 1e-20f;
    }
    assertTrue(e14 && max && tiny, f.toString());
    assertThrows(
        IllegalArgumentException.class,
        () -> conv(Semantics.TFLITE_INT8).scales(ScaleRange.EXTREME).build());
  }

  @Test
  void perChannelOptions() {
    QuantizedLayer floatLayer =
        CaseGenerator.generate(
                conv(Semantics.FLOAT_REQUANT)
                    .outputChannels(8)
                    .perChannelFilterZeroPoint(true)
                    .build(),
                5)
            .layer();
    assertEquals(8, floatLayer.filterZeroPoints().length());
    assertEquals(8, floatLayer.requant().size());
    QuantizedLayer uint8 = CaseGenerator.generate(conv(Semantics.TFLITE_UINT8).build(), 5).layer();
    assertEquals(1, uint8.filterZeroPoints().length());
    assertEquals(1, uint8.requant().size());
    QuantizedLayer int8 = CaseGenerator.generate(conv(Semantics.TFLITE_INT8).build(), 5).layer();
    assertEquals(ImmutableIntArray.of(0), int8.filterZeroPoints());
    assertEquals(4, int8.requant().size());
  }

  @Test
  void floatRequantTypesFollowTheSpec() {
    QuantizedLayer l =
        CaseGenerator.generate(
                conv(Semantics.FLOAT_REQUANT)
                    .types(DataType.INT8, DataType.UINT8, DataType.INT8)
                    .build(),
                6)
            .layer();
    assertEquals(DataType.INT8, l.inputType());
    assertEquals(DataType.UINT8, l.filterType());
    assertEquals(DataType.INT8, l.outputType());
  }

  @Test
  void activations() {
    GoldenCase relu =
        CaseGenerator.generate(conv(Semantics.TFLITE_INT8).activation(Activation.RELU).build(), 9);
    assertEquals(Math.max(relu.layer().outputZeroPoint(), -128), relu.layer().activationMin());
    assertEquals(127, relu.layer().activationMax());
    GoldenCase relu6 =
        CaseGenerator.generate(
            conv(Semantics.TFLITE_UINT8).activation(Activation.RELU6).build(), 9);
    // activation_max = zo + round(6 / output_scale), within uint8.
    long six =
        relu6.layer().outputZeroPoint()
            + Math.round(6.0 / (float) relu6.outputScale().getAsDouble());
    assertEquals(Math.min(six, 255), relu6.layer().activationMax());
    assertFalse(relu6.layer().activationMin() < relu6.layer().outputZeroPoint());
  }

  @Test
  void informationalScalesReproduceTheRequantization() {
    // TFLite: QuantizeMultiplier(double(s_in) * double(s_w) / double(s_out)).
    GoldenCase c = CaseGenerator.generate(conv(Semantics.TFLITE_INT8).build(), 12);
    Requantization.Q31 q = (Requantization.Q31) c.layer().requant();
    for (int ch = 0; ch < q.size(); ch++) {
      double real =
          c.inputScale().getAsDouble() * c.filterScales().get(ch) / c.outputScale().getAsDouble();
      assertEquals(
          QuantizedMultiplier.of(real), new QuantizedMultiplier(q.multiplier(ch), q.shift(ch)));
    }
    // ONNX Runtime: (x_scale * w_scale) / y_scale in float32.
    GoldenCase f = CaseGenerator.generate(conv(Semantics.FLOAT_REQUANT).build(), 12);
    Requantization.FloatScale s = (Requantization.FloatScale) f.layer().requant();
    for (int ch = 0; ch < s.size(); ch++) {
      float expected =
          (float) f.inputScale().getAsDouble()
              * (float) f.filterScales().get(ch)
              / (float) f.outputScale().getAsDouble();
      assertEquals(expected, s.scale(ch));
    }
  }
}
