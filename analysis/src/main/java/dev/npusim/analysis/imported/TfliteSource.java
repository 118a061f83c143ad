package dev.npusim.analysis.imported;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TfliteFloatGraph;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteTensor;
import java.util.HashMap;
import java.util.Map;

/**
 * An imported network as the study's source: the int8 model, whose quantization by the TFLite
 * converter is one pipeline of the study, and its float reference, paired with it by graph
 * position: the float original when given (which npusim's own schemes can then re-quantize, see
 * {@link SchemePipeline}), else the int8 model's own dequantized weights and biases.
 *
 * @param int8 the int8 model
 * @param int8Graph the int8 model in the float IR (dequantized weights), with the layer of each
 *     operator
 * @param reference the float reference every figure is measured against
 * @param referenceName the float original's file, or what stands in for it
 * @param floatOriginal true when {@code reference} is a float original
 */
public record TfliteSource(
    TfliteModel int8,
    TfliteFloatGraph.Imported int8Graph,
    FloatGraph reference,
    String referenceName,
    boolean floatOriginal) {

  public TfliteSource {
    checkArgument(int8 != null && int8Graph != null && reference != null, "a source needs models");
    checkArgument(
        floatOriginal || reference == int8Graph.graph(),
        "%s: without a float original the reference is the int8 model's own graph",
        int8.file());
  }

  /**
   * Pairs an int8 model with its float original by graph position.
   *
   * @param floatOriginal the float original, or null to use the int8 model's dequantized weights
   * @throws AnalysisException when the models are not int8 and float32, or do not pair
   */
  public static TfliteSource of(TfliteModel int8, TfliteModel floatOriginal)
      throws AnalysisException {
    try {
      int8.requireInt8();
      TfliteFloatGraph.Imported int8Graph = TfliteFloatGraph.of(int8);
      if (floatOriginal == null) {
        return new TfliteSource(
            int8,
            int8Graph,
            int8Graph.graph(),
            "the int8 model's dequantized weights and biases (no --float)",
            false);
      }
      if (!floatOriginal.isFloat()) {
        throw new AnalysisException(floatOriginal.file() + ": --float needs a float32 model");
      }
      FloatGraph original = TfliteFloatGraph.of(floatOriginal).graph();
      checkPairs(int8, floatOriginal, int8Graph.graph(), original);
      return new TfliteSource(int8, int8Graph, original, floatOriginal.file(), true);
    } catch (ModelFormatException e) {
      throw new AnalysisException(e.getMessage());
    }
  }

  private static void checkPairs(TfliteModel int8, TfliteModel original, FloatGraph a, FloatGraph b)
      throws AnalysisException {
    if (int8.operators().size() != original.operators().size()) {
      throw new AnalysisException(
          original.file()
              + " has "
              + original.operators().size()
              + " operators, "
              + int8.file()
              + " "
              + int8.operators().size()
              + ": the models do not pair by graph position");
    }
    for (int i = 0; i < a.layers().size(); i++) {
      FloatLayer x = a.layers().get(i);
      FloatLayer y = i < b.layers().size() ? b.layers().get(i) : null;
      if (y == null
          || !x.name().equals(y.name())
          || !x.outputShape().equals(y.outputShape())
          || !x.inputs().equals(y.inputs())) {
        throw new AnalysisException(
            original.file()
                + ": layer "
                + i
                + " is "
                + (y == null ? "missing" : y.name() + " " + y.outputShape())
                + ", "
                + int8.file()
                + " has "
                + x.name()
                + " "
                + x.outputShape()
                + ": the models do not pair by graph position");
      }
    }
  }

  /** The float layer of operator {@code index}. */
  public String layer(int index) {
    return int8Graph.layer(index);
  }

  /**
   * The converter's quantization of each float tensor the int8 model quantizes, by layer name
   * (flatten layers have none).
   */
  public Map<String, QuantParams> quantization() {
    Map<String, QuantParams> out = new HashMap<>();
    out.put(FloatGraph.INPUT, params(int8.input()));
    for (TfliteOperator op : int8.operators()) {
      out.put(layer(op.index()), params(int8.tensor(op.output())));
    }
    return out;
  }

  /** An int8 tensor's quantization. */
  public static QuantParams params(TfliteTensor t) {
    return new QuantParams(t.quantization().scale(), t.quantization().zeroPoint(), DataType.INT8);
  }
}
