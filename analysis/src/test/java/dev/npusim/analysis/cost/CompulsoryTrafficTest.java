package dev.npusim.analysis.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Semantics;
import org.junit.jupiter.api.Test;

/** Compulsory traffic by hand: weights + the input some output reads + output, each once. */
class CompulsoryTrafficTest {
  private static QuantizedLayer layer(CaseSpec spec) {
    return CaseGenerator.generate(spec, 1).layer();
  }

  @Test
  void aSameConvolutionReadsItsWholeInput() {
    // 3x3 stride 1 SAME on 8x8x4 -> 8x8x6: every input pixel is read.
    QuantizedLayer l =
        layer(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
                .input(1, 8, 8, 4)
                .outputChannels(6)
                .kernel(3, 3)
                .padding(Padding.same())
                .build());
    assertEquals(6 * 3 * 3 * 4, CompulsoryTraffic.filterBytes(l));
    assertEquals(8 * 8 * 4, CompulsoryTraffic.inputFootprintBytes(l));
    assertEquals(8 * 8 * 6, CompulsoryTraffic.outputBytes(l));
    assertEquals(216 + 256 + 384, CompulsoryTraffic.bytes(l));
  }

  @Test
  void aStrideThatSkipsRowsAndColumnsDoesNotCountThem() {
    // 1x1 stride 2 VALID on 5x6x3: outputs 3x3 read rows {0, 2, 4} and columns {0, 2, 4}.
    QuantizedLayer l =
        layer(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
                .input(1, 5, 6, 3)
                .outputChannels(2)
                .kernel(1, 1)
                .stride(2, 2)
                .padding(Padding.valid())
                .build());
    assertEquals(3 * 3 * 3, CompulsoryTraffic.inputFootprintBytes(l));
    assertEquals(2 * 3 + 27 + 3 * 3 * 2, CompulsoryTraffic.bytes(l));
  }

  @Test
  void depthwiseWithAMultiplierAndABatch() {
    // 3x3 depthwise, multiplier 2, VALID on 2 x 6x6x5 -> 2 x 4x4x10; every pixel is read.
    QuantizedLayer l =
        layer(
            CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_INT8)
                .input(2, 6, 6, 5)
                .kernel(3, 3)
                .depthMultiplier(2)
                .padding(Padding.valid())
                .build());
    assertEquals(3 * 3 * 10, CompulsoryTraffic.filterBytes(l));
    assertEquals(2 * 6 * 6 * 5, CompulsoryTraffic.inputFootprintBytes(l));
    assertEquals(2 * 4 * 4 * 10, CompulsoryTraffic.outputBytes(l));
  }

  @Test
  void fullyConnected() {
    QuantizedLayer l =
        layer(
            CaseSpec.builder(LayerKind.FULLY_CONNECTED, Semantics.TFLITE_INT8)
                .input(3, 1, 1, 20)
                .outputChannels(7)
                .build());
    assertEquals(7 * 20 + 3 * 20 + 3 * 7, CompulsoryTraffic.bytes(l));
  }
}
