package dev.npusim.analysis.study;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.ElementMismatch;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.image.ImageFile;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Stage 3: the simulated pipelines and their companions, one task per evaluation image covering
 * every scheme, so that what schemes share is computed once. Per image and scheme, layer by layer:
 * the quantized network on the simulator (optionally checked against the integer reference), the
 * scheme's float network, its weights-only and activations-only variants, each layer alone on its
 * quantized float input, and the exact unrounded requantization of every layer's integer input.
 */
final class SimulateStage {
  /** One (scheme, image) task's figures: per-layer sums and the head outputs. */
  record ImageFigures(Map<String, LayerSums> layers, HeadOutputs heads) {}

  /** Per evaluation image, in order: every scheme's figures. */
  record Result(List<Map<QuantScheme, ImageFigures>> perImage) {}

  private final Analyzer.Options o;
  private final Set<String> predictors;
  private final ImageDecodeStage.Result images;

  private SimulateStage(
      Analyzer.Options o, Set<String> predictors, ImageDecodeStage.Result images) {
    this.o = o;
    this.predictors = predictors;
    this.images = images;
  }

  static Result run(
      StudyPool pool,
      Analyzer.Options o,
      Set<String> predictors,
      ImageDecodeStage.Result images,
      QuantizeStage.Result schemes)
      throws AnalysisException {
    return new SimulateStage(o, predictors, images).run(pool, schemes.runs());
  }

  private Result run(StudyPool pool, List<SchemeRun> schemeRuns) throws AnalysisException {
    List<Future<Map<QuantScheme, ImageFigures>>> tasks = new ArrayList<>();
    long maxHeap = Runtime.getRuntime().maxMemory();
    Semaphore heap = new Semaphore(imagesAtOnce(schemeRuns, maxHeap));
    // Splitting a layer into pieces holds more of it at once (a machine, a weights-only layer and
    // the exact requantization's temporaries per piece running): only when the heap has room for
    // two images. With -Xmx1g (one image at a time, about 870 of 910 MB at the peak) it does not,
    // and the pieces run one after another as before.
    boolean split = tasksThatFit(schemeRuns, maxHeap) >= 2;
    for (int i = 0; i < o.evaluation().size(); i++) {
      ImageFile f = o.evaluation().get(i);
      boolean dumpThis = o.dump() != null && i == 0;
      tasks.add(
          pool.submit(
              () -> {
                StudyPool.acquire(heap);
                try {
                  return imageTask(schemeRuns, f.name(), dumpThis, split);
                } finally {
                  heap.release();
                }
              }));
    }
    List<Map<QuantScheme, ImageFigures>> results = new ArrayList<>();
    for (var t : tasks) {
      results.add(pool.get(t));
    }
    return new Result(results);
  }

  /**
   * How many image tasks may run at once: one per core, fewer when the heap could not hold their
   * tensors. A task holds, at its largest layer, the input and output of every float pass (one per
   * float graph, per activation quantization and per scheme's weights-only pass, plus the exact
   * requantization's temporaries) and of every scheme's integer pipeline. The networks, programs
   * and those tensors must fit with room for the collector, so a task is granted a third of the
   * heap per its estimate: with {@code -Xmx1g} the images run one after another.
   */
  static int imagesAtOnce(List<SchemeRun> runs, long maxHeap) {
    return (int) Math.min(tasksThatFit(runs, maxHeap), Runtime.getRuntime().availableProcessors());
  }

  /** How many image tasks the heap holds, per {@link #imagesAtOnce}'s estimate (at least one). */
  private static long tasksThatFit(List<SchemeRun> runs, long maxHeap) {
    long largest = 0;
    for (FloatLayer l : runs.get(0).net().floatGraph().layers()) {
      largest = Math.max(largest, l.inputShape().elements() + l.outputShape().elements());
    }
    long doublePasses =
        runs.stream().map(SchemeRun::graphKey).distinct().count()
            + runs.stream().map(SchemeRun::activationKey).distinct().count()
            + runs.size()
            + 2;
    long perTask = largest * (Double.BYTES * doublePasses + Integer.BYTES * runs.size());
    return Math.max(1, maxHeap / (3 * perTask));
  }

  /** What one image's run of one scheme accumulates. */
  private final class SchemeState {
    final SchemeRun run;
    final LiveTensors<FloatTensor> weightsOnly;
    final LiveTensors<int[]> ints;
    final Map<String, LayerSums> sums = new LinkedHashMap<>();
    final Map<String, FloatTensor> heads = new HashMap<>();

    SchemeState(SchemeRun run, FloatTensor input) {
      this.run = run;
      FloatGraph g = run.net().floatGraph();
      this.weightsOnly = new LiveTensors<>(g, Set.of(), input);
      this.ints = new LiveTensors<>(g, predictors, quantize(input, run.net().input()));
    }
  }

  /** Identifies an isolated run: the same layer fed the same quantized float input. */
  private record IsolatedKey(GraphKey graphKey, QuantizedLayer layer, QuantParams input) {}

  /** The machine for one image's runs, with only as much DRAM as the largest program uses. */
  private MachineConfig machineFor(List<SchemeRun> runs) {
    long dramNeeded = 1 << 20;
    for (SchemeRun r : runs) {
      for (CompiledLayer c : r.compiled().values()) {
        dramNeeded = Math.max(dramNeeded, c.plan().dramBytes());
      }
    }
    return o.machine().withDram((int) Math.min(o.machine().dramBytes(), dramNeeded));
  }

  /**
   * Every scheme on one image, layer by layer: the float network of each float graph, the
   * activations-only pass of each activation quantization, and per scheme its weights-only pass,
   * its simulated pipeline, the exact requantization of its integer inputs and each layer alone.
   */
  private Map<QuantScheme, ImageFigures> imageTask(
      List<SchemeRun> runs, String image, boolean dump, boolean split) throws AnalysisException {
    FloatTensor input = images.get(image);
    Machines runners = new Machines(machineFor(runs));
    Map<GraphKey, LiveTensors<FloatTensor>> floats = new LinkedHashMap<>();
    Map<GraphKey, FloatGraphExecutor> floatRefs = new HashMap<>();
    Map<ActivationKey, LiveTensors<FloatTensor>> acts = new LinkedHashMap<>();
    Map<ActivationKey, QuantizedNetwork> actNets = new HashMap<>();
    List<SchemeState> states = new ArrayList<>();
    for (SchemeRun r : runs) {
      FloatGraph g = r.net().floatGraph();
      floats.computeIfAbsent(r.graphKey(), k -> new LiveTensors<>(g, predictors, input));
      floatRefs.putIfAbsent(r.graphKey(), r.passes().reference);
      acts.computeIfAbsent(
          r.activationKey(),
          k -> new LiveTensors<>(g, Set.of(), FloatPasses.fakeQuantize(input, r.net().input())));
      actNets.putIfAbsent(r.activationKey(), r.net());
      states.add(new SchemeState(r, input));
    }
    int layers = runs.get(0).net().layers().size();
    for (int i = 0; i < layers; i++) {
      // The float networks and the activations-only passes, once per distinct one.
      Map<GraphKey, FloatTensor> floatIn = new HashMap<>();
      Map<GraphKey, FloatTensor> floatOut = new HashMap<>();
      for (var e : floats.entrySet()) {
        FloatLayer f = floatRefs.get(e.getKey()).graph().layers().get(i);
        FloatTensor in = e.getValue().inputOf(f);
        FloatTensor out = floatRefs.get(e.getKey()).runLayer(f.name(), in);
        e.getValue().put(f, out);
        floatIn.put(e.getKey(), in);
        floatOut.put(e.getKey(), out);
      }
      Map<ActivationKey, FloatTensor> actOut = new HashMap<>();
      for (var e : acts.entrySet()) {
        QuantizedNetwork.Layer l = actNets.get(e.getKey()).layers().get(i);
        FloatTensor out =
            FloatPasses.fakeQuantize(
                floatRefs
                    .get(e.getKey().graph())
                    .runLayer(l.name(), e.getValue().inputOf(l.floatLayer())),
                l.outputParams());
        e.getValue().put(l.floatLayer(), out);
        actOut.put(e.getKey(), out);
      }
      // Each scheme's layer as a piece of its own, which an idle core may take: its weights-only
      // pass, its simulated pipeline with the exact requantization, and the isolated runs it is the
      // first scheme to need (schemes that agree on one share it).
      Map<IsolatedKey, SchemeState> isolatedBy = new HashMap<>();
      List<StudyPool.Work<SchemeLayer>> pieces = new ArrayList<>();
      for (SchemeState st : states) {
        QuantizedNetwork.Layer l = st.run.net().layers().get(i);
        LayerSums s = new LayerSums();
        st.sums.put(l.name(), s);
        IsolatedKey key = isolatedKey(st, l);
        IsolatedKey first = key != null && isolatedBy.putIfAbsent(key, st) == null ? key : null;
        pieces.add(() -> schemeLayer(st, l, s, first, floatIn, runners));
      }
      List<SchemeLayer> done = split ? StudyPool.all(pieces) : StudyPool.inOrder(pieces);
      Map<IsolatedKey, int[]> isolated = new HashMap<>();
      for (SchemeLayer d : done) {
        if (d.isolatedKey() != null) {
          isolated.put(d.isolatedKey(), d.isolated());
        }
      }
      for (int k = 0; k < states.size(); k++) {
        SchemeState st = states.get(k);
        SchemeLayer d = done.get(k);
        QuantizedNetwork.Layer l = st.run.net().layers().get(i);
        FloatLayer f = l.floatLayer();
        IsolatedKey key = isolatedKey(st, l);
        // The SQNR sums in one pass, reading the tensors in place (no copies: the study runs at
        // -Xmx1g with little to spare). A first layer alone is its cumulative run.
        LayerSums s = st.sums.get(l.name());
        s.addErrors(
            floatOut.get(st.run.graphKey()),
            d.weightsOnly(),
            actOut.get(st.run.activationKey()),
            d.out(),
            key == null ? d.out() : isolated.get(key),
            l.outputParams());
        o.progress().advance(1, l.name());
        int[] out = d.out();
        QuantParams op = l.outputParams();
        if (predictors.contains(l.name())) {
          st.heads.put(l.name(), dequantize(out, op, f.outputShape()));
        }
        if (dump) {
          o.dump()
              .write(
                  st.run.scheme().cliName() + "/" + Analyzer.npyName(l.name()),
                  dequantize(out, op, f.outputShape()));
        }
      }
    }
    Map<QuantScheme, ImageFigures> results = new LinkedHashMap<>();
    for (SchemeState st : states) {
      results.put(st.run.scheme(), new ImageFigures(st.sums, new HeadOutputs(st.heads)));
    }
    return results;
  }

  /**
   * One image's machines: one per piece running at once, the most recently used handed out first
   * (its decoded program and DRAM constants are likely the ones the next piece needs).
   */
  private static final class Machines {
    private final MachineConfig config;
    private final Deque<LayerRunner> idle = new ConcurrentLinkedDeque<>();

    Machines(MachineConfig config) {
      this.config = config;
    }

    LayerRunner take() {
      LayerRunner r = idle.pollFirst();
      return r != null ? r : new LayerRunner(new Machine(config));
    }

    void give(LayerRunner r) {
      idle.addFirst(r);
    }
  }

  /**
   * One scheme's piece of a layer: the weights-only output, the simulated output, an isolated run.
   */
  private record SchemeLayer(
      FloatTensor weightsOnly, int[] out, IsolatedKey isolatedKey, int[] isolated) {}

  /** Which isolated run a scheme's layer needs; none for a first layer (its cumulative run). */
  private static IsolatedKey isolatedKey(SchemeState st, QuantizedNetwork.Layer l) {
    return l.floatLayer().input().equals(FloatGraph.INPUT)
        ? null
        : new IsolatedKey(st.run.graphKey(), l.quantized(), l.inputParams());
  }

  /**
   * One scheme's layer on one image: the weights-only pass, the simulated pipeline (with the
   * accumulator watermark) and its rounding and saturation, then, if {@code isolatedRun} is not
   * null, this layer alone fed its float input quantized (without the watermark), on a machine no
   * other piece uses meanwhile.
   */
  private SchemeLayer schemeLayer(
      SchemeState st,
      QuantizedNetwork.Layer l,
      LayerSums s,
      IsolatedKey isolatedRun,
      Map<GraphKey, FloatTensor> floatIn,
      Machines runners)
      throws AnalysisException {
    FloatLayer f = l.floatLayer();
    FloatTensor w = st.run.passes().weightsOnly.runLayer(f.name(), st.weightsOnly.inputOf(f));
    st.weightsOnly.put(f, w);
    o.progress().advance(1, l.name());
    LayerRunner runner = runners.take();
    try {
      runner.machine().trackAccumulatorWidth(true);
      int[] out = simulatedLayer(runner, st, l, s);
      o.progress().advance(2, l.name());
      int[] iso = null;
      if (isolatedRun != null) {
        runner.machine().trackAccumulatorWidth(false);
        // Quantized per run, not kept for another scheme with the same input: at -Xmx1g the study
        // has no room for one more tensor at its largest layer.
        int[] isoIn = quantize(floatIn.get(st.run.graphKey()), l.inputParams());
        iso = simulate(runner, st.run.compiled().get(l.name()), isoIn, l).output();
      }
      return new SchemeLayer(w, out, isolatedRun, iso);
    } finally {
      runners.give(runner);
    }
  }

  /**
   * One layer of a scheme's quantized pipeline on the simulator: its counters, the optional check
   * against the integer reference, and rounding and saturation against the exact requantization.
   */
  private int[] simulatedLayer(
      LayerRunner runner, SchemeState st, QuantizedNetwork.Layer l, LayerSums s)
      throws AnalysisException {
    FloatLayer f = l.floatLayer();
    int[] in = st.ints.inputOf(f);
    LayerRunner.Run run = simulate(runner, st.run.compiled().get(l.name()), in, l);
    int[] out = run.output();
    st.ints.put(f, out);
    RunResult r = run.result();
    s.overflows = r.accumulatorOverflows();
    s.bitsNeeded = r.accumulatorBitsNeeded();
    s.cycles = r.cycles();
    s.macs = r.macs();
    if (o.check()) {
      int[] expected = IntegerReference.run(l.quantized(), ImmutableIntArray.copyOf(in));
      ElementMismatch m = ElementMismatch.of(expected, out);
      if (m != null) {
        throw new AnalysisException(
            "--check: scheme " + st.run.scheme().cliName() + ": layer " + l.name() + ": " + m);
      }
    }
    roundingAndSaturation(l, st.run.passes().exactOutput(l, in), out, s);
    return out;
  }

  private static LayerRunner.Run simulate(
      LayerRunner runner, CompiledLayer c, int[] input, QuantizedNetwork.Layer l)
      throws AnalysisException {
    try {
      return runner.run(c, input);
    } catch (SimulationFault f) {
      throw new AnalysisException("layer " + l.name() + ": " + f.getMessage());
    }
  }

  /**
   * Rounding error against the exact requantization, and saturation by the 8-bit range beyond what
   * the float activation itself clips (ReLU's floor at 0 and ReLU6's ceiling at 6 are the layer's
   * function, not error).
   */
  private static void roundingAndSaturation(
      QuantizedNetwork.Layer l, double[] exact, int[] out, LayerSums s) {
    QuantizedLayer q = l.quantized();
    QuantParams op = l.outputParams();
    int zo = op.zeroPoint();
    Activation.Kind act = l.floatLayer().activation().kind();
    double actLo = act == Activation.Kind.NONE ? Double.NEGATIVE_INFINITY : zo;
    double actHi =
        act == Activation.Kind.RELU6
            ? zo + Activation.RELU6_MAX / op.scale()
            : Double.POSITIVE_INFINITY;
    s.addRequantization(out, exact, q.activationMin(), q.activationMax(), zo, actLo, actHi);
  }

  static int[] quantize(FloatTensor t, QuantParams p) {
    int[] q = new int[t.size()];
    for (int i = 0; i < q.length; i++) {
      q[i] = p.quantize(t.get(i));
    }
    return q;
  }

  static FloatTensor dequantize(int[] q, QuantParams p, TensorShape shape) {
    double[] v = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      v[i] = p.dequantize(q[i]);
    }
    return FloatTensor.adopt(shape, v);
  }
}
