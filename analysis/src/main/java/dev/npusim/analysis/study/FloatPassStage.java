package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.kernels.quant.Calibration;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.image.ImageFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * Stage 1: float runs of each distinct float graph on every image, in parallel: the min/max ranges
 * of the calibration images and the head outputs (float detections) of every image.
 */
final class FloatPassStage {
  /**
   * Per float graph: its calibration, its head outputs per image and its executor (shared by the
   * float passes of every scheme that quantizes the graph).
   */
  record Result(
      Map<GraphKey, Calibration> calibrations,
      Map<GraphKey, Map<String, HeadOutputs>> heads,
      Map<GraphKey, FloatGraphExecutor> executors) {}

  /**
   * One float pass over one image: the range of every tensor (empty unless the image calibrates)
   * and the head outputs.
   */
  private record FloatPass(Map<String, Calibration.Range> ranges, HeadOutputs heads) {}

  private final Analyzer.Options o;
  private final Set<String> predictors;
  private final ImageDecodeStage.Result images;

  private FloatPassStage(
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
      Map<GraphKey, FloatGraph> graphs,
      List<ImageFile> all)
      throws AnalysisException {
    return new FloatPassStage(o, predictors, images).run(pool, graphs, all);
  }

  private Result run(StudyPool pool, Map<GraphKey, FloatGraph> graphs, List<ImageFile> all)
      throws AnalysisException {
    Map<GraphKey, Map<String, HeadOutputs>> floatHeads = new HashMap<>();
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
      Map<String, HeadOutputs> heads = new HashMap<>();
      for (int i = 0; i < all.size(); i++) {
        FloatPass r = pool.get(g.getValue().get(i));
        r.ranges().forEach(cal::observe);
        heads.put(all.get(i).name(), r.heads());
      }
      calibrations.put(g.getKey(), cal.build());
      floatHeads.put(g.getKey(), heads);
    }
    return new Result(calibrations, floatHeads, executors);
  }

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
        o.dump().write("float/" + Analyzer.npyName(l.name()), out);
      }
      o.progress().advance(1, "float " + image);
    }
    return new FloatPass(ranges, new HeadOutputs(heads));
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
}
