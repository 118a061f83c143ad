package dev.npusim.models.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class TfliteLayersTest {
  @Test
  void personDetectFirstLayerIsADepthwiseWithMultiplierEight() throws IOException {
    TfliteModel m =
        TfliteReader.read(
            "person_detect.tflite", TfliteReaderTest.resource("person_detect.tflite"));
    QuantizedLayer l = TfliteLayers.quantizedLayer(m, m.operators().get(0));
    assertEquals(LayerKind.DEPTHWISE_CONV2D, l.kind());
    assertEquals(8, l.depthMultiplier());
    // SAME, 3x3, stride 2 on 96: output 48, total padding (48-1)*2 + 3 - 96 = 1: 0 before, 1 after.
    assertArrayEquals(
        new int[] {0, 1, 0, 1}, new int[] {l.padTop(), l.padBottom(), l.padLeft(), l.padRight()});
    // RELU6 with output scale 6/255 and zero point -128: [-128 + 0, -128 + round(255.0)] = [-128,
    // 127].
    assertEquals(-128, l.activationMin());
    assertEquals(127, l.activationMax());
    assertEquals(-1, l.inputZeroPoint());
    assertEquals(8, ((Requantization.Q31) l.requant()).size());
  }

  @Test
  void activationRangeQuantizesTheRealBounds() {
    // Output scale 0.05, zero point 10: RELU6 -> [10 + 0, 10 + 6/0.05 = 130 -> 127];
    // RELU_N1_TO_1 -> [10 - 20, 10 + 20].
    TfliteTensor out =
        new TfliteTensor(
            0,
            "o",
            TensorType.INT8,
            com.google.common.primitives.ImmutableIntArray.of(1, 4),
            new Quantization(
                com.google.common.primitives.ImmutableDoubleArray.of(0.05f),
                com.google.common.primitives.ImmutableLongArray.of(10),
                0),
            null);
    assertArrayEquals(
        new int[] {10, 127}, TfliteLayers.activationRange(out, FusedActivation.RELU6));
    assertArrayEquals(new int[] {10, 127}, TfliteLayers.activationRange(out, FusedActivation.RELU));
    assertArrayEquals(
        new int[] {-10, 30}, TfliteLayers.activationRange(out, FusedActivation.RELU_N1_TO_1));
    assertArrayEquals(
        new int[] {-128, 127}, TfliteLayers.activationRange(out, FusedActivation.NONE));
  }
}
