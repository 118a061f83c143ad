package dev.npusim.analysis.network;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.golden.reference.AddReference;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.golden.reference.PoolingReference;
import dev.npusim.golden.reference.SoftmaxReference;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Padding;
import dev.npusim.kernels.quant.QuantizedMultiplier;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.OperatorOptions;
import dev.npusim.models.tflite.PaddingMode;
import dev.npusim.models.tflite.TfliteLayers;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;

/**
 * An imported int8 TFLite model lowered, operator by operator, to the golden integer references:
 * convolutions and fully-connected layers to {@link IntegerReference} through {@link
 * TfliteLayers#quantizedLayer}, pooling, ADD and SOFTMAX to their own references with the constants
 * TFLite's {@code Prepare} derives, RESHAPE and SQUEEZE to copies (NHWC data is already in the
 * order the new shape reads). It runs a whole network or a single operator on given inputs.
 */
public final class ReferenceNetwork {
  /** One operator, lowered: what the runner calls for it. */
  public sealed interface Step {
    /** CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED. */
    record Layer(QuantizedLayer layer) implements Step {}

    record AveragePool(PoolingReference.Parameters parameters) implements Step {}

    record MaxPool(PoolingReference.Parameters parameters) implements Step {}

    /**
     * ADD, its inputs' shapes as the model gives them (a scalar as {@code [1]}): the reference
     * broadcasts them itself.
     */
    record Add(
        AddReference.Parameters parameters, ImmutableIntArray shape1, ImmutableIntArray shape2)
        implements Step {}

    record Softmax(SoftmaxReference.Parameters parameters, int depth) implements Step {}

    /** RESHAPE and SQUEEZE: the values unchanged. */
    record Relayout() implements Step {}
  }

  /** The value of every tensor after a run; constants and unused tensors are null. */
  public record Activations(List<ImmutableIntArray> tensors) {
    public Activations {
      tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
    }

    public int[] tensor(int index) {
      ImmutableIntArray t = tensors.get(index);
      return t == null ? null : t.toArray();
    }
  }

  // TFLite's int8 ADD keeps 20 bits of headroom below the int32 range (add.cc, Prepare).
  private static final int ADD_LEFT_SHIFT = 20;

  private final TfliteModel model;
  private final ImmutableList<Step> steps;

  private ReferenceNetwork(TfliteModel model, ImmutableList<Step> steps) {
    this.model = model;
    this.steps = steps;
  }

  /**
   * @throws ModelFormatException if the model is not int8 or an operator does not fit its reference
   */
  public static ReferenceNetwork of(TfliteModel model) {
    model.requireInt8();
    ImmutableList.Builder<Step> steps = ImmutableList.builder();
    for (TfliteOperator op : model.operators()) {
      steps.add(lower(model, op));
    }
    return new ReferenceNetwork(model, steps.build());
  }

  public TfliteModel model() {
    return model;
  }

  public ImmutableList<Step> steps() {
    return steps;
  }

  /** Runs every operator in order on the model's (single) int8 input. */
  public Activations run(int[] input) {
    TfliteTensor in = model.input();
    checkArgument(
        input.length == in.elements(),
        "input has %s values, %s %s holds %s",
        input.length,
        in.label(),
        in.shape(),
        in.elements());
    ImmutableIntArray[] values = new ImmutableIntArray[model.tensors().size()];
    values[in.index()] = ImmutableIntArray.copyOf(input);
    for (TfliteOperator op : model.operators()) {
      int[] out = runOperator(op.index(), i -> values[i] == null ? null : values[i].toArray());
      values[op.output()] = ImmutableIntArray.copyOf(out);
    }
    return new Activations(Arrays.asList(values));
  }

  /**
   * Runs one operator alone, reading its activation inputs from {@code values} (tensor index to
   * values); constants come from the model.
   */
  public int[] runOperator(int index, IntFunction<int[]> values) {
    TfliteOperator op = model.operators().get(index);
    Step step = steps.get(index);
    if (step instanceof Step.Add a) {
      int[] x = TfliteLayers.operand(model, op, 0, values);
      int[] y = TfliteLayers.operand(model, op, 1, values);
      checkArgument(x != null, "%s: input tensor %s has no value", op.label(), op.input(0));
      checkArgument(y != null, "%s: input tensor %s has no value", op.label(), op.input(1));
      return AddReference.add(a.parameters(), a.shape1().toArray(), x, a.shape2().toArray(), y);
    }
    int[] x = values.apply(op.input(0));
    checkArgument(x != null, "%s: input tensor %s has no value", op.label(), op.input(0));
    if (step instanceof Step.Layer l) {
      return IntegerReference.run(l.layer(), ImmutableIntArray.copyOf(x));
    } else if (step instanceof Step.AveragePool p) {
      return PoolingReference.average(p.parameters(), x);
    } else if (step instanceof Step.MaxPool p) {
      return PoolingReference.max(p.parameters(), x);
    } else if (step instanceof Step.Softmax s) {
      return SoftmaxReference.softmax(s.parameters(), x, s.depth());
    }
    return x.clone();
  }

  private static Step lower(TfliteModel model, TfliteOperator op) {
    TfliteTensor output = model.tensor(op.output());
    TfliteTensor input = model.tensor(op.input(0));
    try {
      return switch (op.op()) {
        case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED ->
            new Step.Layer(TfliteLayers.quantizedLayer(model, op));
        case AVERAGE_POOL_2D, MAX_POOL_2D -> {
          sameQuantization(model, op, input, output);
          OperatorOptions.Pool2D o = (OperatorOptions.Pool2D) op.options();
          TensorShape in = TfliteLayers.nhwc(model, op, input);
          TensorShape out = TfliteLayers.nhwc(model, op, output);
          Padding pad =
              o.padding() == PaddingMode.SAME
                  ? Padding.tfSame(
                      in.h(), in.w(), o.filterH(), o.filterW(), o.strideH(), o.strideW())
                  : Padding.NONE;
          int[] range = TfliteLayers.activationRange(output, o.activation());
          PoolingReference.Parameters p =
              new PoolingReference.Parameters(
                  in,
                  out,
                  o.filterH(),
                  o.filterW(),
                  o.strideH(),
                  o.strideW(),
                  pad.top(),
                  pad.left(),
                  range[0],
                  range[1]);
          yield op.op() == dev.npusim.models.tflite.BuiltinOperator.MAX_POOL_2D
              ? new Step.MaxPool(p)
              : new Step.AveragePool(p);
        }
        case ADD -> {
          TfliteLayers.addShapes(model, op); // int8 operands, shapes that broadcast
          TfliteTensor other = model.tensor(op.input(1));
          yield new Step.Add(
              addParameters(model, op, input, other, output), shapeOf(input), shapeOf(other));
        }
        case SOFTMAX -> {
          OperatorOptions.Softmax o = (OperatorOptions.Softmax) op.options();
          if (output.quantization().zeroPoint() != -128
              || output.quantization().scale() != 1f / 256) {
            throw error(model, op, "int8 softmax output must have scale 1/256 and zero point -128");
          }
          int depth = input.dim(input.rank() - 1);
          yield new Step.Softmax(
              softmaxParameters(model, op, o.beta(), input.quantization().scale()), depth);
        }
        case RESHAPE, SQUEEZE -> {
          if (output.elements() != input.elements()) {
            throw error(
                model,
                op,
                "output "
                    + output.shape()
                    + " does not hold the input's "
                    + input.elements()
                    + " values");
          }
          sameQuantization(model, op, input, output);
          yield new Step.Relayout();
        }
      };
    } catch (IllegalArgumentException e) {
      throw error(model, op, e.getMessage());
    }
  }

  /**
   * TFLite's int8 ADD {@code Prepare}: input multipliers {@code scale_i / (2 max(scale_1,
   * scale_2))} and output multiplier {@code 2 max(scale_1, scale_2) / (2^20 scale_out)}, in double
   * (the {@code 2^20 * scale_out} product in float32, as the source multiplies an int by a float).
   */
  static AddReference.Parameters addParameters(
      TfliteModel model, TfliteOperator op, TfliteTensor a, TfliteTensor b, TfliteTensor out) {
    float s1 = a.quantization().scale();
    float s2 = b.quantization().scale();
    float so = out.quantization().scale();
    double twiceMax = 2 * (double) Math.max(s1, s2);
    QuantizedMultiplier m1 = QuantizedMultiplier.of(s1 / twiceMax);
    QuantizedMultiplier m2 = QuantizedMultiplier.of(s2 / twiceMax);
    QuantizedMultiplier mo =
        QuantizedMultiplier.of(twiceMax / (double) ((1 << ADD_LEFT_SHIFT) * so));
    int[] range = TfliteLayers.activationRange(out, TfliteLayers.activation(op.options()));
    return new AddReference.Parameters(
        ADD_LEFT_SHIFT,
        -a.quantization().zeroPoint(),
        m1.multiplier(),
        m1.shift(),
        -b.quantization().zeroPoint(),
        m2.multiplier(),
        m2.shift(),
        out.quantization().zeroPoint(),
        mo.multiplier(),
        mo.shift(),
        range[0],
        range[1]);
  }

  /**
   * TFLite's {@code PreprocessSoftmaxScaling} and {@code CalculateInputRadius} with 5 integer bits:
   * the multiplier of {@code min(beta * input_scale * 2^26, 2^31 - 1)} and {@code diff_min =
   * -floor(31 * 2^26 / 2^left_shift)}.
   */
  static SoftmaxReference.Parameters softmaxParameters(
      TfliteModel model, TfliteOperator op, float beta, float inputScale) {
    int integerBits = 5;
    double real =
        Math.min(
            (double) beta * (double) inputScale * (double) (1L << (31 - integerBits)),
            (1L << 31) - 1.0);
    QuantizedMultiplier m = QuantizedMultiplier.of(real);
    if (m.shift() < 0) {
      throw error(model, op, "beta * input scale " + real + " is too small for the int8 softmax");
    }
    double radius =
        ((1 << integerBits) - 1) * (double) (1L << (31 - integerBits)) / (double) (1L << m.shift());
    return new SoftmaxReference.Parameters(m.multiplier(), m.shift(), -(int) Math.floor(radius));
  }

  /** A tensor's shape, a scalar's as {@code [1]}. */
  private static ImmutableIntArray shapeOf(TfliteTensor t) {
    return t.rank() == 0 ? ImmutableIntArray.of(1) : t.shape();
  }

  private static void sameQuantization(
      TfliteModel model, TfliteOperator op, TfliteTensor in, TfliteTensor out) {
    if (in.quantization().scale() != out.quantization().scale()
        || in.quantization().zeroPoint() != out.quantization().zeroPoint()) {
      throw error(
          model, op, "input and output quantization differ; this operator does not rescale");
    }
  }

  private static ModelFormatException error(TfliteModel model, TfliteOperator op, String message) {
    return new ModelFormatException(model.file(), op.label() + ": " + message);
  }
}
