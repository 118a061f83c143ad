package dev.npusim.kernels.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A 1x1 convolution, 2 -> 2 channels, weights {@code [[0.5, -0.25], [1.0, 0.0]]} (OHWI), bias
 * {@code [0.1, -0.2]}, ReLU6, input calibrated to [-1, 1] and output to [0, 3], quantized by hand.
 */
class NetworkQuantizerTest {
  static final TensorShape IN = new TensorShape(1, 2, 2, 2);

  static FloatGraph graph() {
    FloatLayer conv =
        FloatLayer.conv(
            "conv",
            FloatGraph.INPUT,
            IN,
            2,
            1,
            1,
            ImmutableDoubleArray.of(0.5, -0.25, 1.0, 0.0),
            ImmutableDoubleArray.of(0.1, -0.2),
            Activation.RELU6);
    return new FloatGraph(IN, List.of(conv));
  }

  static Calibration calibration() {
    TensorShape two = new TensorShape(1, 1, 1, 2);
    return Calibration.builder()
        .observe(FloatGraph.INPUT, FloatTensor.copyOf(two, new double[] {-1, 1}))
        .observe("conv", FloatTensor.copyOf(two, new double[] {0, 3}))
        .build();
  }

  @Test
  void tf8() {
    QuantizedLayer q =
        NetworkQuantizer.quantize(graph(), calibration(), QuantScheme.TF8)
            .layers()
            .get(0)
            .quantized();
    assertEquals(Semantics.TFLITE_UINT8, q.semantics());
    assertEquals(128, q.inputZeroPoint());
    // Weights in [-0.25, 1.0]: scale 1.25/255, zero point round(0.25 / (1.25/255)) = 51;
    // 0.5 -> 51 + 102 = 153, -0.25 -> 0, 1.0 -> 51 + 204 = 255, 0.0 -> 51.
    assertEquals(51, q.filterZeroPoint(0));
    assertArrayEquals(new int[] {153, 0, 255, 51}, q.filter().toArray());
    // Bias in the accumulator scale (2/255)(1.25/255) = 2.5/65025: 0.1 -> 2601, -0.2 -> -5202.
    assertArrayEquals(new int[] {2601, -5202}, q.bias().toArray());
    // Output [0, 3]: scale 3/255, zero point 0. ReLU6: [0, min(255, round(6 / (3/255)) = 510)].
    assertEquals(0, q.outputZeroPoint());
    assertEquals(0, q.activationMin());
    assertEquals(255, q.activationMax());
    // One multiplier for the tensor: (2/255)(1.25/255)/(3/255) = 2.5/765 = 0.8366 * 2^-8.
    Requantization.Q31 rq = (Requantization.Q31) q.requant();
    assertEquals(1, rq.size());
    assertEquals(-8, rq.shift(0));
    double real = Math.scalb((double) rq.multiplier(0), rq.shift(0) - 31);
    assertTrue(Math.abs(real / (2.5 / 765) - 1) < 1e-9, "multiplier stands for " + real);
  }

  @Test
  void int8PerChannel() {
    QuantizedLayer q =
        NetworkQuantizer.quantize(graph(), calibration(), QuantScheme.INT8_PER_CHANNEL)
            .layers()
            .get(0)
            .quantized();
    assertEquals(Semantics.TFLITE_INT8, q.semantics());
    assertEquals(DataType.INT8, q.inputType());
    assertEquals(-1, q.inputZeroPoint()); // round(-128 + 127.5) = round(-0.5) = -1
    // Channel 0: scale 0.5/127: 0.5 -> 127, -0.25 -> -63.5 -> -64. Channel 1: 1/127: 127, 0.
    assertArrayEquals(new int[] {127, -64, 127, 0}, q.filter().toArray());
    assertEquals(0, q.filterZeroPoint(0));
    // Output [0, 3] in int8: zero point -128; ReLU6 clamp [-128, min(127, -128 + 510)].
    assertEquals(-128, q.outputZeroPoint());
    assertEquals(-128, q.activationMin());
    assertEquals(127, q.activationMax());
    Requantization.Q31 rq = (Requantization.Q31) q.requant();
    assertEquals(2, rq.size());
    // Channel 1: (2/255)(1/127)/(3/255) = 2/381.
    double real = Math.scalb((double) rq.multiplier(1), rq.shift(1) - 31);
    assertTrue(Math.abs(real / (2.0 / 381) - 1) < 1e-9);
    // Bias of channel 0 in scale (2/255)(0.5/127): 0.1 / 3.0879e-5 = 3238.5 -> 3239 (half away).
    assertEquals(3239, q.bias().get(0));
  }

  @Test
  void tf8PerChannelDepthwiseStoresInt8WeightsAsUint8WithZeroPoint128() {
    TensorShape in = new TensorShape(1, 3, 3, 2);
    FloatLayer dw =
        FloatLayer.depthwise(
            "dw",
            FloatGraph.INPUT,
            in,
            1,
            1,
            ImmutableDoubleArray.of(0.5, -2.0),
            ImmutableDoubleArray.of(0.0, 0.0),
            null,
            Activation.NONE);
    FloatGraph g = new FloatGraph(in, List.of(dw));
    TensorShape two = new TensorShape(1, 1, 1, 2);
    Calibration cal =
        Calibration.builder()
            .observe(FloatGraph.INPUT, FloatTensor.copyOf(two, new double[] {0, 1}))
            .observe("dw", FloatTensor.copyOf(two, new double[] {-2, 1}))
            .build();
    QuantizedLayer q =
        NetworkQuantizer.quantize(g, cal, QuantScheme.TF8_DW_PER_CHANNEL)
            .layers()
            .get(0)
            .quantized();
    // Each channel alone: 0.5 -> 127, -2.0 -> -127; stored + 128 with zero point 128.
    assertEquals(DataType.UINT8, q.filterType());
    assertArrayEquals(new int[] {255, 1}, q.filter().toArray());
    assertEquals(128, q.filterZeroPoint(0));
    assertEquals(2, q.requant().size());
  }
}
