package dev.npusim.models.tflite;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.models.tflite.CheckedFlatBuffer.Table;
import dev.npusim.models.tflite.CheckedFlatBuffer.Vector;

/** The builtin options tables of the supported operators, read by the schema's field ids. */
final class OptionsTables {
  private OptionsTables() {}

  static OperatorOptions parse(CheckedFlatBuffer fb, BuiltinOperator op, Table t, String where) {
    return switch (op) {
      case CONV_2D -> {
        require(fb, t, where);
        // Conv2DOptions: padding 0, stride_w 1, stride_h 2, activation 3, dilation_w 4, dilation_h
        // 5.
        yield new OperatorOptions.Conv2D(
            padding(fb, t, 0, where),
            positive(fb, fb.intField(t, 2, "stride_h", 0), "stride_h", where),
            positive(fb, fb.intField(t, 1, "stride_w", 0), "stride_w", where),
            positive(fb, fb.intField(t, 5, "dilation_h_factor", 1), "dilation_h_factor", where),
            positive(fb, fb.intField(t, 4, "dilation_w_factor", 1), "dilation_w_factor", where),
            activation(fb, t, 3, where));
      }
      case DEPTHWISE_CONV_2D -> {
        require(fb, t, where);
        // DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3,
        // activation 4, dilation_w 5, dilation_h 6.
        yield new OperatorOptions.DepthwiseConv2D(
            padding(fb, t, 0, where),
            positive(fb, fb.intField(t, 2, "stride_h", 0), "stride_h", where),
            positive(fb, fb.intField(t, 1, "stride_w", 0), "stride_w", where),
            positive(fb, fb.intField(t, 6, "dilation_h_factor", 1), "dilation_h_factor", where),
            positive(fb, fb.intField(t, 5, "dilation_w_factor", 1), "dilation_w_factor", where),
            positive(fb, fb.intField(t, 3, "depth_multiplier", 0), "depth_multiplier", where),
            activation(fb, t, 4, where));
      }
      case FULLY_CONNECTED -> {
        // FullyConnectedOptions: activation 0, weights_format 1, keep_num_dims 2.
        if (t == null) {
          yield new OperatorOptions.FullyConnected(FusedActivation.NONE, false);
        }
        int format = fb.byteField(t, 1, "weights_format", (byte) 0);
        if (format != 0) {
          throw fb.error(where, "weights_format " + format + " is not supported (only DEFAULT)");
        }
        yield new OperatorOptions.FullyConnected(
            activation(fb, t, 0, where), fb.boolField(t, 2, "keep_num_dims"));
      }
      case AVERAGE_POOL_2D, MAX_POOL_2D -> {
        require(fb, t, where);
        // Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4,
        // activation 5.
        yield new OperatorOptions.Pool2D(
            padding(fb, t, 0, where),
            positive(fb, fb.intField(t, 2, "stride_h", 0), "stride_h", where),
            positive(fb, fb.intField(t, 1, "stride_w", 0), "stride_w", where),
            positive(fb, fb.intField(t, 4, "filter_height", 0), "filter_height", where),
            positive(fb, fb.intField(t, 3, "filter_width", 0), "filter_width", where),
            activation(fb, t, 5, where));
      }
      case ADD ->
          // AddOptions: activation 0.
          new OperatorOptions.Add(t == null ? FusedActivation.NONE : activation(fb, t, 0, where));
      case RESHAPE -> {
        // ReshapeOptions: new_shape 0.
        Vector v = t == null ? null : fb.vectorField(t, 0, "new_shape", 4);
        yield new OperatorOptions.Reshape(
            v == null ? ImmutableIntArray.of() : ImmutableIntArray.copyOf(fb.ints(v)));
      }
      case SQUEEZE -> {
        // SqueezeOptions: squeeze_dims 0.
        Vector v = t == null ? null : fb.vectorField(t, 0, "squeeze_dims", 4);
        yield new OperatorOptions.Squeeze(
            v == null ? ImmutableIntArray.of() : ImmutableIntArray.copyOf(fb.ints(v)));
      }
      case SOFTMAX -> {
        require(fb, t, where);
        // SoftmaxOptions: beta 0.
        float beta = fb.floatField(t, 0, "beta", 0f);
        if (!(Float.isFinite(beta) && beta > 0)) {
          throw fb.error(where, "softmax beta " + beta + " must be finite and positive");
        }
        yield new OperatorOptions.Softmax(beta);
      }
    };
  }

  private static void require(CheckedFlatBuffer fb, Table t, String where) {
    if (t == null) {
      throw fb.error(where, "has no builtin options");
    }
  }

  private static int positive(CheckedFlatBuffer fb, int value, String name, String where) {
    if (value <= 0) {
      throw fb.error(where, name + " " + value + " must be positive");
    }
    return value;
  }

  private static PaddingMode padding(CheckedFlatBuffer fb, Table t, int id, String where) {
    int code = fb.byteField(t, id, "padding", (byte) 0);
    PaddingMode p = PaddingMode.ofCode(code);
    if (p == null) {
      throw fb.error(where, "padding " + code + " is neither SAME (0) nor VALID (1)");
    }
    return p;
  }

  private static FusedActivation activation(CheckedFlatBuffer fb, Table t, int id, String where) {
    int code = fb.byteField(t, id, "fused_activation_function", (byte) 0);
    FusedActivation a = FusedActivation.ofCode(code);
    if (a == null) {
      throw fb.error(
          where,
          "fused activation " + code + " is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)");
    }
    return a;
  }
}
