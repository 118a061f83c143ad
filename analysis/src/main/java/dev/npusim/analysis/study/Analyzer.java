package dev.npusim.analysis.study;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.Calibration;
import dev.npusim.kernels.quant.NetworkQuantizer;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.Detection;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.models.ssd.SsdPostprocessor;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The per-layer error analysis of Sheng et al. (2018), "A Quantization-Friendly Separable
 * Convolution for MobileNets", on the real SSD-MobileNetV1, for several quantization schemes.
 *
 * <ol>
 *   <li>Each scheme's float network (BatchNorm folded, plus its rewrite) runs on the calibration
 *       images; min/max ranges quantize it ({@link NetworkQuantizer}).
 *   <li>Every layer is compiled once for the machine.
 *   <li>For each scheme and evaluation image, in parallel: the quantized network runs layer by
 *       layer on the simulator, instruction by instruction (optionally checked against the integer
 *       reference); beside it run the scheme's float network, its weights-only and activations-only
 *       variants, each layer alone on its quantized float input, and the exact unrounded
 *       requantization of every layer's integer input. Per-layer sums of every figure accumulate
 *       over the images.
 *   <li>Detections of each pipeline are matched against the original float network's.
 * </ol>
 */
public final class Analyzer {
  /** Below this BatchNorm moving variance a channel counts as dead. */
  static final double DEAD_VARIANCE = 1e-10;

  /** What to analyze. */
  public record Options(
      SsdMobilenetV1 model,
      String modelName,
      List<ImageFile> evaluation,
      List<ImageFile> calibration,
      List<QuantScheme> schemes,
      MachineConfig machine,
      boolean check,
      TensorDump dump,
      Progress progress) {}

  /** Receives progress in arbitrary units. */
  public interface Progress {
    void total(long units);

    void advance(long units, String what);
  }

  private final Options o;
  private final FloatGraph original;
  private final Set<String> predictors;
  private final FaceDetectionHead head;
  private final Map<String, FloatTensor> images = new LinkedHashMap<>();

  private Analyzer(Options o) {
    this.o = o;
    this.original = o.model().graph();
    this.predictors = o.model().predictorLayers();
    this.head = new FaceDetectionHead(new SsdPostprocessor(o.model()));
  }

  public static AnalysisResult run(Options o) throws AnalysisException {
    return new Analyzer(o).analyze();
  }

  /** Per-layer sums for one scheme, merged over images. */
  private static final class LayerSums {
    final Sqnr cumulative = new Sqnr();
    final Sqnr isolated = new Sqnr();
    final Sqnr weightsOnly = new Sqnr();
    final Sqnr activationsOnly = new Sqnr();
    double roundingSum;
    double roundingSquares;
    long roundingCount;
    long saturated;
    long outputs;
    double clippedEnergy;
    double signalEnergy;
    long overflows;
    int bitsNeeded;
    long cycles;
    long macs;

    void add(LayerSums o) {
      cumulative.add(o.cumulative);
      isolated.add(o.isolated);
      weightsOnly.add(o.weightsOnly);
      activationsOnly.add(o.activationsOnly);
      roundingSum += o.roundingSum;
      roundingSquares += o.roundingSquares;
      roundingCount += o.roundingCount;
      saturated += o.saturated;
      outputs += o.outputs;
      clippedEnergy += o.clippedEnergy;
      signalEnergy += o.signalEnergy;
      overflows += o.overflows;
      bitsNeeded = Math.max(bitsNeeded, o.bitsNeeded);
      cycles += o.cycles;
      macs += o.macs;
    }
  }

  /** The predictor outputs of one pass (for detections and face scores). */
  private record Heads(Map<String, FloatTensor> outputs) {}

  /** One (scheme, image) task's results. */
  private record TaskResult(Map<String, LayerSums> layers, Heads heads) {}

  /**
   * Stage 1's result: per float graph, its calibration, its predictor outputs per image and its
   * executor (shared by the float passes of every scheme that quantizes the graph).
   */
  private record FloatStage(
      Map<GraphKey, Calibration> calibrations,
      Map<GraphKey, Map<String, Heads>> heads,
      Map<GraphKey, FloatGraphExecutor> executors) {}

  private AnalysisResult analyze() throws AnalysisException {
    long start = System.nanoTime();
    List<ImageFile> all = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (ImageFile f : concat(o.evaluation(), o.calibration())) {
      if (seen.add(f.name())) {
        all.add(f);
      }
    }
    // Distinct float graphs: tf8, tf8-dw-per-channel and int8-per-channel share the folded one.
    Map<QuantScheme, FloatGraph> graphOf = new LinkedHashMap<>();
    Map<GraphKey, FloatGraph> graphs = new LinkedHashMap<>();
    graphs.put(GraphKey.FOLDED, NetworkQuantizer.floatGraph(original, QuantScheme.TF8));
    for (QuantScheme s : o.schemes()) {
      GraphKey key = GraphKey.of(s);
      graphs.computeIfAbsent(key, k -> NetworkQuantizer.floatGraph(original, s));
      graphOf.put(s, graphs.get(key));
    }
    int layers = original.layers().size();
    long stage1 = (long) graphs.size() * all.size() * layers;
    long stage3 = (long) o.schemes().size() * o.evaluation().size() * layers * 4;
    o.progress().total(all.size() * 2L + stage1 + stage3);

    try (var pool = new Pool()) {
      decodeImages(pool, all);
      FloatStage floats = floatPasses(pool, graphs, all);
      List<SchemeRun> schemeRuns = quantizeAndCompile(pool, graphOf, floats);
      List<Map<QuantScheme, TaskResult>> results = simulate(pool, schemeRuns);
      return aggregate(floats.heads(), schemeRuns, results, start);
    }
  }

  /** Stage 0: decode and pre-process every image (MODEL.md). */
  private void decodeImages(Pool pool, List<ImageFile> all) throws AnalysisException {
    List<Future<FloatTensor>> decoded = new ArrayList<>();
    for (ImageFile f : all) {
      decoded.add(
          pool.submit(
              () -> {
                FloatTensor t = f.preprocess().tensor();
                o.progress().advance(2, "decoding " + f.name());
                return t;
              }));
    }
    for (int i = 0; i < all.size(); i++) {
      images.put(all.get(i).name(), pool.get(decoded.get(i)));
    }
    if (o.dump() != null) {
      FloatTensor first = images.get(o.evaluation().get(0).name());
      o.dump().write("input.npy", first);
    }
  }

  /** Stage 1: float runs of each graph: calibration ranges and the float detections. */
  private FloatStage floatPasses(Pool pool, Map<GraphKey, FloatGraph> graphs, List<ImageFile> all)
      throws AnalysisException {
    Map<GraphKey, Map<String, Heads>> floatHeads = new HashMap<>();
    Map<GraphKey, Calibration> calibrations = new HashMap<>();
    Map<GraphKey, List<Future<FloatPass>>> runs = new LinkedHashMap<>();
    Map<GraphKey, FloatGraphExecutor> executors = new HashMap<>();
    Set<String> calibNames = new LinkedHashSet<>();
    for (ImageFile f : o.calibration()) {
      calibNames.add(f.name());
    }
    for (var g : graphs.entrySet()) {
      FloatGraphExecutor ref = new FloatGraphExecutor(g.getValue());
      executors.put(g.getKey(), ref);
      List<Future<FloatPass>> perImage = new ArrayList<>();
      for (ImageFile f : all) {
        boolean dumpFloat =
            o.dump() != null
                && g.getKey().equals(GraphKey.FOLDED)
                && f.name().equals(o.evaluation().get(0).name());
        perImage.add(
            pool.submit(() -> floatRun(ref, f.name(), calibNames.contains(f.name()), dumpFloat)));
      }
      runs.put(g.getKey(), perImage);
    }
    for (var g : runs.entrySet()) {
      Calibration.Builder cal = Calibration.builder();
      Map<String, Heads> heads = new HashMap<>();
      for (int i = 0; i < all.size(); i++) {
        FloatPass r = pool.get(g.getValue().get(i));
        r.ranges().forEach(cal::observe);
        heads.put(all.get(i).name(), r.heads());
      }
      calibrations.put(g.getKey(), cal.build());
      floatHeads.put(g.getKey(), heads);
    }
    return new FloatStage(calibrations, floatHeads, executors);
  }

  /**
   * Stage 2: quantize each scheme and compile every distinct layer once (in parallel): schemes that
   * quantize a layer identically share its program.
   */
  private List<SchemeRun> quantizeAndCompile(
      Pool pool, Map<QuantScheme, FloatGraph> graphOf, FloatStage floats) throws AnalysisException {
    Map<GraphKey, Calibration> calibrations = floats.calibrations();
    Map<QuantScheme, QuantizedNetwork> nets = new LinkedHashMap<>();
    Map<QuantScheme, Future<FloatPasses>> passes = new LinkedHashMap<>();
    Map<QuantizedLayer, Future<CompiledLayer>> programs = new HashMap<>();
    for (QuantScheme s : o.schemes()) {
      QuantizedNetwork net =
          NetworkQuantizer.quantize(graphOf.get(s), calibrations.get(GraphKey.of(s)), s);
      nets.put(s, net);
      FloatGraphExecutor reference = floats.executors().get(GraphKey.of(s));
      passes.put(s, pool.submit(() -> new FloatPasses(net, reference)));
      for (QuantizedNetwork.Layer l : net.layers()) {
        programs.computeIfAbsent(l.quantized(), q -> pool.submit(() -> compile(l)));
      }
    }
    List<SchemeRun> schemeRuns = new ArrayList<>();
    for (QuantScheme s : o.schemes()) {
      QuantizedNetwork net = nets.get(s);
      Map<String, CompiledLayer> c = new LinkedHashMap<>();
      for (QuantizedNetwork.Layer l : net.layers()) {
        c.put(l.name(), pool.get(programs.get(l.quantized())));
      }
      schemeRuns.add(
          new SchemeRun(s, net, pool.get(passes.get(s)), c, GraphKey.of(s), activationKey(s, net)));
    }
    return schemeRuns;
  }

  /**
   * Stage 3: the simulated pipelines and their companions, one task per image covering every
   * scheme, so that what schemes share is computed once.
   */
  private List<Map<QuantScheme, TaskResult>> simulate(Pool pool, List<SchemeRun> schemeRuns)
      throws AnalysisException {
    List<Future<Map<QuantScheme, TaskResult>>> tasks = new ArrayList<>();
    Semaphore heap = new Semaphore(imagesAtOnce(schemeRuns, Runtime.getRuntime().maxMemory()));
    for (int i = 0; i < o.evaluation().size(); i++) {
      ImageFile f = o.evaluation().get(i);
      boolean dumpThis = o.dump() != null && i == 0;
      tasks.add(
          pool.submit(
              () -> {
                heap.acquire();
                try {
                  return imageTask(schemeRuns, f.name(), dumpThis);
                } finally {
                  heap.release();
                }
              }));
    }
    List<Map<QuantScheme, TaskResult>> results = new ArrayList<>();
    for (var t : tasks) {
      results.add(pool.get(t));
    }
    return results;
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
    long fit = maxHeap / (3 * perTask);
    return (int) Math.max(1, Math.min(fit, Runtime.getRuntime().availableProcessors()));
  }

  /** Stage 4: detections, per-layer figures summed over images, end-to-end figures, notes. */
  private AnalysisResult aggregate(
      Map<GraphKey, Map<String, Heads>> floatHeads,
      List<SchemeRun> schemeRuns,
      List<Map<QuantScheme, TaskResult>> results,
      long start) {
    Map<String, Heads> reference = floatHeads.get(GraphKey.FOLDED);
    List<AnalysisResult.ImageDetections> originalDetections = new ArrayList<>();
    Map<String, List<Detection>> referenceDetections = new HashMap<>();
    Map<String, double[]> referenceScores = new HashMap<>();
    for (ImageFile f : o.evaluation()) {
      Heads h = reference.get(f.name());
      List<Detection> d = head.detect(h.outputs());
      referenceDetections.put(f.name(), d);
      referenceScores.put(f.name(), head.scores(h.outputs()));
      originalDetections.add(
          new AnalysisResult.ImageDetections(displayName(f.name()), FaceDetectionHead.boxes(d)));
    }
    List<AnalysisResult.Variant> variants = new ArrayList<>();
    for (SchemeRun run : schemeRuns) {
      QuantScheme s = run.scheme();
      Map<String, LayerSums> sums = new LinkedHashMap<>();
      List<AnalysisResult.EndToEnd> perImage = new ArrayList<>();
      List<AnalysisResult.EndToEnd> floatPerImage = new ArrayList<>();
      for (int i = 0; i < o.evaluation().size(); i++) {
        String image = o.evaluation().get(i).name();
        TaskResult t = results.get(i).get(s);
        t.layers().forEach((k, v) -> sums.computeIfAbsent(k, x -> new LayerSums()).add(v));
        perImage.add(
            head.endToEnd(
                displayName(image),
                t.heads().outputs(),
                referenceDetections.get(image),
                referenceScores.get(image)));
        floatPerImage.add(
            head.endToEnd(
                displayName(image),
                floatHeads.get(GraphKey.of(s)).get(image).outputs(),
                referenceDetections.get(image),
                referenceScores.get(image)));
      }
      boolean changed = !GraphKey.of(s).equals(GraphKey.FOLDED);
      variants.add(
          new AnalysisResult.Variant(
              s.cliName(),
              s.description(),
              layerResults(s, run.net(), sums),
              perImage,
              FaceDetectionHead.total(perImage),
              new AnalysisResult.FloatChange(
                  changed, FaceDetectionHead.total(floatPerImage), floatPerImage),
              o.check()));
    }
    List<String> notes = notes();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new AnalysisResult(
        o.modelName(),
        o.machine().name(),
        o.calibration().stream().map(f -> displayName(f.name())).toList(),
        o.evaluation().stream().map(f -> displayName(f.name())).toList(),
        originalDetections,
        variants,
        seconds,
        notes);
  }

  private List<String> notes() {

    List<String> notes = new ArrayList<>();
    notes.add(
        "Sheng et al.'s own fix (no BatchNorm and no ReLU6 in the depthwise layers) needs"
            + " retraining and cannot be run on these trained weights; the depthwise BatchNorm-fold"
            + " figures show the mechanism it removes.");
    notes.add(
        "Each layer's SQNR compares the scheme's quantized pipeline, run on the simulator, with"
            + " that scheme's own float network; detections and face scores compare with the"
            + " original float network.");
    FloatLayer firstPointwise =
        original.layers().stream()
            .filter(l -> l.kind() == LayerKind.CONV2D && l.kernelH() == 1)
            .findFirst()
            .orElseThrow();
    if (DepthwiseFoldFigures.perTensorWeightSqnr(firstPointwise.filter().toArray()) > 100) {
      notes.add(
          "The model file stores every weight tensor as uint8 per tensor (MODEL.md), so a"
              + " per-tensor uint8 grid reproduces the unfolded weights exactly (weight SQNR"
              + " about 300 dB, float rounding only) while symmetric per-channel int8 re-quantizes"
              + " them onto another grid: on these weights int8-per-channel pays a re-quantization"
              + " cost in the pointwise layers that a network trained in float would not show in"
              + " this form.");
    }
    return notes;
  }

  private CompiledLayer compile(QuantizedNetwork.Layer l) throws AnalysisException {
    try {
      return LayerRunner.compile(l.quantized(), o.machine());
    } catch (CompileException e) {
      throw new AnalysisException(
          "layer "
              + l.name()
              + " does not fit machine "
              + o.machine().name()
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Which float graph a scheme quantizes, named by the scheme that defines it: tf8,
   * tf8-dw-per-channel and int8-per-channel share the BatchNorm-folded graph ({@link #FOLDED}),
   * every other scheme rewrites it in its own way. Schemes with one graph share its float passes.
   */
  private record GraphKey(QuantScheme definedBy) {
    static final GraphKey FOLDED = new GraphKey(QuantScheme.TF8);

    static GraphKey of(QuantScheme s) {
      return switch (s) {
        case TF8, TF8_DW_PER_CHANNEL, INT8_PER_CHANNEL -> FOLDED;
        default -> new GraphKey(s);
      };
    }
  }

  /** A float graph with the activation quantization of every tensor (input first). */
  private record ActivationKey(GraphKey graph, List<QuantParams> params) {}

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> r = new ArrayList<>(a);
    r.addAll(b);
    return r;
  }

  /**
   * One float pass over one image: the range of every tensor (empty unless the image calibrates)
   * and the predictor outputs.
   */
  private record FloatPass(Map<String, Calibration.Range> ranges, Heads heads) {}

  private FloatPass floatRun(
      FloatGraphExecutor ref, String image, boolean calibrate, boolean dumpFloat)
      throws AnalysisException {
    FloatGraph g = ref.graph();
    FloatTensor input = images.get(image);
    Map<String, Calibration.Range> ranges = new LinkedHashMap<>();
    if (calibrate) {
      ranges.put(FloatGraph.INPUT, minMax(input));
    }
    Map<String, FloatTensor> heads = new HashMap<>();
    LiveTensors<FloatTensor> live = new LiveTensors<>(g, predictors, input);
    for (FloatLayer l : g.layers()) {
      FloatTensor out = ref.runLayer(l.name(), live.inputOf(l));
      live.put(l, out);
      if (calibrate) {
        ranges.put(l.name(), minMax(out));
      }
      if (predictors.contains(l.name())) {
        heads.put(l.name(), out);
      }
      if (dumpFloat) {
        o.dump().write("float/" + npyName(l.name()), out);
      }
      o.progress().advance(1, "float " + image);
    }
    return new FloatPass(ranges, new Heads(heads));
  }

  private static Calibration.Range minMax(FloatTensor t) {
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    for (int i = 0; i < t.size(); i++) {
      double v = t.get(i);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return new Calibration.Range(lo, hi);
  }

  /** A quantized scheme ready to run: its network, float companions and programs. */
  private record SchemeRun(
      QuantScheme scheme,
      QuantizedNetwork net,
      FloatPasses passes,
      Map<String, CompiledLayer> compiled,
      GraphKey graphKey,
      ActivationKey activationKey) {}

  /**
   * Schemes with the same float graph and the same activation quantization on every tensor run
   * identical activations-only passes (tf8 and tf8-dw-per-channel differ only in weights).
   */
  private static ActivationKey activationKey(QuantScheme s, QuantizedNetwork net) {
    List<QuantParams> params = new ArrayList<>();
    params.add(net.input());
    for (QuantizedNetwork.Layer l : net.layers()) {
      params.add(l.outputParams());
    }
    return new ActivationKey(GraphKey.of(s), List.copyOf(params));
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

  /** A machine of its own for one task, with only as much DRAM as the largest program uses. */
  private Machine machineFor(List<SchemeRun> runs) {
    long dramNeeded = 1 << 20;
    for (SchemeRun r : runs) {
      for (CompiledLayer c : r.compiled().values()) {
        dramNeeded = Math.max(dramNeeded, c.plan().dramBytes());
      }
    }
    return new Machine(o.machine().withDram((int) Math.min(o.machine().dramBytes(), dramNeeded)));
  }

  /**
   * Every scheme on one image, layer by layer: the float network of each float graph, the
   * activations-only pass of each activation quantization, and per scheme its weights-only pass,
   * its simulated pipeline, the exact requantization of its integer inputs and each layer alone.
   */
  private Map<QuantScheme, TaskResult> imageTask(List<SchemeRun> runs, String image, boolean dump)
      throws AnalysisException {
    FloatTensor input = images.get(image);
    Machine machine = machineFor(runs);
    LayerRunner runner = new LayerRunner(machine);
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
      Map<IsolatedKey, int[]> isolated = new HashMap<>();
      for (SchemeState st : states) {
        QuantizedNetwork.Layer l = st.run.net().layers().get(i);
        FloatLayer f = l.floatLayer();
        LayerSums s = new LayerSums();
        st.sums.put(l.name(), s);
        FloatTensor ref = floatOut.get(st.run.graphKey());
        FloatTensor w = st.run.passes().weightsOnly.runLayer(f.name(), st.weightsOnly.inputOf(f));
        st.weightsOnly.put(f, w);
        FloatTensor a = actOut.get(st.run.activationKey());
        for (int k = 0; k < ref.size(); k++) {
          s.weightsOnly.add(ref.get(k), w.get(k));
          s.activationsOnly.add(ref.get(k), a.get(k));
        }
        o.progress().advance(1, l.name());
        // The quantized pipeline on the simulator, with the accumulator watermark.
        machine.trackAccumulatorWidth(true);
        int[] out = simulatedLayer(runner, st, l, ref, s);
        QuantParams op = l.outputParams();
        o.progress().advance(2, l.name());
        // This layer alone, fed its float input quantized; shared by schemes that agree on it.
        machine.trackAccumulatorWidth(false);
        int[] iso;
        if (f.input().equals(FloatGraph.INPUT)) {
          iso = out;
        } else {
          IsolatedKey key = new IsolatedKey(st.run.graphKey(), l.quantized(), l.inputParams());
          iso = isolated.get(key);
          if (iso == null) {
            int[] isoIn = quantize(floatIn.get(st.run.graphKey()), l.inputParams());
            iso = simulate(runner, st.run.compiled().get(l.name()), isoIn, l).output();
            isolated.put(key, iso);
          }
        }
        for (int k = 0; k < iso.length; k++) {
          s.isolated.add(ref.get(k), op.dequantize(iso[k]));
        }
        o.progress().advance(1, l.name());
        if (predictors.contains(l.name())) {
          st.heads.put(l.name(), dequantize(out, op, f.outputShape()));
        }
        if (dump) {
          o.dump()
              .write(
                  st.run.scheme().cliName() + "/" + npyName(l.name()),
                  dequantize(out, op, f.outputShape()));
        }
      }
    }
    Map<QuantScheme, TaskResult> results = new LinkedHashMap<>();
    for (SchemeState st : states) {
      results.put(st.run.scheme(), new TaskResult(st.sums, new Heads(st.heads)));
    }
    return results;
  }

  /**
   * One layer of a scheme's quantized pipeline on the simulator: its counters, its cumulative error
   * against the float network ({@code ref}), the optional check against the integer reference, and
   * rounding and saturation against the exact requantization.
   */
  private int[] simulatedLayer(
      LayerRunner runner, SchemeState st, QuantizedNetwork.Layer l, FloatTensor ref, LayerSums s)
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
    QuantParams op = l.outputParams();
    for (int k = 0; k < out.length; k++) {
      s.cumulative.add(ref.get(k), op.dequantize(out[k]));
    }
    if (o.check()) {
      int[] expected = IntegerReference.run(l.quantized(), ImmutableIntArray.copyOf(in));
      if (!Arrays.equals(expected, out)) {
        throw new IllegalStateException(
            "simulator and integer reference disagree on layer "
                + l.name()
                + " of "
                + st.run.scheme().cliName());
      }
    }
    roundingAndSaturation(l, st.run.passes().exactOutput(l, in), out, s);
    return out;
  }

  private LayerRunner.Run simulate(
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
    int lo = q.activationMin();
    int hi = q.activationMax();
    for (int i = 0; i < exact.length; i++) {
      double u = exact[i];
      double intended = Math.min(Math.max(u, actLo), actHi);
      s.outputs++;
      s.signalEnergy += (intended - zo) * (intended - zo);
      if (u >= lo && u <= hi) {
        double e = out[i] - u;
        s.roundingSum += e;
        s.roundingSquares += e * e;
        s.roundingCount++;
      }
      // Clamped by the 8-bit range where the float activation would not clip: saturation.
      double lost = intended - Math.min(Math.max(intended, lo), hi);
      if (Math.abs(lost) > 0.5) {
        s.saturated++;
      }
      s.clippedEnergy += lost * lost;
    }
  }

  static int[] quantize(FloatTensor t, QuantParams p) {
    int[] q = new int[t.size()];
    for (int i = 0; i < q.length; i++) {
      q[i] = p.quantize(t.get(i));
    }
    return q;
  }

  static FloatTensor dequantize(int[] q, QuantParams p, dev.npusim.kernels.TensorShape shape) {
    double[] v = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      v[i] = p.dequantize(q[i]);
    }
    return FloatTensor.adopt(shape, v);
  }

  private List<AnalysisResult.Layer> layerResults(
      QuantScheme s, QuantizedNetwork net, Map<String, LayerSums> sums) {
    Map<String, FloatLayer> unfolded = new HashMap<>();
    for (FloatLayer l : original.layers()) {
      unfolded.put(l.name(), l);
    }
    List<AnalysisResult.Layer> out = new ArrayList<>();
    for (QuantizedNetwork.Layer l : net.layers()) {
      LayerSums x = sums.get(l.name());
      AnalysisResult.DepthwiseFold fold = null;
      if (l.floatLayer().kind() == LayerKind.DEPTHWISE_CONV2D) {
        fold = DepthwiseFoldFigures.of(unfolded.get(l.name()), l);
      }
      out.add(
          new AnalysisResult.Layer(
              l.name(),
              l.floatLayer().kind().caseName(),
              l.floatLayer().macs(),
              x.cumulative.db(),
              x.isolated.db(),
              x.weightsOnly.db(),
              x.activationsOnly.db(),
              x.roundingCount == 0 ? 0 : x.roundingSum / x.roundingCount,
              x.roundingCount == 0 ? 0 : Math.sqrt(x.roundingSquares / x.roundingCount),
              x.outputs == 0 ? 0 : (double) x.saturated / x.outputs,
              x.signalEnergy == 0 ? 0 : x.clippedEnergy / x.signalEnergy,
              x.overflows,
              x.bitsNeeded,
              x.cycles,
              x.macs,
              fold));
    }
    return out;
  }

  /** Vendored images print as their file names. */
  static String displayName(String image) {
    return image.startsWith("classpath:") ? image.substring(image.lastIndexOf('/') + 1) : image;
  }

  static String npyName(String layer) {
    return layer.replace("/", "__") + ".npy";
  }

  /** A fixed pool of one thread per core whose failures surface as AnalysisException. */
  private static final class Pool implements AutoCloseable {
    interface Work<T> {
      T call() throws Exception;
    }

    private final ExecutorService exec =
        Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());

    <T> Future<T> submit(Work<T> w) {
      return exec.submit(w::call);
    }

    <T> T get(Future<T> f) throws AnalysisException {
      try {
        return f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AnalysisException("interrupted");
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof AnalysisException u) {
          throw u;
        }
        if (c instanceof InputFileException i) {
          throw new AnalysisException(i.getMessage());
        }
        if (c instanceof RuntimeException r) {
          throw r;
        }
        throw new AnalysisException(c.toString(), c);
      }
    }

    @Override
    public void close() {
      exec.shutdownNow();
    }
  }
}
