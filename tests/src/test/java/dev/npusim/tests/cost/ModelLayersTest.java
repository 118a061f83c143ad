package dev.npusim.tests.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.analysis.cost.NamedLayer;
import dev.npusim.analysis.cost.ZeroWeightNetwork;
import dev.npusim.analysis.engine.Targets;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.simulator.MachineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The network {@code estimate --model} costs is SSD-MobileNetV1 layer for layer: same names
 * (manifest prefixes), order and geometry as the float graph, and every layer compiles for every
 * preset.
 */
class ModelLayersTest {
  @Test
  void theLayersAreTheFloatGraphsWithItsGeometry() throws Exception {
    SsdMobilenetV1 model = SsdMobilenetV1.loadBundled();
    List<FloatLayer> floats = model.graph().layers();
    List<NamedLayer> layers = ZeroWeightNetwork.of("ssd", model.graph()).layers();
    assertEquals(floats.size(), layers.size());
    long macs = 0;
    for (int i = 0; i < floats.size(); i++) {
      FloatLayer f = floats.get(i);
      QuantizedLayer q = layers.get(i).layer();
      assertEquals(f.name(), layers.get(i).name());
      assertEquals(f.kind(), q.kind());
      assertEquals(f.inputShape(), q.input());
      assertEquals(f.outputShape(), q.output());
      assertEquals(f.kernelH(), q.kernelH());
      assertEquals(f.strideH(), q.strideH());
      assertEquals(f.padding().top(), q.padTop());
      assertEquals(f.padding().bottom(), q.padBottom());
      assertEquals(f.padding().left(), q.padLeft());
      assertEquals(f.padding().right(), q.padRight());
      // MACs by hand: output elements x taps (x input channels for a regular convolution).
      long perOutput =
          (long) f.kernelH()
              * f.kernelW()
              * (f.kind() == dev.npusim.kernels.LayerKind.CONV2D ? f.inputShape().c() : 1);
      assertEquals(f.outputShape().elements() * perOutput, q.macs(), f.name());
      macs += q.macs();
    }
    // The face detector's 512x512 input makes about 3.1 GMAC (MODEL.md).
    assertEquals(true, macs > 3.0e9 && macs < 3.3e9, "total MACs " + macs);
  }

  @Test
  void everyLayerCompilesForEveryPreset() throws Exception {
    List<NamedLayer> layers =
        ZeroWeightNetwork.of("ssd", SsdMobilenetV1.loadBundled().graph()).layers();
    for (MachineConfig m : Presets.all()) {
      for (NamedLayer l : layers) {
        KernelCompiler.compile(l.layer(), Targets.of(m));
      }
    }
  }
}
