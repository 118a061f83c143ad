package dev.npusim.models.tflite;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Padding;
import dev.npusim.kernels.quant.QuantizedMultiplier;

/**
 * The integer constants TFLite's {@code Prepare} step derives from an int8 operator's scales, and
 * the one conversion of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED into a {@link
 * QuantizedLayer} (the project's layer record, which the integer reference and the compiler take).
 */
public final class TfliteLayers {
  private TfliteLayers() {}

  /**
   * The {@link QuantizedLayer} of an int8 CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED operator:
   * per-channel (or per-tensor) multiplier and shift from {@code input_scale * filter_scale[c] /
   * output_scale} in double, as TFLite's {@code PopulateConvolutionQuantizationParams}; SAME
   * padding made explicit; the fused activation as a clamp.
   *
   * @throws ModelFormatException naming the operator when its tensors do not fit
   */
  public static QuantizedLayer quantizedLayer(TfliteModel model, TfliteOperator op) {
    if (op.inputs().length() < 2 || op.input(0) < 0 || op.input(1) < 0) {
      throw error(model, op, "needs an input and a filter tensor, has inputs " + op.inputs());
    }
    TfliteTensor input = int8(model, op, op.input(0), "input");
    TfliteTensor filter = int8(model, op, op.input(1), "filter");
    TfliteTensor output = int8(model, op, op.output(), "output");
    checkShapes(model, op, input, filter, output);
    if (!filter.isConstant()) {
      throw error(model, op, "filter " + filter.label() + " is not a constant");
    }
    int outChannels = output.dim(output.rank() - 1);
    TfliteTensor bias = bias(model, op, outChannels);
    Quantization fq = filter.quantization();
    checkFilterQuantization(model, op, filter, outChannels);
    QuantizedMultiplier[] multipliers =
        multipliers(model, op, input.quantization().scale(), fq, output.quantization().scale());
    int[] range = activationRange(output, activation(op.options()));
    Int8Constants constants =
        new Int8Constants(
            input.quantization().zeroPoint(),
            fq,
            output.quantization().zeroPoint(),
            range,
            ImmutableIntArray.copyOf(filter.intData()),
            bias == null ? null : ImmutableIntArray.copyOf(bias.intData()),
            q31(multipliers));
    try {
      return switch (op.op()) {
        case CONV_2D, DEPTHWISE_CONV_2D -> convolution(model, op, input, filter, output, constants);
        case FULLY_CONNECTED ->
            fullyConnected(model, op, input, filter, output, outChannels, constants);
        default -> throw error(model, op, "is not a convolution or fully-connected layer");
      };
    } catch (IllegalArgumentException e) {
      throw error(model, op, e.getMessage());
    }
  }

  /** The optional bias tensor, checked to be a constant int32 vector of one value per channel. */
  private static TfliteTensor bias(TfliteModel model, TfliteOperator op, int outChannels) {
    TfliteTensor bias =
        op.inputs().length() > 2 && op.input(2) >= 0 ? model.tensor(op.input(2)) : null;
    if (bias != null
        && (bias.type() != TensorType.INT32
            || !bias.isConstant()
            || bias.elements() != outChannels)) {
      throw error(
          model,
          op,
          "bias "
              + bias.label()
              + " must be a constant int32 vector of "
              + outChannels
              + " values, is "
              + bias.type()
              + bias.shape());
    }
    return bias;
  }

  /**
   * Checks the filter's quantization is what the integer kernels take: one scale per output channel
   * (or one), along the output-channel axis, and zero points all 0.
   */
  private static void checkFilterQuantization(
      TfliteModel model, TfliteOperator op, TfliteTensor filter, int outChannels) {
    Quantization fq = filter.quantization();
    if (fq.perChannel() && fq.scales().length() != outChannels) {
      throw error(
          model,
          op,
          "filter has " + fq.scales().length() + " scales for " + outChannels + " output channels");
    }
    int channelAxis = ConvolutionOptions.channelAxis(op.op());
    if (fq.perChannel() && fq.quantizedDimension() != channelAxis) {
      throw error(
          model,
          op,
          "filter "
              + filter.label()
              + " is quantized along dimension "
              + fq.quantizedDimension()
              + ", expected the output-channel dimension "
              + channelAxis);
    }
    for (int c = 0; c < fq.zeroPoints().length(); c++) {
      if (fq.zeroPoint(c) != 0) {
        throw error(
            model, op, "int8 filter zero point[" + c + "] is " + fq.zeroPoint(c) + ", not 0");
      }
    }
  }

  /**
   * Each filter scale's {@code input_scale * filter_scale[c] / output_scale} as a Q31 multiplier.
   */
  private static QuantizedMultiplier[] multipliers(
      TfliteModel model, TfliteOperator op, float inputScale, Quantization fq, float outputScale) {
    QuantizedMultiplier[] multipliers = new QuantizedMultiplier[fq.scales().length()];
    for (int c = 0; c < multipliers.length; c++) {
      double effective = (double) inputScale * (double) fq.scale(c) / (double) outputScale;
      try {
        multipliers[c] = QuantizedMultiplier.of(effective);
      } catch (IllegalArgumentException e) {
        // A multiplier of 2^30 or more has no Q31 form (found by TfliteReaderFuzzTest).
        throw error(
            model,
            op,
            "effective scale input_scale * filter_scale["
                + c
                + "] / output_scale = "
                + effective
                + " is out of range: "
                + e.getMessage());
      }
    }
    return multipliers;
  }

  private static Requantization.Q31 q31(QuantizedMultiplier[] multipliers) {
    int[] m = new int[multipliers.length];
    int[] shifts = new int[multipliers.length];
    for (int c = 0; c < multipliers.length; c++) {
      m[c] = multipliers[c].multiplier();
      shifts[c] = multipliers[c].shift();
    }
    return new Requantization.Q31(ImmutableIntArray.copyOf(m), ImmutableIntArray.copyOf(shifts));
  }

  private static QuantizedLayer convolution(
      TfliteModel model,
      TfliteOperator op,
      TfliteTensor input,
      TfliteTensor filter,
      TfliteTensor output,
      Int8Constants constants) {
    TensorShape in = nhwc(model, op, input);
    TensorShape out = nhwc(model, op, output);
    int kh = filter.dim(1);
    int kw = filter.dim(2);
    ConvolutionOptions o = ConvolutionOptions.of(op);
    int multiplier = o.kind() == LayerKind.DEPTHWISE_CONV2D ? out.c() / in.c() : 1;
    Padding pad =
        o.padding() == PaddingMode.SAME
            ? Padding.tfSame(
                in.h(), in.w(), kh, kw, o.strideH(), o.strideW(), o.dilationH(), o.dilationW())
            : Padding.NONE;
    return constants.layer(
        o.kind(),
        in,
        out,
        kh,
        kw,
        o.strideH(),
        o.strideW(),
        o.dilationH(),
        o.dilationW(),
        pad,
        multiplier);
  }

  private static QuantizedLayer fullyConnected(
      TfliteModel model,
      TfliteOperator op,
      TfliteTensor input,
      TfliteTensor filter,
      TfliteTensor output,
      int outChannels,
      Int8Constants constants) {
    int ic = filter.dim(1);
    long batch = input.elements() / ic;
    if (filter.rank() != 2
        || input.elements() % ic != 0
        || output.elements() != batch * outChannels) {
      throw error(
          model,
          op,
          "input "
              + input.shape()
              + ", filter "
              + filter.shape()
              + " and output "
              + output.shape()
              + " do not fit a fully-connected layer");
    }
    TensorShape in = new TensorShape((int) batch, 1, 1, ic);
    TensorShape out = new TensorShape((int) batch, 1, 1, outChannels);
    return constants.layer(LayerKind.FULLY_CONNECTED, in, out, 1, 1, 1, 1, 1, 1, Padding.NONE, 1);
  }

  /** What an int8 layer takes from its tensors' quantization and constants, whatever its kind. */
  private record Int8Constants(
      int zx,
      Quantization fq,
      int zo,
      int[] range,
      ImmutableIntArray filter,
      ImmutableIntArray bias,
      Requantization.Q31 requant) {

    QuantizedLayer layer(
        LayerKind kind,
        TensorShape in,
        TensorShape out,
        int kh,
        int kw,
        int sh,
        int sw,
        int dh,
        int dw,
        Padding pad,
        int depthMultiplier) {
      int[] filterZeroPoints = new int[fq.zeroPoints().length()];
      for (int i = 0; i < filterZeroPoints.length; i++) {
        filterZeroPoints[i] = fq.zeroPoint(i);
      }
      return QuantizedLayer.builder(kind, Semantics.TFLITE_INT8)
          .input(in)
          .output(out)
          .kernel(kh, kw)
          .stride(sh, sw)
          .dilation(dh, dw)
          .padding(pad)
          .depthMultiplier(depthMultiplier)
          .types(DataType.INT8, DataType.INT8, DataType.INT8)
          .inputZeroPoint(zx)
          .filterZeroPoints(ImmutableIntArray.copyOf(filterZeroPoints))
          .outputZeroPoint(zo)
          .activation(range[0], range[1])
          .filter(filter)
          .bias(bias)
          .requant(requant)
          .build();
    }
  }

  /** ADD broadcasts shapes of up to this rank, as TFLite's {@code BroadcastAdd4DSlow}. */
  public static final int ADD_MAX_RANK = 4;

  /**
   * An int8 ADD's operands checked: both inputs int8 and quantized, activations or constants (a
   * constant is a tensor with a buffer: a per-channel offset, a scalar), ranks 0 to {@link
   * #ADD_MAX_RANK}, and shapes that broadcast as numpy does (aligned at the last dimension; in each
   * dimension the sizes are equal or one is 1) to the output's shape.
   *
   * @return the inputs' shapes extended to the output's rank (at least 1) with leading 1s, then the
   *     output's: {@code {input1, input2, output}}, outermost dimension first
   * @throws ModelFormatException naming the operator, the tensors and the first dimension at fault
   */
  public static int[][] addShapes(TfliteModel model, TfliteOperator op) {
    int8(model, op, op.input(0), "input 1");
    int8(model, op, op.input(1), "input 2");
    int8(model, op, op.output(), "output");
    return broadcastShapes(model, op);
  }

  /**
   * {@link #addShapes} without the int8 checks, for an ADD of any type (a float original's, read
   * into the float IR): ranks, broadcasting and the output's shape only.
   */
  public static int[][] broadcastShapes(TfliteModel model, TfliteOperator op) {
    TfliteTensor a = model.tensor(op.input(0));
    TfliteTensor b = model.tensor(op.input(1));
    TfliteTensor out = model.tensor(op.output());
    int rank = Math.max(1, out.rank());
    for (TfliteTensor t : new TfliteTensor[] {a, b, out}) {
      if (t.rank() > ADD_MAX_RANK) {
        throw error(
            model,
            op,
            t.label()
                + " has shape "
                + t.shape()
                + ": ADD broadcasts shapes of rank up to "
                + ADD_MAX_RANK);
      }
      for (int d = 0; d < t.rank(); d++) {
        if (t.dim(d) < 1) {
          throw error(model, op, t.label() + " has shape " + t.shape() + ": an empty dimension");
        }
      }
    }
    int[] ea = extended(a, rank);
    int[] eb = extended(b, rank);
    int[] eo = extended(out, rank);
    if (ea == null || eb == null) {
      TfliteTensor longer = ea == null ? a : b;
      throw error(
          model,
          op,
          longer.label()
              + " has shape "
              + longer.shape()
              + ", of higher rank than output "
              + out.label()
              + " "
              + out.shape());
    }
    for (int d = 0; d < rank; d++) {
      if (ea[d] != eb[d] && ea[d] != 1 && eb[d] != 1) {
        throw error(
            model,
            op,
            "inputs "
                + a.label()
                + " "
                + a.shape()
                + " and "
                + b.label()
                + " "
                + b.shape()
                + " do not broadcast: dimension "
                + d
                + " of the rank-"
                + rank
                + " shapes is "
                + ea[d]
                + " and "
                + eb[d]
                + ", and neither is 1");
      }
      if (Math.max(ea[d], eb[d]) != eo[d]) {
        throw error(
            model,
            op,
            "output "
                + out.label()
                + " has shape "
                + out.shape()
                + ", but inputs "
                + a.shape()
                + " and "
                + b.shape()
                + " broadcast to size "
                + Math.max(ea[d], eb[d])
                + " in dimension "
                + d);
      }
    }
    return new int[][] {ea, eb, eo};
  }

  /** A tensor's shape with leading 1s up to {@code rank}; null if it has more dimensions. */
  private static int[] extended(TfliteTensor t, int rank) {
    if (t.rank() > rank) {
      return null;
    }
    int[] d = new int[rank];
    java.util.Arrays.fill(d, 1);
    for (int i = 0; i < t.rank(); i++) {
      d[rank - t.rank() + i] = t.dim(i);
    }
    return d;
  }

  /**
   * A shape of rank 1 to 4 as NHWC, as {@link TfliteFloatGraph#shapeOf} maps activations: {@code
   * [C]} as {@code (1, 1, 1, C)}, {@code [N, C]} as {@code (N, 1, 1, C)}, {@code [N, W, C]} as
   * {@code (N, 1, W, C)}. Shapes of one rank map dimension to dimension, so broadcasting them is
   * broadcasting their NHWC forms.
   */
  public static TensorShape nhwc(int[] shape) {
    return switch (shape.length) {
      case 1 -> new TensorShape(1, 1, 1, shape[0]);
      case 2 -> new TensorShape(shape[0], 1, 1, shape[1]);
      case 3 -> new TensorShape(shape[0], 1, shape[1], shape[2]);
      case 4 -> new TensorShape(shape[0], shape[1], shape[2], shape[3]);
      default -> throw new IllegalArgumentException("rank " + shape.length + " is not 1 to 4");
    };
  }

  /**
   * The values of operand {@code i} of an operator: a constant's from the model, an activation's
   * from {@code values} (tensor index to values; null for a tensor without one).
   */
  public static int[] operand(
      TfliteModel model, TfliteOperator op, int i, java.util.function.IntFunction<int[]> values) {
    TfliteTensor t = model.tensor(op.input(i));
    return t.isConstant() ? t.intData() : values.apply(t.index());
  }

  /** The fused activation of an operator's options (NONE for operators without one). */
  public static FusedActivation activation(OperatorOptions options) {
    if (options instanceof OperatorOptions.Convolution o) {
      return o.activation();
    } else if (options instanceof OperatorOptions.FullyConnected o) {
      return o.activation();
    } else if (options instanceof OperatorOptions.Pool2D o) {
      return o.activation();
    } else if (options instanceof OperatorOptions.Add o) {
      return o.activation();
    }
    return FusedActivation.NONE;
  }

  /**
   * TFLite's {@code CalculateActivationRangeQuantized} for an int8 output: the activation's real
   * bounds quantized with the output's scale and zero point ({@code zp + round(f / scale)}, float32
   * division, half away from zero) and intersected with [-128, 127].
   *
   * @return {min, max}
   */
  public static int[] activationRange(TfliteTensor output, FusedActivation activation) {
    float scale = output.quantization().scale();
    int zp = output.quantization().zeroPoint();
    int min = -128;
    int max = 127;
    if (activation != FusedActivation.NONE) {
      min = Math.max(min, zp + roundHalfAway((float) activation.lower() / scale));
    }
    if (activation == FusedActivation.RELU6 || activation == FusedActivation.RELU_N1_TO_1) {
      max = Math.min(max, zp + roundHalfAway((float) activation.upper() / scale));
    }
    return new int[] {min, max};
  }

  private static int roundHalfAway(float f) {
    double magnitude = Math.floor(Math.abs((double) f) + 0.5);
    return (int) (f < 0 ? -magnitude : magnitude);
  }

  /** The tensor's shape as NHWC (rank 4 required). */
  public static TensorShape nhwc(TfliteModel model, TfliteOperator op, TfliteTensor t) {
    if (t.rank() != 4) {
      throw error(model, op, t.label() + " has shape " + t.shape() + ", expected rank 4 (NHWC)");
    }
    for (int d = 0; d < 4; d++) {
      if (t.dim(d) < 1) {
        // TensorShape would throw IllegalArgumentException (TfliteReaderFuzzTest's third finding).
        throw error(model, op, t.label() + " has shape " + t.shape() + ": an empty dimension");
      }
    }
    return new TensorShape(t.dim(0), t.dim(1), t.dim(2), t.dim(3));
  }

  /**
   * The ranks the conversion indexes (NHWC activations and a rank-4 filter for convolutions, a
   * rank-2 filter for fully connected) and no empty dimension, which would divide by zero. Without
   * this, a fuzzed model reached an index of -1 (TfliteReaderFuzzTest).
   */
  private static void checkShapes(
      TfliteModel model,
      TfliteOperator op,
      TfliteTensor input,
      TfliteTensor filter,
      TfliteTensor output) {
    boolean conv =
        op.op() == BuiltinOperator.CONV_2D || op.op() == BuiltinOperator.DEPTHWISE_CONV_2D;
    if (conv) {
      nhwc(model, op, input);
      nhwc(model, op, output);
    }
    int filterRank = conv ? 4 : 2;
    if (filter.rank() != filterRank) {
      throw error(
          model,
          op,
          "filter "
              + filter.label()
              + " has shape "
              + filter.shape()
              + ", expected rank "
              + filterRank);
    }
    for (TfliteTensor t : new TfliteTensor[] {input, filter, output}) {
      if (t.rank() < 1) {
        throw error(model, op, t.label() + " is a scalar, expected a tensor");
      }
      for (int d = 0; d < t.rank(); d++) {
        if (t.dim(d) < 1) {
          throw error(model, op, t.label() + " has shape " + t.shape() + ": an empty dimension");
        }
      }
    }
    boolean optionsFit =
        switch (op.op()) {
          case CONV_2D -> op.options() instanceof OperatorOptions.Conv2D;
          case DEPTHWISE_CONV_2D -> op.options() instanceof OperatorOptions.DepthwiseConv2D;
          default -> true;
        };
    if (!optionsFit) {
      throw error(model, op, "has options " + op.options() + ", not the operator's own");
    }
  }

  private static TfliteTensor int8(TfliteModel model, TfliteOperator op, int index, String role) {
    TfliteTensor t = model.tensor(index);
    if (t.type() != TensorType.INT8 || t.quantization() == null) {
      throw error(
          model,
          op,
          role
              + " "
              + t.label()
              + " is "
              + t.type()
              + (t.quantization() == null ? " without quantization" : "")
              + "; an int8 model is needed here");
    }
    return t;
  }

  static ModelFormatException error(TfliteModel model, TfliteOperator op, String message) {
    return new ModelFormatException(model.file(), op.label() + ": " + message);
  }
}
