package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.npusim.kernels.TensorShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An immutable float network: one input tensor and a list of {@link FloatLayer}s in execution
 * order. Validated at construction: layer names are unique, every layer reads {@link #INPUT} or the
 * output of a layer that comes <em>before</em> it in the list, and its input shape is that tensor's
 * shape.
 *
 * <h2>How to walk it (e.g. for quantization)</h2>
 *
 * <pre>{@code
 * for (FloatLayer layer : graph.layers()) {           // already in execution order
 *   String in = layer.input();                         // FloatGraph.INPUT or an earlier layer's name
 *   TensorShape inShape = graph.shapeOf(in);           // == layer.inputShape()
 *   ... a tensor is named after the layer that produces it, so calibration ranges,
 *   ... scales and zero points can be kept in a Map<String, ...> keyed by layer name
 *   ... (plus FloatGraph.INPUT for the network input).
 * }
 * }</pre>
 *
 * A layer's output may feed several layers (in the SSD model, {@code
 * MobilenetV1/Conv2d_11_pointwise} feeds {@code Conv2d_12_depthwise} and box predictor 0); {@link
 * #consumers} lists them. Layers that no other layer reads are the graph's outputs ({@link
 * #outputs}). The only merge is an imported graph's {@link FloatOp#ADD}, which reads a second
 * earlier tensor ({@link FloatLayer#secondInput}); every other layer has exactly one input.
 *
 * <p>An imported graph may also hold named constant tensors ({@link #constants}: the per-channel
 * offset or scalar a converter leaves as an ADD operand). Only an ADD may read one, as either of
 * its inputs; ADD's inputs broadcast ({@link FloatLayer#secondShape}).
 */
public final class FloatGraph {

  /** The name of the network input tensor; no layer may use it. */
  public static final String INPUT = "input";

  private final TensorShape inputShape;
  private final ImmutableMap<String, FloatTensor> constants;
  private final ImmutableList<FloatLayer> layers;
  private final ImmutableMap<String, FloatLayer> byName;

  /** A graph without constants. */
  public FloatGraph(TensorShape inputShape, List<FloatLayer> layers) {
    this(inputShape, Map.of(), layers);
  }

  /**
   * @param constants named constant tensors an ADD may read as either input; their names are
   *     neither {@link #INPUT} nor a layer's
   */
  public FloatGraph(
      TensorShape inputShape, Map<String, FloatTensor> constants, List<FloatLayer> layers) {
    checkArgument(inputShape != null, "input shape is null");
    checkArgument(!layers.isEmpty(), "a graph needs at least one layer");
    checkArgument(!constants.containsKey(INPUT), "a constant may not be called '%s'", INPUT);
    Map<String, FloatLayer> seen = new LinkedHashMap<>();
    for (FloatLayer layer : layers) {
      checkArgument(!layer.name().equals(INPUT), "a layer may not be called '%s'", INPUT);
      checkArgument(!seen.containsKey(layer.name()), "duplicate layer name %s", layer.name());
      checkArgument(
          !constants.containsKey(layer.name()),
          "layer %s has the name of a constant",
          layer.name());
      TensorShape first = available(inputShape, constants, seen, layer, layer.input());
      checkArgument(
          first.equals(layer.inputShape()),
          "layer %s expects input %s but %s is %s",
          layer.name(),
          layer.inputShape(),
          layer.input(),
          first);
      if (layer.secondInput() != null) {
        TensorShape second = available(inputShape, constants, seen, layer, layer.secondInput());
        checkArgument(
            second.equals(layer.secondShape()),
            "layer %s adds %s of shape %s, expected %s",
            layer.name(),
            layer.secondInput(),
            second,
            layer.secondShape());
      }
      seen.put(layer.name(), layer);
    }
    this.inputShape = inputShape;
    this.constants = ImmutableMap.copyOf(constants);
    this.layers = ImmutableList.copyOf(layers);
    this.byName = ImmutableMap.copyOf(seen);
  }

  /**
   * The shape of a tensor a layer reads: the input, a constant (an ADD's only) or an earlier layer.
   */
  private static TensorShape available(
      TensorShape inputShape,
      Map<String, FloatTensor> constants,
      Map<String, FloatLayer> seen,
      FloatLayer layer,
      String tensor) {
    if (tensor.equals(INPUT)) {
      return inputShape;
    }
    FloatTensor constant = constants.get(tensor);
    if (constant != null) {
      checkArgument(
          layer.op() == FloatOp.ADD,
          "layer %s (%s) reads the constant %s; only ADD reads constants",
          layer.name(),
          layer.op(),
          tensor);
      return constant.shape();
    }
    FloatLayer producer = seen.get(tensor);
    checkArgument(
        producer != null,
        "layer %s reads %s, which is not an earlier layer or a constant",
        layer.name(),
        tensor);
    return producer.outputShape();
  }

  /** The named constant tensors (ADD operands), empty for most graphs. */
  public ImmutableMap<String, FloatTensor> constants() {
    return constants;
  }

  /** True when {@code tensor} names one of {@link #constants}. */
  public boolean isConstant(String tensor) {
    return constants.containsKey(tensor);
  }

  public TensorShape inputShape() {
    return inputShape;
  }

  /** All layers in execution order (every layer after the one it reads). */
  public ImmutableList<FloatLayer> layers() {
    return layers;
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The layer of this name; throws IllegalArgumentException naming it if there is none. */
  public FloatLayer layer(String name) {
    FloatLayer layer = byName.get(name);
    checkArgument(layer != null, "no layer named %s", name);
    return layer;
  }

  /** Shape of a tensor: {@link #INPUT}, a constant or a layer's output. */
  public TensorShape shapeOf(String tensor) {
    if (constants.containsKey(tensor)) {
      return constants.get(tensor).shape();
    }
    return tensor.equals(INPUT) ? inputShape : layer(tensor).outputShape();
  }

  /** Layers that read this tensor, in execution order. */
  public ImmutableList<FloatLayer> consumers(String tensor) {
    checkArgument(
        tensor.equals(INPUT) || byName.containsKey(tensor) || constants.containsKey(tensor),
        "no tensor named %s",
        tensor);
    ImmutableList.Builder<FloatLayer> b = ImmutableList.builder();
    for (FloatLayer layer : layers) {
      if (layer.inputs().contains(tensor)) {
        b.add(layer);
      }
    }
    return b.build();
  }

  /** Layers whose output no layer reads, in execution order. */
  public ImmutableList<FloatLayer> outputs() {
    ImmutableList.Builder<FloatLayer> b = ImmutableList.builder();
    for (FloatLayer layer : layers) {
      if (consumers(layer.name()).isEmpty()) {
        b.add(layer);
      }
    }
    return b.build();
  }

  /**
   * A graph with each layer replaced by {@code rewrite.apply(layer)}. The rewrite must keep names,
   * wiring and shapes (it changes parameters); the new graph, with the same constants, is validated
   * again.
   */
  public FloatGraph mapLayers(UnaryOperator<FloatLayer> rewrite) {
    List<FloatLayer> out = new ArrayList<>(layers.size());
    for (FloatLayer layer : layers) {
      out.add(rewrite.apply(layer));
    }
    return new FloatGraph(inputShape, constants, out);
  }

  /** A graph with some layers replaced by same-named ones. */
  public FloatGraph withLayers(Map<String, FloatLayer> replacements) {
    for (String name : replacements.keySet()) {
      layer(name);
    }
    return mapLayers(l -> replacements.getOrDefault(l.name(), l));
  }

  /** The graph's final output: the last layer in execution order. */
  public FloatLayer last() {
    return layers.get(layers.size() - 1);
  }

  /** Total multiply-accumulates per inference. */
  public long macs() {
    long sum = 0;
    for (FloatLayer layer : layers) {
      sum += layer.macs();
    }
    return sum;
  }

  @Override
  public String toString() {
    return "FloatGraph(input "
        + inputShape
        + ", "
        + layers.size()
        + " layers"
        + (constants.isEmpty() ? "" : ", " + constants.size() + " constants")
        + ")";
  }
}
