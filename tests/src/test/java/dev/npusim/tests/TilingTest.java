package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.isa.Scratchpad;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.simulator.MachineConfig;
import org.junit.jupiter.api.Test;

/** Layers too big for the scratchpads are tiled, double-buffered, and still bit-exact. */
class TilingTest {

  static void assertBitExactInTiles(GoldenCase c, MachineConfig m, int minTiles) throws Exception {
    LayerRunner.Run run = CaseRunner.simulate(c, m);
    assertNull(CaseRunner.mismatch(c, run.output()));
    assertTrue(
        run.compiled().tiles() >= minTiles,
        "expected at least " + minTiles + " tiles, got " + run.compiled().tiles());
  }

  @Test
  void depthwise32x32x512OnTheDefaultMachine() throws Exception {
    GoldenCase c =
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_INT8)
                .input(1, 32, 32, 512)
                .kernel(3, 3)
                .padding(Padding.same())
                .perChannelRequant(true)
                .build(),
            7);
    // 512 channels / 32 lanes = 16 channel tiles, each with several row bands.
    assertBitExactInTiles(c, MachineConfig.defaults(), 32);
  }

  @Test
  void pointwise1024To1024WhoseWeightsDoNotFitAtOnce() throws Exception {
    GoldenCase c =
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_UINT8)
                .input(1, 4, 4, 1024)
                .outputChannels(1024)
                .kernel(1, 1)
                .padding(Padding.valid())
                .build(),
            11);
    // 1 MiB of weights against a 64 KiB weight scratchpad: 32 output-channel tiles.
    assertBitExactInTiles(c, MachineConfig.defaults(), 32);
  }

  @Test
  void strided3x3ConvOnATinyMachine() throws Exception {
    MachineConfig tiny =
        MachineConfig.defaults()
            .withLanes(8)
            .withScratchpad(Scratchpad.ACT, 2048, 2)
            .withScratchpad(Scratchpad.WGT, 2048, 2)
            .withScratchpad(Scratchpad.OUT, 256, 2)
            .withScratchpad(Scratchpad.PAR, 512, 1)
            .withName("tiny");
    GoldenCase c =
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.FLOAT_REQUANT)
                .input(1, 15, 13, 20)
                .outputChannels(19)
                .kernel(3, 3)
                .stride(2, 2)
                .padding(Padding.same())
                .perChannelRequant(true)
                .perChannelFilterZeroPoint(true)
                .build(),
            3);
    assertBitExactInTiles(c, tiny, 6);
    GoldenCase dw =
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.DEPTHWISE_CONV2D, Semantics.TFLITE_UINT8)
                .input(2, 17, 11, 21)
                .kernel(5, 5)
                .dilation(2, 1)
                .depthMultiplier(2)
                .padding(Padding.same())
                .build(),
            5);
    assertBitExactInTiles(dw, tiny, 6);
  }

  @Test
  void aScratchpadTooSmallForTheSmallestTileIsNamed() {
    MachineConfig starved = MachineConfig.defaults().withScratchpad(Scratchpad.ACT, 64, 1);
    GoldenCase c =
        CaseGenerator.generate(
            CaseSpec.builder(LayerKind.CONV2D, Semantics.TFLITE_INT8)
                .input(1, 8, 8, 64)
                .outputChannels(8)
                .kernel(3, 3)
                .padding(Padding.same())
                .build(),
            1);
    CompileException e =
        assertThrows(CompileException.class, () -> LayerRunner.compile(c.layer(), starved));
    assertEquals("scratchpads.act", e.field());
    assertTrue(e.getMessage().contains("3x3 input pixels of 64 channels"), e.getMessage());
  }
}
