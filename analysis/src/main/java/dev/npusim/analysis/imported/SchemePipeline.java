package dev.npusim.analysis.imported;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.ElementMismatch;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.analysis.engine.Targets;
import dev.npusim.golden.reference.AddReference;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.golden.reference.PoolingReference;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.QuantizedLayer;
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
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of npusim's own quantization schemes ({@code tf8}, {@code tf8-dw-per-channel}, {@code
 * int8-per-channel}) applied to an imported float original, calibrated by min/max on the
 * calibration inputs, compiled, and run on the simulator layer by layer: the re-quantized pipelines
 * of a {@link TfliteSource}. The study scores them against the float original.
 *
 * <p>Weighted layers are quantized by {@link NetworkQuantizer#quantizeLayer}; pooling keeps its
 * input's quantization (as TFLite requires) and runs on the NPU's pooling kernel; ADD gets TFLite's
 * {@code Prepare} multipliers from the scheme's scales and runs on the NPU's ADD kernel, its inputs
 * broadcasting as the float graph's do; a constant ADD operand is quantized per tensor with the
 * scheme's activation rule (asymmetric min/max over its values, in the scheme's activation type:
 * uint8 for TF8, int8 for int8-per-channel), since the ADD kernel takes one scale and zero point
 * per input and a constant's range is known exactly without calibration; reshapes are host copies;
 * SOFTMAX is host work in float on the dequantized input, its output quantized with scale 1/256 and
 * the type's lowest code as zero point (TFLite's fixed output quantization), since the fixed-point
 * int8 softmax has no uint8 (TF8) form here.
 */
public final class SchemePipeline {

  /** One lowered layer of the scheme's network. */
  private sealed interface Step {
    record Layer(CompiledLayer compiled, QuantizedLayer quantized, int biasClamps)
        implements Step {}

    /** Pooling ({@code pool} set) or ADD ({@code add} set). */
    record Operator(CompiledOperator compiled, PoolLayer pool, AddLayer add) implements Step {}

    record Host() implements Step {}
  }

  private final QuantScheme scheme;
  private final FloatGraph graph;
  private final List<Step> steps;
  private final Map<String, QuantParams> params;

  /** The graph's constants quantized with their {@link #params}, by name. */
  private final Map<String, int[]> constants;

  private SchemePipeline(
      QuantScheme scheme,
      FloatGraph graph,
      List<Step> steps,
      Map<String, QuantParams> params,
      Map<String, int[]> constants) {
    this.scheme = scheme;
    this.graph = graph;
    this.steps = steps;
    this.params = params;
    this.constants = constants;
  }

  /**
   * Quantizes the float original with one of npusim's schemes, calibrated by min/max on {@code
   * calibration}, and compiles every layer for the machine.
   *
   * @throws AnalysisException for a scheme that rewrites the SSD graph, or a layer that does not
   *     quantize or compile
   */
  public static SchemePipeline quantize(
      FloatGraph original, QuantScheme scheme, List<ModelInput> calibration, MachineConfig machine)
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
    Calibration.Builder ranges = Calibration.builder();
    for (ModelInput in : calibration) {
      FloatActivations a = new FloatGraphExecutor(g).run(in.values());
      ranges.observe(FloatGraph.INPUT, in.values());
      for (FloatLayer l : g.layers()) {
        ranges.observe(l.name(), a.get(l.name()));
      }
    }
    return lowered(scheme, g, ranges.build(), machine);
  }

  private static SchemePipeline lowered(
      QuantScheme scheme, FloatGraph g, Calibration ranges, MachineConfig machine)
      throws AnalysisException {
    DataType act = scheme.int8Activations() ? DataType.INT8 : DataType.UINT8;
    Map<String, QuantParams> params = new HashMap<>();
    Calibration.Range r = ranges.range(FloatGraph.INPUT);
    params.put(FloatGraph.INPUT, QuantParams.asymmetric(r.min(), r.max(), act));
    Map<String, int[]> constants = new HashMap<>();
    for (Map.Entry<String, FloatTensor> c : g.constants().entrySet()) {
      FloatTensor t = c.getValue();
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < t.size(); i++) {
        min = Math.min(min, t.get(i));
        max = Math.max(max, t.get(i));
      }
      QuantParams q = QuantParams.asymmetric(min, max, act);
      params.put(c.getKey(), q);
      constants.put(c.getKey(), quantize(t, q));
    }
    List<Step> steps = new ArrayList<>();
    for (FloatLayer f : g.layers()) {
      try {
        steps.add(lower(f, scheme, act, ranges, params, machine));
      } catch (CompileException | IllegalArgumentException e) {
        throw new AnalysisException(
            "scheme " + scheme.cliName() + ": layer " + f.name() + ": " + e.getMessage());
      }
    }
    return new SchemePipeline(
        scheme, g, List.copyOf(steps), Map.copyOf(params), Map.copyOf(constants));
  }

  public QuantScheme scheme() {
    return scheme;
  }

  /** The scheme's float graph (the float original under the scheme's rewrite, if any). */
  public FloatGraph graph() {
    return graph;
  }

  /** The quantization of a layer's output (or of {@link FloatGraph#INPUT}). */
  public QuantParams params(String layer) {
    return params.get(layer);
  }

  /**
   * Every layer's integer output on one input, and the accumulator overflows of the run.
   *
   * @param values every layer's integer output, by layer name (and the quantized input)
   */
  public record Run(Map<String, int[]> values, long overflows) {
    /** A layer's output, dequantized. */
    public double[] dequantized(SchemePipeline p, String layer) {
      QuantParams out = p.params(layer);
      int[] q = values.get(layer);
      double[] d = new double[q.length];
      for (int i = 0; i < q.length; i++) {
        d[i] = out.dequantize(q[i]);
      }
      return d;
    }
  }

  /**
   * int32 biases clamped at the int32 range when quantized (a channel whose tiny weight scale makes
   * {@code bias / (s_in * s_w)} too large).
   */
  public int biasClamps() {
    int n = 0;
    for (Step s : steps) {
      if (s instanceof Step.Layer l) {
        n += l.biasClamps();
      }
    }
    return n;
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
        return new Step.Layer(LayerRunner.compile(q.quantized(), machine), q.quantized(), clamps);
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
        return new Step.Operator(KernelCompiler.compile(pool, Targets.of(machine)), pool, null);
      }
      case ADD -> {
        params.put(f.name(), calibrated);
        AddLayer add = addLayer(f, in, params.get(f.secondInput()), calibrated);
        return new Step.Operator(KernelCompiler.compile(add, Targets.of(machine)), null, add);
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
   * TFLite's 8-bit ADD {@code Prepare} ({@link AddLayer#fromScales}) on the scheme's scales, the
   * inputs of the float layer's two shapes.
   */
  private static AddLayer addLayer(FloatLayer f, QuantParams a, QuantParams b, QuantParams out) {
    int[] clamp = NetworkQuantizer.integerClamp(f.activation(), out);
    return AddLayer.fromScales(
        out.type(),
        f.inputShape(),
        f.secondShape(),
        a.scale(),
        a.zeroPoint(),
        b.scale(),
        b.zeroPoint(),
        out.scale(),
        out.zeroPoint(),
        clamp[0],
        clamp[1]);
  }

  /**
   * The scheme's network on one input, layer by layer on the simulator (softmax and reshapes on the
   * host).
   *
   * @param check compare every weighted, pooling and ADD layer with the integer reference, bit for
   *     bit
   * @throws AnalysisException if a program faults, or (with {@code check}) a layer differs from the
   *     integer reference
   */
  public Run run(FloatTensor input, LayerRunner runner, boolean check) throws AnalysisException {
    FloatGraph g = graph;
    long overflows = 0;
    Map<String, int[]> values = new HashMap<>();
    values.put(FloatGraph.INPUT, quantize(input, params.get(FloatGraph.INPUT)));
    values.putAll(constants);
    for (int i = 0; i < g.layers().size(); i++) {
      FloatLayer f = g.layers().get(i);
      Step step = steps.get(i);
      int[] x = values.get(f.input());
      int[] y;
      try {
        if (step instanceof Step.Layer l) {
          LayerRunner.Run r = runner.run(l.compiled(), x);
          overflows += r.result().accumulatorOverflows();
          y = r.output();
          if (check) {
            checkLayer(f, IntegerReference.run(l.quantized(), ImmutableIntArray.copyOf(x)), y);
          }
        } else if (step instanceof Step.Operator o) {
          y =
              f.secondInput() == null
                  ? runner.run(o.compiled(), x).output()
                  : runner.run(o.compiled(), x, values.get(f.secondInput())).output();
          if (check && o.pool() != null) {
            checkLayer(f, poolReference(o.pool(), x), y);
          }
          if (check && o.add() != null) {
            checkLayer(f, addReference(o.add(), x, values.get(f.secondInput())), y);
          }
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
    return new Run(values, overflows);
  }

  /** The golden pooling reference's output for a pooling layer of the scheme. */
  private static int[] poolReference(PoolLayer p, int[] x) {
    PoolingReference.Parameters parameters =
        new PoolingReference.Parameters(
            p.input(),
            p.output(),
            p.filterH(),
            p.filterW(),
            p.strideH(),
            p.strideW(),
            p.padTop(),
            p.padLeft(),
            p.activationMin(),
            p.activationMax());
    return p.kind() == PoolLayer.Kind.MAX
        ? PoolingReference.max(parameters, x)
        : PoolingReference.average(parameters, x);
  }

  /** Golden's ADD reference (its own broadcasting) on the scheme's ADD layer and its inputs. */
  private static int[] addReference(AddLayer a, int[] x, int[] y) {
    AddReference.Parameters p =
        new AddReference.Parameters(
            AddLayer.LEFT_SHIFT,
            -a.input1ZeroPoint(),
            a.input1Multiplier(),
            a.input1Shift(),
            -a.input2ZeroPoint(),
            a.input2Multiplier(),
            a.input2Shift(),
            a.outputZeroPoint(),
            a.outputMultiplier(),
            a.outputShift(),
            a.activationMin(),
            a.activationMax());
    return AddReference.add(
        p, AddLayer.dims(a.input1Shape()), x, AddLayer.dims(a.input2Shape()), y);
  }

  private void checkLayer(FloatLayer f, int[] expected, int[] simulated) throws AnalysisException {
    ElementMismatch m = ElementMismatch.of(expected, simulated);
    if (m != null) {
      throw new AnalysisException(
          "--check: scheme " + scheme.cliName() + ": layer " + f.name() + ": " + m);
    }
  }

  static int[] quantize(FloatTensor t, QuantParams q) {
    int[] out = new int[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = q.quantize(t.get(i));
    }
    return out;
  }

  private static int[] softmax(FloatLayer f, int[] x, QuantParams in, QuantParams out) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = in.dequantize(x[i]);
    }
    FloatTensor p = FloatGraphExecutor.runLayer(f, FloatTensor.adopt(f.inputShape(), d));
    return quantize(p, out);
  }
}
