package dev.npusim.analysis.imported;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.analysis.engine.Targets;
import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatOp;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.Calibration;
import dev.npusim.kernels.quant.NetworkQuantizer;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedMultiplier;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.tflite.Top1Head;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of npusim's own quantization schemes ({@code tf8}, {@code tf8-dw-per-channel}, {@code
 * int8-per-channel}) applied to an imported float original, calibrated by min/max on the evaluation
 * inputs, compiled and run on the simulator, and scored through the classifier head against the
 * float original.
 *
 * <p>Weighted layers are quantized by {@link NetworkQuantizer#quantizeLayer}; pooling keeps its
 * input's quantization (as TFLite requires) and runs on the NPU's pooling kernel; ADD gets TFLite's
 * {@code Prepare} multipliers from the scheme's scales and runs on the NPU's ADD kernel; reshapes
 * are host copies; SOFTMAX is host work in float on the dequantized input, its output quantized
 * with scale 1/256 and the type's lowest code as zero point (TFLite's fixed output quantization),
 * since the fixed-point int8 softmax has no uint8 (TF8) form here.
 */
final class SchemePipeline {
  private SchemePipeline() {}

  /** One lowered layer of the scheme's network. */
  private sealed interface Step {
    record Layer(CompiledLayer compiled, int biasClamps) implements Step {}

    record Operator(CompiledOperator compiled) implements Step {}

    record Host() implements Step {}
  }

  /**
   * @param operatorLayers the layers whose cumulative SQNR to report, in the study's order
   */
  static ImportedStudyResult.Pipeline evaluate(
      FloatGraph original,
      List<String> operatorLayers,
      QuantScheme scheme,
      List<ModelInput> inputs,
      List<FloatActivations> references,
      MachineConfig machine)
      throws AnalysisException {
    if (scheme != QuantScheme.TF8
        && scheme != QuantScheme.TF8_DW_PER_CHANNEL
        && scheme != QuantScheme.INT8_PER_CHANNEL) {
      throw new AnalysisException(
          "scheme "
              + scheme.cliName()
              + " rewrites the SSD graph; on an imported model use tf8, tf8-dw-per-channel or"
              + " int8-per-channel");
    }
    FloatGraph g = NetworkQuantizer.floatGraph(original, scheme);
    Calibration.Builder calibration = Calibration.builder();
    for (ModelInput in : inputs) {
      FloatActivations a = new FloatGraphExecutor(g).run(in.values());
      calibration.observe(FloatGraph.INPUT, in.values());
      for (FloatLayer l : g.layers()) {
        calibration.observe(l.name(), a.get(l.name()));
      }
    }
    Calibration ranges = calibration.build();
    DataType act = scheme.int8Activations() ? DataType.INT8 : DataType.UINT8;
    Map<String, QuantParams> params = new HashMap<>();
    Calibration.Range r = ranges.range(FloatGraph.INPUT);
    params.put(FloatGraph.INPUT, QuantParams.asymmetric(r.min(), r.max(), act));
    List<Step> steps = new ArrayList<>();
    for (FloatLayer f : g.layers()) {
      try {
        steps.add(lower(f, scheme, act, ranges, params, machine));
      } catch (CompileException | IllegalArgumentException e) {
        throw new AnalysisException(
            "scheme " + scheme.cliName() + ": layer " + f.name() + ": " + e.getMessage());
      }
    }
    LayerRunner runner = new LayerRunner(new Machine(machine));
    Sqnr sqnr = new Sqnr();
    int agree = 0;
    String lastName = g.last().name();
    long[] overflows = {0};
    List<Sqnr> perLayer = new ArrayList<>();
    for (int i = 0; i < operatorLayers.size(); i++) {
      perLayer.add(new Sqnr());
    }
    for (int n = 0; n < inputs.size(); n++) {
      Map<String, int[]> values = run(g, steps, params, inputs.get(n).values(), runner, overflows);
      for (int l = 0; l < operatorLayers.size(); l++) {
        String name = operatorLayers.get(l);
        QuantParams q = params.get(name);
        int[] v = values.get(name);
        FloatTensor ref = references.get(n).get(name);
        for (int i = 0; i < v.length; i++) {
          perLayer.get(l).add(ref.get(i), q.dequantize(v[i]));
        }
      }
      double[] out = dequantized(values, params, g.last().name());
      double[] reference = references.get(n).get(original.last().name()).toArray();
      for (int i = 0; i < out.length; i++) {
        sqnr.add(reference[i], out[i]);
      }
      agree += Top1Head.top1(out) == Top1Head.top1(reference) ? 1 : 0;
    }
    return new ImportedStudyResult.Pipeline(
        scheme.cliName() + " (npusim)",
        scheme.description() + "; last layer " + lastName,
        agree,
        inputs.size(),
        sqnr.db(),
        perLayer.stream().map(Sqnr::db).toList(),
        overflows[0],
        biasClamps(steps));
  }

  private static Step lower(
      FloatLayer f,
      QuantScheme scheme,
      DataType act,
      Calibration ranges,
      Map<String, QuantParams> params,
      MachineConfig machine)
      throws CompileException {
    QuantParams in = params.get(f.input());
    Calibration.Range r = ranges.range(f.name());
    QuantParams calibrated = QuantParams.asymmetric(r.min(), r.max(), act);
    switch (f.op()) {
      case CONV2D, DEPTHWISE_CONV2D, FULLY_CONNECTED -> {
        boolean perChannel =
            scheme == QuantScheme.INT8_PER_CHANNEL
                || (scheme == QuantScheme.TF8_DW_PER_CHANNEL && f.op() == FloatOp.DEPTHWISE_CONV2D);
        params.put(f.name(), calibrated);
        QuantizedNetwork.Layer q =
            NetworkQuantizer.quantizeLayer(f, in, calibrated, act, perChannel);
        int clamps = 0;
        for (int c = 0; c < f.outputChannels(); c++) {
          double exact = f.biasOf(c) / (in.scale() * q.weightScales().get(c));
          clamps += Math.abs(exact) > Integer.MAX_VALUE ? 1 : 0;
        }
        return new Step.Layer(LayerRunner.compile(q.quantized(), machine), clamps);
      }
      case AVERAGE_POOL, MAX_POOL -> {
        params.put(f.name(), in);
        int[] clamp = NetworkQuantizer.integerClamp(f.activation(), in);
        PoolLayer pool =
            new PoolLayer(
                f.op() == FloatOp.MAX_POOL ? PoolLayer.Kind.MAX : PoolLayer.Kind.AVERAGE,
                act,
                f.inputShape(),
                f.outputShape(),
                f.kernelH(),
                f.kernelW(),
                f.strideH(),
                f.strideW(),
                f.padding().top(),
                f.padding().left(),
                clamp[0],
                clamp[1]);
        return new Step.Operator(KernelCompiler.compile(pool, Targets.of(machine)));
      }
      case ADD -> {
        params.put(f.name(), calibrated);
        AddLayer add = addLayer(f, in, params.get(f.secondInput()), calibrated);
        return new Step.Operator(KernelCompiler.compile(add, Targets.of(machine)));
      }
      case RESHAPE -> {
        params.put(f.name(), in);
        return new Step.Host();
      }
      case SOFTMAX -> {
        params.put(f.name(), new QuantParams(1.0 / 256, act.min(), act));
        return new Step.Host();
      }
    }
    throw new IllegalStateException(f.op().toString());
  }

  /**
   * TFLite's 8-bit ADD {@code Prepare}: inputs scaled by {@code s_i / (2 max(s_1, s_2))} after a
   * left shift of 20, the sum by {@code 2 max(s_1, s_2) / (2^20 s_out)}.
   */
  private static AddLayer addLayer(FloatLayer f, QuantParams a, QuantParams b, QuantParams out) {
    double twiceMax = 2 * Math.max(a.scale(), b.scale());
    QuantizedMultiplier m1 = QuantizedMultiplier.of(a.scale() / twiceMax);
    QuantizedMultiplier m2 = QuantizedMultiplier.of(b.scale() / twiceMax);
    QuantizedMultiplier mo =
        QuantizedMultiplier.of(twiceMax / ((1 << AddLayer.LEFT_SHIFT) * out.scale()));
    int[] clamp = NetworkQuantizer.integerClamp(f.activation(), out);
    return new AddLayer(
        out.type(),
        f.outputShape(),
        a.zeroPoint(),
        m1.multiplier(),
        m1.shift(),
        b.zeroPoint(),
        m2.multiplier(),
        m2.shift(),
        out.zeroPoint(),
        mo.multiplier(),
        mo.shift(),
        clamp[0],
        clamp[1]);
  }

  private static int biasClamps(List<Step> steps) {
    int n = 0;
    for (Step s : steps) {
      if (s instanceof Step.Layer l) {
        n += l.biasClamps();
      }
    }
    return n;
  }

  private static double[] dequantized(
      Map<String, int[]> values, Map<String, QuantParams> params, String layer) {
    QuantParams out = params.get(layer);
    int[] q = values.get(layer);
    double[] d = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      d[i] = out.dequantize(q[i]);
    }
    return d;
  }

  /** Every layer's integer output on one input. */
  private static Map<String, int[]> run(
      FloatGraph g,
      List<Step> steps,
      Map<String, QuantParams> params,
      FloatTensor input,
      LayerRunner runner,
      long[] overflows)
      throws AnalysisException {
    Map<String, int[]> values = new HashMap<>();
    values.put(FloatGraph.INPUT, ImportedStudy.quantize(input, params.get(FloatGraph.INPUT)));
    for (int i = 0; i < g.layers().size(); i++) {
      FloatLayer f = g.layers().get(i);
      Step step = steps.get(i);
      int[] x = values.get(f.input());
      int[] y;
      try {
        if (step instanceof Step.Layer l) {
          LayerRunner.Run r = runner.run(l.compiled(), x);
          overflows[0] += r.result().accumulatorOverflows();
          y = r.output();
        } else if (step instanceof Step.Operator o) {
          y =
              f.secondInput() == null
                  ? runner.run(o.compiled(), x).output()
                  : runner.run(o.compiled(), x, values.get(f.secondInput())).output();
        } else if (f.op() == FloatOp.SOFTMAX) {
          y = softmax(f, x, params.get(f.input()), params.get(f.name()));
        } else {
          y = x.clone();
        }
      } catch (SimulationFault e) {
        throw new AnalysisException("layer " + f.name() + ": " + e.getMessage());
      }
      values.put(f.name(), y);
    }
    return values;
  }

  private static int[] softmax(FloatLayer f, int[] x, QuantParams in, QuantParams out) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = in.dequantize(x[i]);
    }
    FloatTensor p = FloatGraphExecutor.runLayer(f, FloatTensor.adopt(f.inputShape(), d));
    return ImportedStudy.quantize(p, out);
  }
}
