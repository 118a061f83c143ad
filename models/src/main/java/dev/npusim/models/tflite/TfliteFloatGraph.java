package dev.npusim.models.tflite;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatOp;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.graph.Padding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An imported TFLite graph as the project's float IR, a {@link FloatGraph} the one {@link
 * dev.npusim.models.graph.FloatGraphExecutor} runs.
 *
 * <ul>
 *   <li>A float32 original is read as it is. A hybrid model ({@code kws_ref_model_float32}: int8
 *       CONV_2D weights under float activations) has those weights dequantized, {@code scale[c] *
 *       (q - zero_point[c])}, which is what TFLite's hybrid kernels compute with.
 *   <li>An int8 model becomes its own float reference: weights and int32 biases dequantized with
 *       their scales, activations left unquantized (float in, float out).
 * </ul>
 *
 * <p>Each operator becomes one layer named {@code NNN_opname} (its index, zero-padded to 3 digits,
 * and TFLite's lower-case builtin name, as {@code run-model --dump} names files), so an int8 model
 * and its float original, which the converter emits with the same operators in the same order, pair
 * up by graph position. A FULLY_CONNECTED whose input is not already {@code (N, 1, 1, IC)} reads it
 * through a flattening reshape named {@code NNN_fully_connected_flatten}, as TFLite flattens it. An
 * ADD's constant operand becomes a constant of the graph ({@link FloatGraph#constants}) named
 * {@code NNN_add_constant1} or {@code NNN_add_constant2}; ADD's operands broadcast.
 */
public final class TfliteFloatGraph {
  private TfliteFloatGraph() {}

  /** The graph and, for each operator index, the layer that computes its output. */
  public record Imported(FloatGraph graph, ImmutableMap<Integer, String> layerOfOperator) {
    /** The layer name of operator {@code index}. */
    public String layer(int index) {
      return layerOfOperator.get(index);
    }
  }

  /** The layer name of an operator: {@code 003_conv_2d}. */
  public static String layerName(TfliteOperator op) {
    return String.format("%03d_%s", op.index(), op.op().lowerName());
  }

  /**
   * @throws ModelFormatException naming the operator whose form the float IR does not take (dilated
   *     or depth-multiplied convolutions, RELU_N1_TO_1, ADD operands that do not broadcast)
   */
  public static Imported of(TfliteModel model) {
    Map<Integer, String> tensorName = new HashMap<>();
    Map<String, TensorShape> shapes = new HashMap<>();
    TfliteTensor in = model.input();
    TensorShape inputShape = shapeOf(model, null, in);
    tensorName.put(in.index(), FloatGraph.INPUT);
    shapes.put(FloatGraph.INPUT, inputShape);
    List<FloatLayer> layers = new ArrayList<>();
    Map<String, FloatTensor> constants = new LinkedHashMap<>();
    Map<Integer, String> layerOf = new LinkedHashMap<>();
    for (TfliteOperator op : model.operators()) {
      String name = layerName(op);
      String input = tensorName.get(op.input(0));
      if (input == null && op.op() != BuiltinOperator.ADD) {
        throw TfliteLayers.error(
            model, op, "input " + model.tensor(op.input(0)).label() + " has no producer");
      }
      try {
        FloatLayer layer =
            op.op() == BuiltinOperator.ADD
                ? add(model, op, name, shapes, tensorName, constants, layers)
                : layer(model, op, name, input, shapes, layers);
        layers.add(layer);
        shapes.put(name, layer.outputShape());
      } catch (IllegalArgumentException e) {
        throw TfliteLayers.error(model, op, e.getMessage());
      }
      tensorName.put(op.output(), name);
      layerOf.put(op.index(), name);
    }
    try {
      return new Imported(
          new FloatGraph(inputShape, constants, layers), ImmutableMap.copyOf(layerOf));
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(model.file(), e.getMessage());
    }
  }

  /** One operator being imported: its layer name, input layer, shapes and fused activation. */
  private record Site(
      TfliteModel model,
      TfliteOperator op,
      String name,
      String input,
      TensorShape inShape,
      TensorShape outShape,
      Activation act) {}

  private static FloatLayer layer(
      TfliteModel model,
      TfliteOperator op,
      String name,
      String input,
      Map<String, TensorShape> shapes,
      List<FloatLayer> layers) {
    TfliteTensor output = model.tensor(op.output());
    TensorShape inShape = shapes.get(input);
    TensorShape outShape = shapeOf(model, op, output);
    Site s = new Site(model, op, name, input, inShape, outShape, activation(model, op));
    return switch (op.op()) {
      case CONV_2D, DEPTHWISE_CONV_2D -> convolution(s);
      case FULLY_CONNECTED -> fullyConnected(s, layers);
      case AVERAGE_POOL_2D, MAX_POOL_2D -> pool(s);
      case ADD -> throw new IllegalStateException("ADD is imported by add()");
      case RESHAPE, SQUEEZE ->
          pointwise(name, FloatOp.RESHAPE, input, null, inShape, outShape, Activation.NONE, 0);
      case SOFTMAX ->
          pointwise(
              name,
              FloatOp.SOFTMAX,
              input,
              null,
              inShape,
              outShape,
              Activation.NONE,
              ((OperatorOptions.Softmax) op.options()).beta());
    };
  }

  /** CONV_2D or DEPTHWISE_CONV_2D: they differ only in kind and filter channel axis. */
  private static FloatLayer convolution(Site s) {
    ConvolutionOptions o = ConvolutionOptions.of(s.op());
    undilated(s.model(), s.op(), o.dilationH(), o.dilationW());
    TfliteTensor filter = s.model().tensor(s.op().input(1));
    int kh = filter.dim(1);
    int kw = filter.dim(2);
    return new FloatLayer(
        s.name(),
        o.kind(),
        s.input(),
        s.inShape(),
        s.outShape(),
        kh,
        kw,
        o.strideH(),
        o.strideW(),
        padding(o.padding(), s.inShape(), kh, kw, o.strideH(), o.strideW()),
        values(s.model(), s.op(), filter, o.channelAxis()),
        bias(s.model(), s.op()),
        null,
        s.act());
  }

  /**
   * FULLY_CONNECTED over {@code (N, 1, 1, IC)}; any other input shape is first flattened by a
   * reshape layer, added to {@code layers} ahead of this one.
   */
  private static FloatLayer fullyConnected(Site s, List<FloatLayer> layers) {
    TfliteTensor filter = s.model().tensor(s.op().input(1));
    int ic = filter.dim(1);
    int oc = filter.dim(0);
    int batch = (int) (s.inShape().elements() / ic);
    TensorShape flat = new TensorShape(batch, 1, 1, ic);
    String source = s.input();
    if (!s.inShape().equals(flat)) {
      source = s.name() + "_flatten";
      layers.add(
          pointwise(
              source, FloatOp.RESHAPE, s.input(), null, s.inShape(), flat, Activation.NONE, 0));
    }
    return new FloatLayer(
        s.name(),
        LayerKind.FULLY_CONNECTED,
        source,
        flat,
        new TensorShape(batch, 1, 1, oc),
        1,
        1,
        1,
        1,
        Padding.NONE,
        values(s.model(), s.op(), filter, 0),
        bias(s.model(), s.op()),
        null,
        s.act());
  }

  private static FloatLayer pool(Site s) {
    OperatorOptions.Pool2D o = (OperatorOptions.Pool2D) s.op().options();
    return FloatLayer.weightless(
        s.name(),
        s.op().op() == BuiltinOperator.MAX_POOL_2D ? FloatOp.MAX_POOL : FloatOp.AVERAGE_POOL,
        s.input(),
        null,
        s.inShape(),
        s.outShape(),
        o.filterH(),
        o.filterW(),
        o.strideH(),
        o.strideW(),
        padding(o.padding(), s.inShape(), o.filterH(), o.filterW(), o.strideH(), o.strideW()),
        s.act(),
        0);
  }

  /**
   * ADD of two operands, each a computed tensor or a constant with a buffer in the file
   * (dequantized in an int8 model, as stored in a float one), whose shapes broadcast as {@link
   * TfliteLayers#broadcastShapes} checks. A constant becomes a constant of the graph named {@code
   * NNN_add_constantI} (I the operand, 1 or 2). Shapes are aligned at the output's rank first
   * (numpy extends the shorter with leading 1s); a computed operand of a lower rank whose NHWC form
   * differs from its extended one (an {@code [N, C]} beside a rank-3 output) is read through a
   * reshape layer named {@code NNN_add_inputI_reshape}, which keeps the values' order.
   */
  private static FloatLayer add(
      TfliteModel model,
      TfliteOperator op,
      String name,
      Map<String, TensorShape> shapes,
      Map<Integer, String> tensorName,
      Map<String, FloatTensor> constants,
      List<FloatLayer> layers) {
    int[][] extended = TfliteLayers.broadcastShapes(model, op);
    String[] operand = new String[2];
    TensorShape[] shape = new TensorShape[2];
    for (int i = 0; i < 2; i++) {
      TfliteTensor t = model.tensor(op.input(i));
      shape[i] = TfliteLayers.nhwc(extended[i]);
      if (t.isConstant()) {
        operand[i] = name + "_constant" + (i + 1);
        constants.put(operand[i], FloatTensor.copyOf(shape[i], values(model, op, t, 0).toArray()));
        continue;
      }
      operand[i] = tensorName.get(t.index());
      if (operand[i] == null) {
        throw TfliteLayers.error(model, op, "input " + t.label() + " has no producer");
      }
      TensorShape produced = shapes.get(operand[i]);
      if (!produced.equals(shape[i])) {
        String reshape = name + "_input" + (i + 1) + "_reshape";
        layers.add(
            pointwise(
                reshape,
                FloatOp.RESHAPE,
                operand[i],
                null,
                produced,
                shape[i],
                Activation.NONE,
                0));
        shapes.put(reshape, shape[i]);
        operand[i] = reshape;
      }
    }
    TensorShape out = TfliteLayers.nhwc(extended[2]);
    return FloatLayer.add(
        name, operand[0], shape[0], operand[1], shape[1], out, activation(model, op));
  }

  /** A weightless layer with a 1x1 window, stride 1 and no padding. */
  private static FloatLayer pointwise(
      String name,
      FloatOp op,
      String input,
      String second,
      TensorShape inShape,
      TensorShape outShape,
      Activation act,
      double beta) {
    return FloatLayer.weightless(
        name, op, input, second, inShape, outShape, 1, 1, 1, 1, Padding.NONE, act, beta);
  }

  private static void undilated(TfliteModel model, TfliteOperator op, int dh, int dw) {
    if (dh != 1 || dw != 1) {
      throw TfliteLayers.error(model, op, "dilation " + dh + "," + dw + " is not supported");
    }
  }

  private static Padding padding(PaddingMode mode, TensorShape in, int kh, int kw, int sh, int sw) {
    return mode == PaddingMode.SAME ? Padding.tfSame(in.h(), in.w(), kh, kw, sh, sw) : Padding.NONE;
  }

  private static Activation activation(TfliteModel model, TfliteOperator op) {
    return switch (TfliteLayers.activation(op.options())) {
      case NONE -> Activation.NONE;
      case RELU -> Activation.RELU;
      case RELU6 -> Activation.RELU6;
      case RELU_N1_TO_1 ->
          throw TfliteLayers.error(model, op, "fused RELU_N1_TO_1 is not supported in float");
    };
  }

  private static ImmutableDoubleArray bias(TfliteModel model, TfliteOperator op) {
    if (op.inputs().length() <= 2 || op.input(2) < 0) {
      return null;
    }
    // A bias is one-dimensional: its per-channel scales run along its only axis.
    return values(model, op, model.tensor(op.input(2)), 0);
  }

  /**
   * A constant's values as doubles: float32 as stored; an integer tensor dequantized, {@code
   * scale[c] * (q - zero_point[c])} with {@code c} the index along the per-channel axis.
   *
   * @param channelAxis the axis the per-channel scales run along (the file's quantized dimension is
   *     used when it names a real axis, this otherwise)
   */
  static ImmutableDoubleArray values(
      TfliteModel model, TfliteOperator op, TfliteTensor t, int channelAxis) {
    if (!t.isConstant()) {
      throw TfliteLayers.error(model, op, t.label() + " is not a constant");
    }
    if (t.type() == TensorType.FLOAT32) {
      float[] f = t.floatData();
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      return ImmutableDoubleArray.copyOf(d);
    }
    Quantization q = t.quantization();
    if (q == null) {
      throw TfliteLayers.error(model, op, t.label() + " is " + t.type() + " without quantization");
    }
    int axis =
        q.perChannel() && q.quantizedDimension() < t.rank() ? q.quantizedDimension() : channelAxis;
    if (t.rank() == 1) {
      axis = 0;
    }
    int[] raw = t.intData();
    int inner = 1;
    for (int d = axis + 1; d < t.rank(); d++) {
      inner *= t.dim(d);
    }
    int channels = t.rank() == 0 ? 1 : t.dim(axis);
    if (q.perChannel() && q.scales().length() != channels) {
      throw TfliteLayers.error(
          model,
          op,
          t.label() + " has " + q.scales().length() + " scales for " + channels + " channels");
    }
    double[] d = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      int c = q.perChannel() ? (i / inner) % channels : 0;
      d[i] = (double) q.scale(c) * (raw[i] - q.zeroPoint(c));
    }
    return ImmutableDoubleArray.copyOf(d);
  }

  /**
   * An activation tensor's shape as NHWC: rank 4 as is, {@code [N, C]} as {@code (N, 1, 1, C)},
   * {@code [C]} as {@code (1, 1, 1, C)}, {@code [N, W, C]} as {@code (N, 1, W, C)}.
   */
  public static TensorShape shapeOf(TfliteModel model, TfliteOperator op, TfliteTensor t) {
    return switch (t.rank()) {
      case 1 -> new TensorShape(1, 1, 1, t.dim(0));
      case 2 -> new TensorShape(t.dim(0), 1, 1, t.dim(1));
      case 3 -> new TensorShape(t.dim(0), 1, t.dim(1), t.dim(2));
      case 4 -> new TensorShape(t.dim(0), t.dim(1), t.dim(2), t.dim(3));
      default -> {
        String where = op == null ? "model input" : op.label();
        throw new ModelFormatException(
            model.file(), where + ": " + t.label() + " has rank " + t.rank() + ", expected 1 to 4");
      }
    };
  }
}
