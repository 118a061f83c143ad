package dev.npusim.analysis.network;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.isa.Program;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.models.tflite.BuiltinOperator;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.OperatorOptions;
import dev.npusim.models.tflite.PaddingMode;
import dev.npusim.models.tflite.TfliteLayers;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteTensor;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * An imported int8 TFLite model compiled for one machine and run on the simulator, operator by
 * operator in graph order, each NPU operator instruction by instruction:
 *
 * <ul>
 *   <li>CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED through the layer compiler ({@link
 *       TfliteLayers#quantizedLayer});
 *   <li>AVERAGE_POOL_2D, MAX_POOL_2D and ADD through the pooling and ADD kernels, with the
 *       constants TFLite's {@code Prepare} derives ({@link PoolLayer#tflite}, {@link
 *       AddLayer#fromScales}); ADD's inputs may broadcast, and either may be a constant of the
 *       model, which is written to DRAM like an activation;
 *   <li>RESHAPE and SQUEEZE as layout no-ops (NHWC data is already in the order the new shape
 *       reads);
 *   <li>SOFTMAX on the host, on the integer reference (issue 8 allows it), reported as host work
 *       with no NPU cycles.
 * </ul>
 *
 * <p>{@link #compile} compiles every operator once; {@link #run} can then be called on any number
 * of inputs. One instance runs one input at a time (it owns one simulated machine).
 */
public final class SimulatedNetwork {
  /** Where an operator's work happens. */
  public enum Placement {
    /** Compiled to the NPU and simulated instruction by instruction. */
    NPU,
    /** Computed on the host by the integer reference: no NPU cycles. */
    HOST,
    /** A layout no-op: the values are reused under the new shape and nothing runs. */
    NONE
  }

  /**
   * One operator's run.
   *
   * @param index the operator's index in the graph
   * @param op its builtin operator
   * @param outputTensor the index of the tensor it writes
   * @param placement where it ran
   * @param counters the simulator's counters, for NPU operators only
   */
  public record LayerResult(
      int index,
      BuiltinOperator op,
      int outputTensor,
      Placement placement,
      Optional<RunResult> counters) {
    public LayerResult {
      checkArgument(
          counters.isPresent() == (placement == Placement.NPU),
          "operator %s: counters are for NPU operators only",
          index);
    }

    /** Simulated cycles (0 off the NPU). */
    public long cycles() {
      return counters.map(RunResult::cycles).orElse(0L);
    }

    /** 8-bit multiply-accumulates on the NPU. */
    public long macs() {
      return counters.map(RunResult::macs).orElse(0L);
    }

    /** Requantized outputs outside the int8 range, saturated. */
    public long saturations() {
      return counters.map(RunResult::outputSaturations).orElse(0L);
    }

    /** Accumulator adds whose exact result left the machine's accumulator width. */
    public long overflows() {
      return counters.map(RunResult::accumulatorOverflows).orElse(0L);
    }

    /**
     * The narrowest signed accumulator that held every partial sum of the run, in the program's own
     * order; 0 for an operator that accumulates nothing (and off the NPU).
     */
    public int accumulatorBits() {
      return counters.map(r -> Math.max(r.accumulatorBitsNeeded(), 0)).orElse(0);
    }
  }

  /**
   * A whole run.
   *
   * @param layers one result per operator, in graph order
   * @param tensors the value of every activation tensor (the input and each operator's output)
   */
  public record NetworkRun(
      ImmutableList<LayerResult> layers, ReferenceNetwork.Activations tensors) {
    public long cycles() {
      return layers.stream().mapToLong(LayerResult::cycles).sum();
    }

    public long macs() {
      return layers.stream().mapToLong(LayerResult::macs).sum();
    }
  }

  /**
   * An operator whose simulated output differs from the integer reference run on the simulator's
   * own inputs to that operator.
   *
   * @param element the first differing element (flat index in the output tensor)
   * @param differing how many elements differ
   */
  public record Mismatch(
      TfliteOperator op, int element, int simulated, int reference, int differing, int elements) {
    @Override
    public String toString() {
      return op.label()
          + ": element "
          + element
          + " is "
          + simulated
          + " on the simulator, "
          + reference
          + " in the integer reference ("
          + differing
          + " of "
          + elements
          + " elements differ)";
    }
  }

  /** One operator, compiled: what {@link #run} does for it. */
  private sealed interface Step {
    record Layer(CompiledLayer compiled) implements Step {}

    /** Pooling (one input) or ADD (two). */
    record Operator(CompiledOperator compiled) implements Step {}

    record Host() implements Step {}

    record Relayout() implements Step {}
  }

  private final TfliteModel model;
  private final MachineConfig config;
  private final ReferenceNetwork reference;
  private final ImmutableList<Step> steps;
  private LayerRunner runner; // created on the first run: a machine's DRAM is large

  private SimulatedNetwork(
      TfliteModel model,
      MachineConfig config,
      ReferenceNetwork reference,
      ImmutableList<Step> steps) {
    this.model = model;
    this.config = config;
    this.reference = reference;
    this.steps = steps;
  }

  /**
   * Compiles every operator of an int8 model for a machine.
   *
   * @throws ModelFormatException if the model is not int8 or an operator does not fit TFLite's int8
   *     semantics (the message names the file and the operator)
   * @throws AnalysisException if an operator does not fit the machine
   */
  public static SimulatedNetwork compile(TfliteModel model, MachineConfig config)
      throws AnalysisException {
    // The reference lowering checks every operator first (and runs SOFTMAX on the host).
    ReferenceNetwork reference = ReferenceNetwork.of(model);
    ImmutableList.Builder<Step> steps = ImmutableList.builder();
    for (TfliteOperator op : model.operators()) {
      try {
        steps.add(lower(model, op, config));
      } catch (CompileException e) {
        throw new AnalysisException(
            model.file()
                + ": "
                + op.label()
                + " does not fit machine "
                + config.name()
                + ": "
                + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException(model.file(), op.label() + ": " + e.getMessage());
      }
    }
    return new SimulatedNetwork(model, config, reference, steps.build());
  }

  public TfliteModel model() {
    return model;
  }

  public MachineConfig machine() {
    return config;
  }

  /** The same model on the golden integer references (what {@link #check} compares with). */
  public ReferenceNetwork reference() {
    return reference;
  }

  /** Where operator {@code index} runs. */
  public Placement placement(int index) {
    Step s = steps.get(index);
    if (s instanceof Step.Host) {
      return Placement.HOST;
    }
    return s instanceof Step.Relayout ? Placement.NONE : Placement.NPU;
  }

  /** The compiled program of an NPU operator, if it is one. */
  public Optional<Program> program(int index) {
    Step s = steps.get(index);
    if (s instanceof Step.Layer l) {
      return Optional.of(l.compiled().program());
    } else if (s instanceof Step.Operator o) {
      return Optional.of(o.compiled().program());
    }
    return Optional.empty();
  }

  /** The compiled CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED layer of operator {@code index}. */
  public Optional<CompiledLayer> compiledLayer(int index) {
    return steps.get(index) instanceof Step.Layer l ? Optional.of(l.compiled()) : Optional.empty();
  }

  /** The compiled pooling or ADD operator of operator {@code index}. */
  public Optional<CompiledOperator> compiledOperator(int index) {
    return steps.get(index) instanceof Step.Operator o
        ? Optional.of(o.compiled())
        : Optional.empty();
  }

  /**
   * Runs the whole network on one input, with the accumulator width watched.
   *
   * @param input the model input's int8 values in NHWC order
   * @throws AnalysisException if a program faults (names the operator, the pc and instruction)
   */
  public synchronized NetworkRun run(int[] input) throws AnalysisException {
    TfliteTensor in = model.input();
    checkArgument(
        input.length == in.elements(),
        "input has %s values, %s %s holds %s",
        input.length,
        in.label(),
        in.shape(),
        in.elements());
    for (int i = 0; i < input.length; i++) {
      checkArgument(
          input[i] >= -128 && input[i] <= 127, "input[%s] = %s is outside int8", i, input[i]);
    }
    int[][] values = new int[model.tensors().size()][];
    values[in.index()] = input.clone();
    ImmutableList.Builder<LayerResult> layers = ImmutableList.builder();
    for (TfliteOperator op : model.operators()) {
      OperatorRun r = runOperator(op.index(), i -> values[i]);
      values[op.output()] = r.output();
      layers.add(r.layer());
    }
    ImmutableIntArray[] tensors = new ImmutableIntArray[values.length];
    for (int i = 0; i < values.length; i++) {
      tensors[i] = values[i] == null ? null : ImmutableIntArray.copyOf(values[i]);
    }
    return new NetworkRun(layers.build(), new ReferenceNetwork.Activations(Arrays.asList(tensors)));
  }

  /** One operator's output and counters. */
  public record OperatorRun(int[] output, LayerResult layer) {}

  /**
   * Runs one operator alone on given values of its input tensors (tensor index to values, null for
   * a tensor without a value); constants come from the compiled program.
   *
   * @throws AnalysisException if its program faults (names the operator, the pc and instruction)
   */
  public synchronized OperatorRun runOperator(int index, IntFunction<int[]> values)
      throws AnalysisException {
    TfliteOperator op = model.operators().get(index);
    Step step = steps.get(index);
    boolean add = op.op() == BuiltinOperator.ADD;
    // ADD may read a constant (a tensor with a buffer) as either operand; the others read input 0.
    int[] x = add ? TfliteLayers.operand(model, op, 0, values) : values.apply(op.input(0));
    checkArgument(x != null, "%s: input tensor %s has no value", op.label(), op.input(0));
    checkArgument(
        x.length == model.tensor(op.input(0)).elements(),
        "%s: input has %s values, tensor %s holds %s",
        op.label(),
        x.length,
        op.input(0),
        model.tensor(op.input(0)).elements());
    if (runner == null) {
      Machine machine = new Machine(config);
      machine.trackAccumulatorWidth(true);
      runner = new LayerRunner(machine);
    }
    RunResult counters = null;
    int[] out;
    try {
      if (step instanceof Step.Layer l) {
        LayerRunner.Run r = runner.run(l.compiled(), x);
        out = r.output();
        counters = r.result();
      } else if (step instanceof Step.Operator o) {
        LayerRunner.OperatorRun r;
        if (o.compiled().inputAddrs().size() == 1) {
          r = runner.run(o.compiled(), x);
        } else {
          int[] y = TfliteLayers.operand(model, op, 1, values);
          long n = model.tensor(op.input(1)).elements();
          checkArgument(
              y != null && y.length == n,
              "%s: input tensor %s has no value or not %s values",
              op.label(),
              op.input(1),
              n);
          r = runner.run(o.compiled(), x, y);
        }
        out = r.output();
        counters = r.result();
      } else if (step instanceof Step.Host) {
        out = reference.runOperator(index, values);
      } else {
        out = x.clone();
      }
    } catch (SimulationFault f) {
      throw new AnalysisException(model.file() + ": " + op.label() + ": " + f.getMessage());
    }
    return new OperatorRun(
        out,
        new LayerResult(
            index, op.op(), op.output(), placement(index), Optional.ofNullable(counters)));
  }

  /**
   * Compares every operator's simulated output with the integer reference run on the simulator's
   * own inputs to that operator. Checking each operator on its own inputs names the operator at
   * fault; since the first operator reads the model input, all of them agreeing means the whole
   * chain agrees with the reference network.
   *
   * @return one mismatch per differing operator, in graph order; empty when bit-exact
   */
  public ImmutableList<Mismatch> check(NetworkRun run) {
    ImmutableList.Builder<Mismatch> mismatches = ImmutableList.builder();
    for (TfliteOperator op : model.operators()) {
      int[] simulated = run.tensors().tensor(op.output());
      int[] expected = reference.runOperator(op.index(), run.tensors()::tensor);
      int first = -1;
      int differing = 0;
      for (int i = 0; i < expected.length; i++) {
        if (expected[i] != simulated[i]) {
          first = first < 0 ? i : first;
          differing++;
        }
      }
      if (differing > 0) {
        mismatches.add(
            new Mismatch(op, first, simulated[first], expected[first], differing, expected.length));
      }
    }
    return mismatches.build();
  }

  private static Step lower(TfliteModel model, TfliteOperator op, MachineConfig config)
      throws CompileException {
    TfliteTensor input = model.tensor(op.input(0));
    TfliteTensor output = model.tensor(op.output());
    return switch (op.op()) {
      case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED ->
          new Step.Layer(LayerRunner.compile(TfliteLayers.quantizedLayer(model, op), config));
      case AVERAGE_POOL_2D, MAX_POOL_2D -> {
        OperatorOptions.Pool2D o = (OperatorOptions.Pool2D) op.options();
        int[] range = TfliteLayers.activationRange(output, o.activation());
        PoolLayer layer =
            PoolLayer.tflite(
                op.op() == BuiltinOperator.MAX_POOL_2D
                    ? PoolLayer.Kind.MAX
                    : PoolLayer.Kind.AVERAGE,
                DataType.INT8,
                TfliteLayers.nhwc(model, op, input),
                o.filterH(),
                o.filterW(),
                o.strideH(),
                o.strideW(),
                o.padding() == PaddingMode.SAME,
                range[0],
                range[1]);
        TensorShape expected = TfliteLayers.nhwc(model, op, output);
        if (!layer.output().equals(expected)) {
          throw new ModelFormatException(
              model.file(),
              op.label()
                  + ": output "
                  + output.shape()
                  + " is not the "
                  + layer.output()
                  + " that TFLite's padding rule gives");
        }
        yield new Step.Operator(LayerRunner.compile(layer, config));
      }
      case ADD -> {
        TfliteTensor other = model.tensor(op.input(1));
        int[] range = TfliteLayers.activationRange(output, TfliteLayers.activation(op.options()));
        int[][] shapes = TfliteLayers.addShapes(model, op);
        AddLayer layer =
            AddLayer.fromScales(
                DataType.INT8,
                TfliteLayers.nhwc(shapes[0]),
                TfliteLayers.nhwc(shapes[1]),
                input.quantization().scale(),
                input.quantization().zeroPoint(),
                other.quantization().scale(),
                other.quantization().zeroPoint(),
                output.quantization().scale(),
                output.quantization().zeroPoint(),
                range[0],
                range[1]);
        yield new Step.Operator(LayerRunner.compile(layer, config));
      }
      case SOFTMAX -> new Step.Host();
      case RESHAPE, SQUEEZE -> new Step.Relayout();
    };
  }
}
