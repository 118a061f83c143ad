package dev.npusim.analysis.imported;

import com.google.common.collect.ImmutableList;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.analysis.engine.Targets;
import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.golden.reference.AddReference;
import dev.npusim.golden.reference.PoolingReference;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.kernels.codegen.KernelCompiler;
import dev.npusim.models.tflite.TfliteFloatGraph;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.util.function.IntFunction;

/**
 * An imported int8 TFLite model compiled for one machine, every operator once: convolutions and
 * fully-connected layers through {@link LayerRunner#compile}, pooling and ADD through {@link
 * KernelCompiler#compile(PoolLayer, dev.npusim.kernels.codegen.CompilerTarget)} and its ADD twin;
 * SOFTMAX, RESHAPE and SQUEEZE stay host work on the integer reference (the issue allows SOFTMAX on
 * the host; reshapes move no data in NHWC). Operators run one at a time on a {@link LayerRunner}.
 */
public final class CompiledModel {
  /** How one operator runs. */
  public sealed interface Operator {
    /** CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED on the NPU. */
    record Layer(QuantizedLayer layer, CompiledLayer compiled) implements Operator {}

    /** AVERAGE_POOL_2D or MAX_POOL_2D on the NPU. */
    record Pool(PoolLayer layer, CompiledOperator compiled) implements Operator {}

    /** ADD on the NPU. */
    record Add(AddLayer layer, CompiledOperator compiled) implements Operator {}

    /** SOFTMAX, RESHAPE, SQUEEZE: host work on the integer reference, no NPU cycles. */
    record Host() implements Operator {}
  }

  /** One operator's output and, for NPU work, the counters of its run (null for host work). */
  public record Run(int[] output, RunResult result) {}

  private final ReferenceNetwork reference;
  private final ImmutableList<Operator> operators;

  private CompiledModel(ReferenceNetwork reference, ImmutableList<Operator> operators) {
    this.reference = reference;
    this.operators = operators;
  }

  /**
   * @throws AnalysisException naming the operator that does not compile for the machine
   */
  public static CompiledModel compile(ReferenceNetwork reference, MachineConfig machine)
      throws AnalysisException {
    TfliteModel model = reference.model();
    ImmutableList.Builder<Operator> ops = ImmutableList.builder();
    for (TfliteOperator op : model.operators()) {
      ReferenceNetwork.Step step = reference.steps().get(op.index());
      try {
        ops.add(lower(model, op, step, machine));
      } catch (CompileException e) {
        throw new AnalysisException(
            model.file()
                + ": "
                + op.label()
                + " does not compile for "
                + machine.name()
                + ": "
                + e.getMessage());
      }
    }
    return new CompiledModel(reference, ops.build());
  }

  private static Operator lower(
      TfliteModel model, TfliteOperator op, ReferenceNetwork.Step step, MachineConfig machine)
      throws CompileException {
    if (step instanceof ReferenceNetwork.Step.Layer l) {
      return new Operator.Layer(l.layer(), LayerRunner.compile(l.layer(), machine));
    } else if (step instanceof ReferenceNetwork.Step.AveragePool p) {
      PoolLayer layer = poolLayer(PoolLayer.Kind.AVERAGE, p.parameters());
      return new Operator.Pool(layer, KernelCompiler.compile(layer, Targets.of(machine)));
    } else if (step instanceof ReferenceNetwork.Step.MaxPool p) {
      PoolLayer layer = poolLayer(PoolLayer.Kind.MAX, p.parameters());
      return new Operator.Pool(layer, KernelCompiler.compile(layer, Targets.of(machine)));
    } else if (step instanceof ReferenceNetwork.Step.Add a) {
      TensorShape shape = TfliteFloatGraph.shapeOf(model, op, model.tensor(op.output()));
      AddLayer layer = addLayer(shape, a.parameters());
      return new Operator.Add(layer, KernelCompiler.compile(layer, Targets.of(machine)));
    }
    return new Operator.Host();
  }

  /** The NPU pooling layer of a pooling operator's reference parameters. */
  public static PoolLayer poolLayer(PoolLayer.Kind kind, PoolingReference.Parameters p) {
    return new PoolLayer(
        kind,
        DataType.INT8,
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
  }

  /** The reference's offsets are negated zero points on the inputs (TFLite's convention). */
  public static AddLayer addLayer(TensorShape shape, AddReference.Parameters p) {
    return new AddLayer(
        DataType.INT8,
        shape,
        -p.input1Offset(),
        p.input1Multiplier(),
        p.input1Shift(),
        -p.input2Offset(),
        p.input2Multiplier(),
        p.input2Shift(),
        p.outputOffset(),
        p.outputMultiplier(),
        p.outputShift(),
        p.activationMin(),
        p.activationMax());
  }

  public ReferenceNetwork reference() {
    return reference;
  }

  public TfliteModel model() {
    return reference.model();
  }

  public ImmutableList<Operator> operators() {
    return operators;
  }

  /**
   * Runs operator {@code index} on {@code runner}'s machine, reading its activation inputs from
   * {@code values} (tensor index to int8 values).
   */
  public Run run(int index, IntFunction<int[]> values, LayerRunner runner) throws SimulationFault {
    TfliteOperator op = model().operators().get(index);
    Operator compiled = operators.get(index);
    if (compiled instanceof Operator.Layer l) {
      LayerRunner.Run r = runner.run(l.compiled(), values.apply(op.input(0)));
      return new Run(r.output(), r.result());
    } else if (compiled instanceof Operator.Pool p) {
      LayerRunner.OperatorRun r = runner.run(p.compiled(), values.apply(op.input(0)));
      return new Run(r.output(), r.result());
    } else if (compiled instanceof Operator.Add a) {
      LayerRunner.OperatorRun r =
          runner.run(a.compiled(), values.apply(op.input(0)), values.apply(op.input(1)));
      return new Run(r.output(), r.result());
    }
    return new Run(reference.runOperator(index, values), null);
  }
}
