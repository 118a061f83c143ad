package dev.npusim.analysis.study;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.ElementMismatch;
import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.golden.reference.ExactRequantReference;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.models.tflite.TensorType;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteTensor;
import dev.npusim.simulator.RunResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Stage 3 of the study on an imported network: the int8 model (the TFLite converter's quantization)
 * on the simulator, operator by operator, on each evaluation input in turn: cumulatively, and each
 * operator isolated on the float reference's input quantized; optionally each operator checked
 * against the integer reference on its own inputs ({@code --check}), and the first input's tensors
 * dumped ({@code --dump}).
 */
final class TfliteSimulateStage {
  /**
   * @param operators per operator, in the model's order
   * @param outputs per evaluation input, the network output through the classifier head
   */
  record Result(List<LayerSums> operators, List<ClassifierHead.Classified> outputs) {}

  private final TfliteSource source;
  private final SimulatedNetwork compiled;
  private final Study.Options o;
  private final ClassifierHead head;
  private final Map<Integer, String> layerOfTensor = new HashMap<>();

  private TfliteSimulateStage(
      TfliteSource source, SimulatedNetwork compiled, Study.Options o, ClassifierHead head) {
    this.source = source;
    this.compiled = compiled;
    this.o = o;
    this.head = head;
    TfliteModel model = source.int8();
    layerOfTensor.put(model.input().index(), FloatGraph.INPUT);
    for (TfliteOperator op : model.operators()) {
      layerOfTensor.put(op.output(), source.layer(op.index()));
    }
  }

  static Result run(
      TfliteSource source,
      SimulatedNetwork compiled,
      Study.Options o,
      ClassifierHead head,
      List<ModelInput> inputs,
      TfliteFloatStage floatStage,
      TfliteFloatStage.Result floats)
      throws AnalysisException {
    TfliteSimulateStage stage = new TfliteSimulateStage(source, compiled, o, head);
    List<LayerSums> sums = new ArrayList<>();
    for (int i = 0; i < source.int8().operators().size(); i++) {
      LayerSums s = new LayerSums();
      s.bitsNeeded = -1; // host work accumulates nothing
      sums.add(s);
    }
    // One input after another, so that every sum adds its elements in input order.
    List<ClassifierHead.Classified> outputs = new ArrayList<>();
    for (int n = 0; n < inputs.size(); n++) {
      TfliteFloatStage.FloatPass f = floatStage.companions(floats.references().get(n));
      double[] simulated = stage.simulate(f, sums, n == 0 && o.dump() != null);
      double[] reference = f.reference().get(source.reference().last().name()).toArray();
      outputs.add(head.classify(inputs.get(n).name(), reference, simulated));
    }
    return new Result(sums, outputs);
  }

  /**
   * The int8 model on the simulator on one input, cumulatively and each operator isolated; adds to
   * the per-operator sums.
   *
   * @return the network output, dequantized
   */
  private double[] simulate(TfliteFloatStage.FloatPass f, List<LayerSums> sums, boolean dump)
      throws AnalysisException {
    TfliteModel model = source.int8();
    int[][] values = new int[model.tensors().size()][];
    values[model.input().index()] =
        SimulateStage.quantize(
            f.reference().get(FloatGraph.INPUT), TfliteSource.params(model.input()));
    double[] last = null;
    for (TfliteOperator op : model.operators()) {
      String name = source.layer(op.index());
      QuantParams out = TfliteSource.params(model.tensor(op.output()));
      FloatTensor ref = f.reference().get(name);
      LayerSums s = sums.get(op.index());
      SimulatedNetwork.OperatorRun run = compiled.runOperator(op.index(), i -> values[i]);
      values[op.output()] = run.output();
      if (o.check()) {
        check(op, i -> values[i]);
      }
      count(s, run, compiled.reference().steps().get(op.index()), i -> values[i], op);
      // Isolated: this operator alone on the float reference's input, quantized.
      SimulatedNetwork.OperatorRun isolated =
          compiled.runOperator(
              op.index(),
              i ->
                  SimulateStage.quantize(
                      f.reference().get(layerOfTensor.get(i)),
                      TfliteSource.params(model.tensor(i))));
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
      o.progress().advance(1, name);
    }
    if (dump) {
      dump(f, values);
    }
    return last;
  }

  /** An operator's simulated output against the integer reference run on the same inputs. */
  private void check(TfliteOperator op, IntFunction<int[]> values) throws AnalysisException {
    int[] expected = compiled.reference().runOperator(op.index(), values);
    ElementMismatch m = ElementMismatch.of(expected, values.apply(op.output()));
    if (m != null) {
      throw new AnalysisException(
          "--check: " + source.int8().file() + ": tflite-int8: " + op.label() + ": " + m);
    }
  }

  /**
   * The first input's tensors: its float values, every layer of the float reference, and every
   * operator's simulated output in the model's own type and shape, named as {@code run-model
   * --dump} names them.
   */
  private void dump(TfliteFloatStage.FloatPass f, int[][] values) throws AnalysisException {
    o.dump().write("input.npy", f.reference().get(FloatGraph.INPUT));
    for (var layer : source.reference().layers()) {
      o.dump().write("float/" + layer.name() + ".npy", f.reference().get(layer.name()));
    }
    TfliteModel model = source.int8();
    for (TfliteOperator op : model.operators()) {
      TfliteTensor t = model.tensor(op.output());
      String file =
          String.format(Locale.ROOT, "tflite-int8/%03d_%s.npy", op.index(), op.op().lowerName());
      o.dump()
          .writeIntegers(
              file, t.shape().toArray(), values[op.output()], t.type() == TensorType.INT32);
    }
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
      IntFunction<int[]> values,
      TfliteOperator op) {
    int[] q = run.output();
    s.outputs += q.length;
    if (run.layer().counters().isEmpty()) {
      return;
    }
    RunResult counters = run.layer().counters().get();
    s.clamped += counters.outputSaturations() + counters.clampHits();
    s.overflows += counters.accumulatorOverflows();
    s.bitsNeeded = Math.max(s.bitsNeeded, counters.accumulatorBitsNeeded());
    s.cycles = counters.cycles();
    if (step instanceof ReferenceNetwork.Step.Layer l) {
      QuantizedLayer layer = l.layer();
      double[] exact =
          ExactRequantReference.unclamped(
              layer, ImmutableIntArray.copyOf(values.apply(op.input(0))));
      s.addRounding(q, exact, layer.activationMin(), layer.activationMax());
    }
  }
}
