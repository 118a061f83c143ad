package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.quant.NetworkQuantizer;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.models.ssd.SsdPostprocessor;
import dev.npusim.simulator.MachineConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-layer error analysis of Sheng et al. (2018), "A Quantization-Friendly Separable
 * Convolution for MobileNets", on the real SSD-MobileNetV1, for several quantization schemes: the
 * driver of the study's named stages, each with a typed result.
 *
 * <ol start="0">
 *   <li>{@link ImageDecodeStage}: every image decoded and pre-processed.
 *   <li>{@link FloatPassStage}: each scheme's float network (BatchNorm folded, plus its rewrite)
 *       runs on the images: min/max ranges of the calibration images, float head outputs.
 *   <li>{@link QuantizeStage}: each scheme quantized ({@code NetworkQuantizer}); every distinct
 *       layer compiled once for the machine.
 *   <li>{@link SimulateStage}: for each evaluation image, in parallel, every scheme's quantized
 *       network layer by layer on the simulator, instruction by instruction (optionally checked
 *       against the integer reference), beside its float companions ({@link FloatPasses}).
 *   <li>{@link AggregateStage}: per-layer sums over the images, and detections of each pipeline
 *       matched against the original float network's ({@link FaceDetectionHead}).
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

  private Analyzer() {}

  public static AnalysisResult run(Options o) throws AnalysisException {
    long start = System.nanoTime();
    FloatGraph original = o.model().graph();
    Set<String> predictors = o.model().predictorLayers();
    FaceDetectionHead head = new FaceDetectionHead(new SsdPostprocessor(o.model()), predictors);
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

    try (var pool = new StudyPool()) {
      ImageDecodeStage.Result images = ImageDecodeStage.run(pool, o, all);
      FloatPassStage.Result floats = FloatPassStage.run(pool, o, predictors, images, graphs, all);
      QuantizeStage.Result schemes =
          QuantizeStage.run(pool, o.schemes(), graphOf, floats, o.machine());
      SimulateStage.Result simulated = SimulateStage.run(pool, o, predictors, images, schemes);
      return AggregateStage.run(o, original, head, floats, schemes, simulated, start);
    }
  }

  /** Vendored images print as their file names. */
  static String displayName(String image) {
    return image.startsWith("classpath:") ? image.substring(image.lastIndexOf('/') + 1) : image;
  }

  static String npyName(String layer) {
    return layer.replace("/", "__") + ".npy";
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> r = new ArrayList<>(a);
    r.addAll(b);
    return r;
  }
}
