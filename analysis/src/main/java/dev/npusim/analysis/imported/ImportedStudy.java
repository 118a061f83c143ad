package dev.npusim.analysis.imported;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.golden.reference.ExactRequantReference;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TfliteFloatGraph;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteTensor;
import dev.npusim.models.tflite.Top1Head;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-layer quantization study on an imported int8 TFLite network, in named stages:
 *
 * <ol>
 *   <li>{@link #pair}: the float reference (the float original, or the int8 model's dequantized
 *       weights) paired with the int8 model by graph position;
 *   <li>{@link #floatPass}: the float reference, the weights-only network (the int8 model's
 *       dequantized weights) and the activations-only network (float weights, every tensor rounded
 *       to the int8 model's quantization) on each input;
 *   <li>{@link #simulate}: the int8 model on the simulator, operator by operator, cumulatively and
 *       each operator isolated on the float reference's input quantized;
 *   <li>aggregate: SQNR sums per operator and the top-1 head per pipeline ({@link Top1Head});
 *       npusim's own schemes on the float original ({@link SchemePipeline}).
 * </ol>
 */
public final class ImportedStudy {
  private ImportedStudy() {}

  /** The int8 model and its float reference, paired operator by operator. */
  public record Pairing(
      TfliteModel int8,
      TfliteFloatGraph.Imported int8Graph,
      FloatGraph reference,
      String referenceName,
      boolean floatOriginal) {}

  /** Per-operator sums over inputs. */
  private static final class LayerSums {
    final Sqnr cumulative = new Sqnr();
    final Sqnr isolated = new Sqnr();
    final Sqnr weightsOnly = new Sqnr();
    final Sqnr activationsOnly = new Sqnr();
    double roundingSum;
    double roundingSquares;
    long roundingCount;
    long outputs;
    long saturated;
    long clamped;
    long overflows;
    int bits = -1;
    long cycles;
  }

  /**
   * @param floatOriginal the float original, or null to use the int8 model's dequantized weights
   * @throws AnalysisException when the two models do not pair, or an operator does not compile
   */
  public static ImportedStudyResult run(
      TfliteModel int8,
      TfliteModel floatOriginal,
      List<ModelInput> inputs,
      MachineConfig machine,
      List<QuantScheme> schemes)
      throws AnalysisException {
    Pairing pairing = pair(int8, floatOriginal);
    SimulatedNetwork compiled;
    try {
      compiled = SimulatedNetwork.compile(int8, machine);
    } catch (ModelFormatException e) {
      throw new AnalysisException(e.getMessage());
    }
    List<TfliteOperator> ops = int8.operators();
    List<LayerSums> sums = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      sums.add(new LayerSums());
    }
    Sqnr outputSqnr = new Sqnr();
    int agree = 0;
    List<FloatActivations> references = new ArrayList<>();
    for (ModelInput input : inputs) {
      FloatPass f = floatPass(pairing, input.values());
      references.add(f.reference());
      double[] simulatedOutput = simulate(pairing, compiled, f, sums);
      double[] floatOutput = f.reference().get(pairing.reference().last().name()).toArray();
      for (int i = 0; i < floatOutput.length; i++) {
        outputSqnr.add(floatOutput[i], simulatedOutput[i]);
      }
      agree += Top1Head.top1(simulatedOutput) == Top1Head.top1(floatOutput) ? 1 : 0;
    }
    List<ImportedStudyResult.Layer> layers = layers(pairing, compiled, sums);
    List<ImportedStudyResult.Pipeline> pipelines = new ArrayList<>();
    pipelines.add(
        new ImportedStudyResult.Pipeline(
            "tflite-int8",
            "the TFLite converter's int8 model, on the simulator",
            agree,
            inputs.size(),
            outputSqnr.db(),
            layers.stream().map(ImportedStudyResult.Layer::sqnrCumulativeDb).toList(),
            layers.stream().mapToLong(ImportedStudyResult.Layer::accumulatorOverflows).sum(),
            0));
    List<String> operatorLayers = layers.stream().map(ImportedStudyResult.Layer::name).toList();
    for (QuantScheme scheme : schemes) {
      pipelines.add(
          SchemePipeline.evaluate(
              pairing.reference(), operatorLayers, scheme, inputs, references, machine));
    }
    return new ImportedStudyResult(
        int8.file(),
        pairing.referenceName(),
        machine.name(),
        inputs.stream().map(ModelInput::name).toList(),
        layers,
        pipelines,
        notes(pairing));
  }

  /** Stage 0: the float reference, paired with the int8 model by graph position. */
  public static Pairing pair(TfliteModel int8, TfliteModel floatOriginal) throws AnalysisException {
    try {
      int8.requireInt8();
      TfliteFloatGraph.Imported int8Graph = TfliteFloatGraph.of(int8);
      if (floatOriginal == null) {
        return new Pairing(
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
      return new Pairing(int8, int8Graph, original, floatOriginal.file(), true);
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

  /** Stage 1's results on one input. */
  record FloatPass(
      FloatActivations reference,
      FloatActivations weightsOnly,
      Map<String, FloatTensor> activationsOnly) {}

  /** Stage 1: the float passes on one input. */
  static FloatPass floatPass(Pairing p, FloatTensor input) {
    FloatActivations reference = new FloatGraphExecutor(p.reference()).run(input);
    FloatActivations weightsOnly =
        p.floatOriginal() ? new FloatGraphExecutor(p.int8Graph().graph()).run(input) : reference;
    // Activations only: float weights, every tensor rounded to the int8 model's quantization.
    Map<String, QuantParams> quant = tensorQuantization(p);
    FloatGraphExecutor executor = new FloatGraphExecutor(p.reference());
    Map<String, FloatTensor> rounded = new HashMap<>();
    rounded.put(FloatGraph.INPUT, fakeQuantize(input, quant.get(FloatGraph.INPUT)));
    for (FloatLayer layer : p.reference().layers()) {
      FloatTensor out =
          layer.secondInput() == null
              ? executor.runLayer(layer.name(), rounded.get(layer.input()))
              : executor.runLayer(
                  layer.name(), rounded.get(layer.input()), rounded.get(layer.secondInput()));
      rounded.put(layer.name(), fakeQuantize(out, quant.get(layer.name())));
    }
    return new FloatPass(reference, weightsOnly, rounded);
  }

  /** Quantization of each float tensor the int8 model quantizes (flatten layers have none). */
  static Map<String, QuantParams> tensorQuantization(Pairing p) {
    Map<String, QuantParams> out = new HashMap<>();
    out.put(FloatGraph.INPUT, params(p.int8().input()));
    for (TfliteOperator op : p.int8().operators()) {
      out.put(p.int8Graph().layer(op.index()), params(p.int8().tensor(op.output())));
    }
    return out;
  }

  static QuantParams params(TfliteTensor t) {
    return new QuantParams(t.quantization().scale(), t.quantization().zeroPoint(), DataType.INT8);
  }

  private static FloatTensor fakeQuantize(FloatTensor t, QuantParams q) {
    if (q == null) {
      return t;
    }
    double[] v = t.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = q.dequantize(q.quantize(v[i]));
    }
    return FloatTensor.adopt(t.shape(), v);
  }

  static int[] quantize(FloatTensor t, QuantParams q) {
    int[] out = new int[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = q.quantize(t.get(i));
    }
    return out;
  }

  /**
   * Stage 3: the int8 model on the simulator on one input, cumulatively and each operator isolated;
   * adds to the per-operator sums.
   *
   * @return the network output, dequantized
   */
  static double[] simulate(Pairing p, SimulatedNetwork compiled, FloatPass f, List<LayerSums> sums)
      throws AnalysisException {
    TfliteModel model = p.int8();
    Map<Integer, String> layerOfTensor = new HashMap<>();
    layerOfTensor.put(model.input().index(), FloatGraph.INPUT);
    for (TfliteOperator op : model.operators()) {
      layerOfTensor.put(op.output(), p.int8Graph().layer(op.index()));
    }
    int[][] values = new int[model.tensors().size()][];
    values[model.input().index()] =
        quantize(f.reference().get(FloatGraph.INPUT), params(model.input()));
    double[] last = null;
    for (TfliteOperator op : model.operators()) {
      String name = p.int8Graph().layer(op.index());
      QuantParams out = params(model.tensor(op.output()));
      FloatTensor ref = f.reference().get(name);
      LayerSums s = sums.get(op.index());
      SimulatedNetwork.OperatorRun run = compiled.runOperator(op.index(), i -> values[i]);
      values[op.output()] = run.output();
      count(s, run, compiled.reference().steps().get(op.index()), i -> values[i], op);
      // Isolated: this operator alone on the float reference's input, quantized.
      SimulatedNetwork.OperatorRun isolated =
          compiled.runOperator(
              op.index(),
              i -> quantize(f.reference().get(layerOfTensor.get(i)), params(model.tensor(i))));
      add(s.isolated, ref, isolated.output(), out);
      add(s.cumulative, ref, values[op.output()], out);
      s.saturated += outOfRange(ref, out);
      FloatTensor weights = f.weightsOnly().get(name);
      for (int i = 0; i < ref.size(); i++) {
        s.weightsOnly.add(ref.get(i), weights.get(i));
      }
      FloatTensor acts = f.activationsOnly().get(name);
      for (int i = 0; i < ref.size(); i++) {
        s.activationsOnly.add(ref.get(i), acts.get(i));
      }
      last = new double[values[op.output()].length];
      for (int i = 0; i < last.length; i++) {
        last[i] = out.dequantize(values[op.output()][i]);
      }
    }
    return last;
  }

  /**
   * Float reference values beyond the output tensor's representable range by more than half an LSB:
   * what the 8-bit range cuts off that the float network keeps.
   */
  private static long outOfRange(FloatTensor ref, QuantParams q) {
    double lo = q.dequantize(q.type().min()) - q.scale() / 2;
    double hi = q.dequantize(q.type().max()) + q.scale() / 2;
    long n = 0;
    for (int i = 0; i < ref.size(); i++) {
      n += ref.get(i) < lo || ref.get(i) > hi ? 1 : 0;
    }
    return n;
  }

  private static void add(Sqnr s, FloatTensor ref, int[] q, QuantParams params) {
    for (int i = 0; i < q.length; i++) {
      s.add(ref.get(i), params.dequantize(q[i]));
    }
  }

  /** Counters of one cumulative run; rounding against the exact requantization for layers. */
  private static void count(
      LayerSums s,
      SimulatedNetwork.OperatorRun run,
      ReferenceNetwork.Step step,
      java.util.function.IntFunction<int[]> values,
      TfliteOperator op) {
    int[] q = run.output();
    s.outputs += q.length;
    if (run.layer().counters().isEmpty()) {
      return;
    }
    RunResult counters = run.layer().counters().get();
    s.clamped += counters.outputSaturations() + counters.clampHits();
    s.overflows += counters.accumulatorOverflows();
    s.bits = Math.max(s.bits, counters.accumulatorBitsNeeded());
    s.cycles = counters.cycles();
    if (step instanceof ReferenceNetwork.Step.Layer l) {
      QuantizedLayer layer = l.layer();
      double[] exact =
          ExactRequantReference.unclamped(
              layer, ImmutableIntArray.copyOf(values.apply(op.input(0))));
      for (int i = 0; i < q.length; i++) {
        if (exact[i] >= layer.activationMin() && exact[i] <= layer.activationMax()) {
          double e = q[i] - exact[i];
          s.roundingSum += e;
          s.roundingSquares += e * e;
          s.roundingCount++;
        }
      }
    }
  }

  private static List<ImportedStudyResult.Layer> layers(
      Pairing p, SimulatedNetwork compiled, List<LayerSums> sums) {
    List<ImportedStudyResult.Layer> out = new ArrayList<>();
    for (TfliteOperator op : p.int8().operators()) {
      LayerSums s = sums.get(op.index());
      String name = p.int8Graph().layer(op.index());
      boolean host = compiled.placement(op.index()) != SimulatedNetwork.Placement.NPU;
      double n = Math.max(1, s.outputs);
      out.add(
          new ImportedStudyResult.Layer(
              op.index(),
              name,
              op.op().lowerName(),
              host,
              p.int8Graph().graph().layer(name).macs(),
              s.cumulative.db(),
              s.isolated.db(),
              s.weightsOnly.db(),
              s.activationsOnly.db(),
              s.roundingCount == 0 ? Double.NaN : s.roundingSum / s.roundingCount,
              s.roundingCount == 0 ? Double.NaN : Math.sqrt(s.roundingSquares / s.roundingCount),
              s.saturated / n,
              s.clamped / n,
              s.overflows,
              s.bits,
              s.cycles));
    }
    return out;
  }

  private static List<String> notes(Pairing p) {
    List<String> notes = new ArrayList<>(p.int8().notes());
    if (!p.floatOriginal()) {
      notes.add(
          "no --float: the float reference is the int8 model's own dequantized weights, so the"
              + " weights-only SQNR is infinite by construction");
    }
    notes.add("softmax, reshape and squeeze run on the host (integer reference): no NPU cycles");
    return ImmutableList.copyOf(notes);
  }
}
