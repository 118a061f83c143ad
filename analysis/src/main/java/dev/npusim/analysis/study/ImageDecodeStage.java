package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.image.ImageFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/** Stage 0: decode and pre-process every image (MODEL.md), in parallel. */
final class ImageDecodeStage {
  /** Every distinct image's network input, by image name. */
  record Result(Map<String, FloatTensor> byName) {
    FloatTensor get(String image) {
      return byName.get(image);
    }
  }

  private ImageDecodeStage() {}

  /**
   * @param all every image, evaluation and calibration, each once
   */
  static Result run(StudyPool pool, Analyzer.Options o, List<ImageFile> all)
      throws AnalysisException {
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
    Map<String, FloatTensor> images = new LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      images.put(all.get(i).name(), pool.get(decoded.get(i)));
    }
    if (o.dump() != null) {
      FloatTensor first = images.get(o.evaluation().get(0).name());
      o.dump().write("input.npy", first);
    }
    return new Result(images);
  }
}
