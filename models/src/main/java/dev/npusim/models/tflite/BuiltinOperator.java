package dev.npusim.models.tflite;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The TFLite builtin operators npusim imports, with their {@code BuiltinOperator} enum values and
 * the {@code BuiltinOptions} union member each one carries (0 where none is needed).
 */
public enum BuiltinOperator {
  ADD(0, 11),
  AVERAGE_POOL_2D(1, 5),
  CONV_2D(3, 1),
  DEPTHWISE_CONV_2D(4, 2),
  FULLY_CONNECTED(9, 8),
  MAX_POOL_2D(17, 5),
  RESHAPE(22, 17),
  SOFTMAX(25, 9),
  SQUEEZE(43, 30);

  private final int code;
  private final int optionsType;

  BuiltinOperator(int code, int optionsType) {
    this.code = code;
    this.optionsType = optionsType;
  }

  public int code() {
    return code;
  }

  /** The {@code BuiltinOptions} union tag of this operator's options table. */
  public int optionsType() {
    return optionsType;
  }

  /** Lower-case name, as in dump file names ({@code conv_2d}). */
  public String lowerName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The supported operator with this code, or null. */
  public static BuiltinOperator ofCode(int code) {
    for (BuiltinOperator op : values()) {
      if (op.code == code) {
        return op;
      }
    }
    return null;
  }

  /** The supported names, comma-separated, for messages. */
  public static String supportedList() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }

  // The schema's first 51 builtin codes and QUANTIZE, for naming what npusim does not support.
  private static final List<String> SCHEMA_NAMES =
      List.of(
          "ADD",
          "AVERAGE_POOL_2D",
          "CONCATENATION",
          "CONV_2D",
          "DEPTHWISE_CONV_2D",
          "DEPTH_TO_SPACE",
          "DEQUANTIZE",
          "EMBEDDING_LOOKUP",
          "FLOOR",
          "FULLY_CONNECTED",
          "HASHTABLE_LOOKUP",
          "L2_NORMALIZATION",
          "L2_POOL_2D",
          "LOCAL_RESPONSE_NORMALIZATION",
          "LOGISTIC",
          "LSH_PROJECTION",
          "LSTM",
          "MAX_POOL_2D",
          "MUL",
          "RELU",
          "RELU_N1_TO_1",
          "RELU6",
          "RESHAPE",
          "RESIZE_BILINEAR",
          "RNN",
          "SOFTMAX",
          "SPACE_TO_DEPTH",
          "SVDF",
          "TANH",
          "CONCAT_EMBEDDINGS",
          "SKIP_GRAM",
          "CALL",
          "CUSTOM",
          "EMBEDDING_LOOKUP_SPARSE",
          "PAD",
          "UNIDIRECTIONAL_SEQUENCE_RNN",
          "GATHER",
          "BATCH_TO_SPACE_ND",
          "SPACE_TO_BATCH_ND",
          "TRANSPOSE",
          "MEAN",
          "SUB",
          "DIV",
          "SQUEEZE",
          "UNIDIRECTIONAL_SEQUENCE_LSTM",
          "STRIDED_SLICE",
          "BIDIRECTIONAL_SEQUENCE_RNN",
          "EXP",
          "TOPK_V2",
          "SPLIT",
          "LOG_SOFTMAX");

  private static final int QUANTIZE = 114;

  /** The schema name of any builtin code ({@code BUILTIN_<n>} beyond the names known here). */
  public static String schemaName(int code) {
    if (code >= 0 && code < SCHEMA_NAMES.size()) {
      return SCHEMA_NAMES.get(code);
    }
    return code == QUANTIZE ? "QUANTIZE" : "BUILTIN_" + code;
  }
}
