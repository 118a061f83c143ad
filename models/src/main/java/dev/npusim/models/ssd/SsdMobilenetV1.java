package dev.npusim.models.ssd;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.BatchNorm;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.models.tfjs.ModelSource;
import dev.npusim.models.tfjs.TfjsWeights;
import dev.npusim.models.tfjs.TfjsWeights.WeightTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The face-api.js SSD-MobileNetV1 face detector as a {@link FloatGraph} plus what its SSD head
 * needs: which layers are box predictors and the anchors. Built from the TensorFlow.js weights
 * exactly as MODEL.md describes the network; every tensor's shape is checked against that
 * description, so a manifest that disagrees fails with the tensor's name.
 *
 * <h2>Layers, in execution order</h2>
 *
 * <ol>
 *   <li>{@code MobilenetV1/Conv2d_0_pointwise} (3x3 stride 2 conv, reads {@link FloatGraph#INPUT});
 *   <li>for i = 1..13: {@code MobilenetV1/Conv2d_i_depthwise} (with unfolded BatchNorm) then {@code
 *       MobilenetV1/Conv2d_i_pointwise}; pointwise 11 is {@link #CONV11};
 *   <li>for k = 0..7: {@code Prediction/Conv2d_k_pointwise} (k = 0 reads pointwise 13);
 *   <li>for j = 0..5: {@code Prediction/BoxPredictor_j/BoxEncodingPredictor} then {@code
 *       .../ClassPredictor}, both reading {@link BoxPredictor#source()}.
 * </ol>
 *
 * Every layer but the box predictors ends in ReLU6. Use {@link #withGraph} to put a transformed
 * graph (BatchNorm folded, equalized, ...) back under the same head.
 */
public final class SsdMobilenetV1 {

  /** The manifest's file name in the model folder. */
  public static final String MANIFEST = "ssd_mobilenetv1_model-weights_manifest.json";

  /** Side of the square input canvas (MODEL.md). */
  public static final int INPUT_SIZE = 512;

  public static final TensorShape INPUT_SHAPE = new TensorShape(1, INPUT_SIZE, INPUT_SIZE, 3);

  /** Pointwise 11, kept for box predictor 0 (32x32x512). */
  public static final String CONV11 = "MobilenetV1/Conv2d_11_pointwise";

  /** The backbone output, pointwise 13 (16x16x1024). */
  public static final String BACKBONE_OUTPUT = "MobilenetV1/Conv2d_13_pointwise";

  /** Name of the anchors tensor, {@code [1, 5118, 4]} float32. */
  public static final String ANCHORS_TENSOR = "Output/extra_dim";

  /** Depthwise layers with stride 2 (MODEL.md); the others have stride 1. */
  private static final ImmutableIntArray STRIDE2_DEPTHWISE = ImmutableIntArray.of(2, 4, 6, 12);

  /**
   * One SSD box predictor: two 1x1 convolutions on the same feature map.
   *
   * @param index j = 0..5
   * @param source the layer whose output it reads
   * @param boxEncoding layer giving 4 numbers (ty, tx, th, tw) per anchor
   * @param classLogits layer giving 3 logits per anchor; index 1 is the face
   * @param anchorsPerCell 3 for j = 0, else 6
   * @param firstAnchor index of its first anchor in the concatenation over j
   * @param anchors how many anchors it contributes: cells x anchors per cell
   */
  public record BoxPredictor(
      int index,
      String source,
      String boxEncoding,
      String classLogits,
      int anchorsPerCell,
      int firstAnchor,
      int anchors) {}

  private final FloatGraph graph;
  private final ImmutableList<BoxPredictor> predictors;
  private final ImmutableDoubleArray anchors;

  private SsdMobilenetV1(
      FloatGraph graph, ImmutableList<BoxPredictor> predictors, ImmutableDoubleArray anchors) {
    this.graph = graph;
    this.predictors = predictors;
    this.anchors = anchors;
  }

  /** Loads the model from a folder holding {@link #MANIFEST} and the binary it names. */
  public static SsdMobilenetV1 load(ModelSource source) throws InputFileException {
    return fromWeights(TfjsWeights.read(source, MANIFEST));
  }

  /** The vendored model ({@link ModelSource#bundled()}). */
  public static SsdMobilenetV1 loadBundled() throws InputFileException {
    return load(ModelSource.bundled());
  }

  /** Builds the graph and the head from already-read weights. */
  public static SsdMobilenetV1 fromWeights(TfjsWeights weights) throws InputFileException {
    return new Builder(weights).build();
  }

  /** The float graph, unfolded BatchNorm and ReLU6 as stored. */
  public FloatGraph graph() {
    return graph;
  }

  /** Box predictors j = 0..5 in concatenation order. */
  public ImmutableList<BoxPredictor> predictors() {
    return predictors;
  }

  /**
   * The anchors, {@code [y0, x0, y1, x1]} per anchor flattened, in the canvas's unit coordinates.
   */
  public ImmutableDoubleArray anchors() {
    return anchors;
  }

  /** Names of the 12 box predictor layers: the tensors the SSD head reads. */
  public ImmutableSet<String> predictorLayers() {
    ImmutableSet.Builder<String> b = ImmutableSet.builder();
    for (BoxPredictor p : predictors) {
      b.add(p.boxEncoding(), p.classLogits());
    }
    return b.build();
  }

  public int anchorCount() {
    return anchors.length() / 4;
  }

  /**
   * The same head on a transformed graph. The graph must keep the box predictors' names and output
   * shapes (the transforms in {@code dev.npusim.kernels.graph} do).
   */
  public SsdMobilenetV1 withGraph(FloatGraph transformed) {
    for (BoxPredictor p : predictors) {
      for (String name : List.of(p.boxEncoding(), p.classLogits())) {
        if (!transformed.layer(name).outputShape().equals(graph.layer(name).outputShape())) {
          throw new IllegalArgumentException("transformed graph changes the shape of " + name);
        }
      }
    }
    return new SsdMobilenetV1(transformed, predictors, anchors);
  }

  /** Builds the graph layer by layer, checking each tensor against MODEL.md. */
  private static final class Builder {
    private final TfjsWeights w;
    private final List<FloatLayer> layers = new ArrayList<>();

    Builder(TfjsWeights w) {
      this.w = w;
    }

    SsdMobilenetV1 build() throws InputFileException {
      // Backbone. "Conv2d_0_pointwise" is, despite its name, a 3x3 stride-2 regular conv.
      FloatLayer x =
          conv(
              "MobilenetV1/Conv2d_0_pointwise",
              FloatGraph.INPUT,
              INPUT_SHAPE,
              3,
              2,
              "convolution_bn_offset",
              Activation.RELU6);
      for (int i = 1; i <= 13; i++) {
        int stride = STRIDE2_DEPTHWISE.contains(i) ? 2 : 1;
        x = depthwise("MobilenetV1/Conv2d_" + i + "_depthwise", x, stride);
        x =
            conv(
                "MobilenetV1/Conv2d_" + i + "_pointwise",
                x.name(),
                x.outputShape(),
                1,
                1,
                "convolution_bn_offset",
                Activation.RELU6);
      }
      // Feature maps the box predictors read: conv11, the backbone output, and (below) the odd
      // extra layers, whose 3x3 stride-2 convs halve the map each time (even ones are 1x1).
      List<FloatLayer> sources = new ArrayList<>();
      sources.add(layer(CONV11));
      sources.add(x);
      for (int k = 0; k <= 7; k++) {
        boolean odd = k % 2 == 1;
        x =
            conv(
                "Prediction/Conv2d_" + k + "_pointwise",
                x.name(),
                x.outputShape(),
                odd ? 3 : 1,
                odd ? 2 : 1,
                "convolution_bn_offset",
                Activation.RELU6);
        if (odd) {
          sources.add(x);
        }
      }
      // Box predictors, in the order their anchors are concatenated.
      ImmutableList.Builder<BoxPredictor> predictors = ImmutableList.builder();
      int first = 0;
      for (int j = 0; j < sources.size(); j++) {
        FloatLayer src = sources.get(j);
        String prefix = "Prediction/BoxPredictor_" + j;
        FloatLayer box =
            conv(
                prefix + "/BoxEncodingPredictor",
                src.name(),
                src.outputShape(),
                1,
                1,
                "biases",
                Activation.NONE);
        FloatLayer cls =
            conv(
                prefix + "/ClassPredictor",
                src.name(),
                src.outputShape(),
                1,
                1,
                "biases",
                Activation.NONE);
        int perCell = j == 0 ? 3 : 6;
        checkChannels(box, 4 * perCell);
        checkChannels(cls, 3 * perCell);
        int cells = src.outputShape().h() * src.outputShape().w();
        predictors.add(
            new BoxPredictor(
                j, src.name(), box.name(), cls.name(), perCell, first, cells * perCell));
        first += cells * perCell;
      }
      WeightTensor a = w.tensor(ANCHORS_TENSOR);
      expectShape(
          a, new int[] {1, first, 4}, "one [y0, x0, y1, x1] per anchor of the 6 box predictors");
      FloatGraph graph = new FloatGraph(INPUT_SHAPE, layers);
      return new SsdMobilenetV1(graph, predictors.build(), a.values());
    }

    private FloatLayer layer(String name) {
      return layers.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    /**
     * A regular convolution {@code prefix/weights} [K, K, IC, OC] plus {@code prefix/<biasName>}
     * [OC]; the TF filter [KH, KW, IC, OC] is transposed to OHWI.
     */
    private FloatLayer conv(
        String prefix,
        String input,
        TensorShape in,
        int kernel,
        int stride,
        String biasName,
        Activation activation)
        throws InputFileException {
      WeightTensor f = w.tensor(prefix + "/weights");
      // OC is free (read from the tensor); KH, KW and IC follow from MODEL.md and the input.
      expectShape(f, new int[] {kernel, kernel, in.c(), -1}, "conv filter [KH, KW, IC, OC]");
      int oc = f.shape().get(3);
      WeightTensor b = w.tensor(prefix + "/" + biasName);
      expectShape(b, new int[] {oc}, "one value per output channel");
      double[] hwio = f.values().toArray();
      double[] ohwi = new double[hwio.length];
      int ic = in.c();
      for (int ky = 0; ky < kernel; ky++) {
        for (int kx = 0; kx < kernel; kx++) {
          for (int i = 0; i < ic; i++) {
            for (int o = 0; o < oc; o++) {
              ohwi[((o * kernel + ky) * kernel + kx) * ic + i] =
                  hwio[((ky * kernel + kx) * ic + i) * oc + o];
            }
          }
        }
      }
      FloatLayer layer =
          FloatLayer.conv(
              prefix,
              input,
              in,
              oc,
              kernel,
              stride,
              ImmutableDoubleArray.copyOf(ohwi),
              b.values(),
              activation);
      layers.add(layer);
      return layer;
    }

    /** A 3x3 depthwise layer [3, 3, C, 1] with its unfolded BatchNorm and ReLU6. */
    private FloatLayer depthwise(String prefix, FloatLayer input, int stride)
        throws InputFileException {
      int c = input.outputChannels();
      WeightTensor f = w.tensor(prefix + "/depthwise_weights");
      expectShape(f, new int[] {3, 3, c, 1}, "depthwise filter [KH, KW, C, multiplier 1]");
      BatchNorm bn =
          new BatchNorm(
              vector(prefix + "/BatchNorm/gamma", c),
              vector(prefix + "/BatchNorm/beta", c),
              vector(prefix + "/BatchNorm/moving_mean", c),
              vector(prefix + "/BatchNorm/moving_variance", c),
              BatchNorm.TF_EPSILON);
      // [3, 3, C, 1] and [KH, KW, C] are the same bytes in the same order.
      FloatLayer layer =
          FloatLayer.depthwise(
              prefix,
              input.name(),
              input.outputShape(),
              3,
              stride,
              f.values(),
              null,
              bn,
              Activation.RELU6);
      layers.add(layer);
      return layer;
    }

    private ImmutableDoubleArray vector(String name, int n) throws InputFileException {
      WeightTensor t = w.tensor(name);
      expectShape(t, new int[] {n}, "one value per channel");
      return t.values();
    }

    private void checkChannels(FloatLayer layer, int expected) throws InputFileException {
      if (layer.outputChannels() != expected) {
        throw new InputFileException(
            String.format(
                "%s: tensor '%s/weights' has %d output channels, expected %d (MODEL.md: %s)",
                w.manifestName(),
                layer.name(),
                layer.outputChannels(),
                expected,
                "4 box numbers and 3 class logits per anchor, 3 anchors per cell for j=0, 6 after"));
      }
    }

    /** Checks a tensor's shape; -1 in {@code expected} matches any size. */
    private void expectShape(WeightTensor t, int[] expected, String what)
        throws InputFileException {
      boolean ok = t.shape().length() == expected.length;
      for (int d = 0; ok && d < expected.length; d++) {
        ok = expected[d] < 0 || t.shape().get(d) == expected[d];
      }
      if (!ok) {
        StringBuilder e = new StringBuilder("[");
        for (int d = 0; d < expected.length; d++) {
          e.append(d > 0 ? ", " : "").append(expected[d] < 0 ? "*" : String.valueOf(expected[d]));
        }
        throw new InputFileException(
            String.format(
                "%s: tensor '%s' has shape %s, expected %s (%s)",
                w.manifestName(), t.name(), t.shapeText(), e.append("]"), what));
      }
    }
  }
}
