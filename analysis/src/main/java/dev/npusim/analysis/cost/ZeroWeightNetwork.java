package dev.npusim.analysis.cost;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import java.util.List;

/**
 * The layers of a float graph as int8 layers with its exact geometry (shapes, kernel, stride,
 * padding) and all-zero weights, inputs, biases and zero points.
 *
 * <p>This is enough for cost: the compiled programs have no data-dependent control flow, so the
 * instruction stream, the DMA transfers and therefore cycles, traffic and energy events depend only
 * on the shapes and the machine, never on the values. (The datapath counters that do depend on
 * values, overflows and saturations, are not part of a cost estimate.)
 */
public final class ZeroWeightNetwork implements NetworkLayers {
  private final String description;
  private final ImmutableList<NamedLayer> layers;

  private ZeroWeightNetwork(String description, ImmutableList<NamedLayer> layers) {
    this.description = description;
    this.layers = layers;
  }

  /** The graph's layers in its execution order, each named by its float layer's name. */
  public static ZeroWeightNetwork of(String modelName, FloatGraph graph) {
    ImmutableList.Builder<NamedLayer> b = ImmutableList.builder();
    for (FloatLayer f : graph.layers()) {
      b.add(new NamedLayer(f.name(), layer(f)));
    }
    ImmutableList<NamedLayer> layers = b.build();
    return new ZeroWeightNetwork(
        modelName
            + ", "
            + layers.size()
            + " layers, geometry of the float graph, zero weights and inputs",
        layers);
  }

  /** One float layer's geometry as an int8 layer with zero data. */
  public static QuantizedLayer layer(FloatLayer f) {
    int oc = f.outputShape().c();
    int filterElements =
        QuantizedLayer.filterElements(f.kind(), f.inputShape().c(), oc, f.kernelH(), f.kernelW());
    return QuantizedLayer.builder(f.kind(), Semantics.TFLITE_INT8)
        .input(f.inputShape())
        .output(f.outputShape())
        .kernel(f.kernelH(), f.kernelW())
        .stride(f.strideH(), f.strideW())
        .padding(f.padding())
        .types(DataType.INT8, DataType.INT8, DataType.INT8)
        .inputZeroPoint(0)
        .filterZeroPoints(ImmutableIntArray.of(0))
        .outputZeroPoint(0)
        .activation(DataType.INT8.min(), DataType.INT8.max())
        .filter(ImmutableIntArray.copyOf(new int[filterElements]))
        .requant(new Requantization.Q31(ImmutableIntArray.of(1 << 30), ImmutableIntArray.of(0)))
        .build();
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public List<NamedLayer> layers() {
    return layers;
  }
}
