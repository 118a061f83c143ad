package dev.npusim.models.ssd;

import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.graph.BatchNormFold;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.image.PreprocessedImage;

/**
 * The model and the float run of sample1.jpg, loaded once per test JVM: several test classes need
 * them and a full run takes seconds.
 */
public final class SampleRuns {
  private SampleRuns() {}

  private static SsdMobilenetV1 model;
  private static PreprocessedImage sample1;
  private static FloatActivations sample1Run;
  private static FloatActivations sample1FoldedRun;

  public static synchronized SsdMobilenetV1 model() throws InputFileException {
    if (model == null) {
      model = SsdMobilenetV1.loadBundled();
    }
    return model;
  }

  public static synchronized PreprocessedImage sample1() throws InputFileException {
    if (sample1 == null) {
      sample1 = ImageFile.bundled("sample1.jpg").preprocess();
    }
    return sample1;
  }

  /** The unfolded model's float run on sample1.jpg. */
  public static synchronized FloatActivations sample1Run() throws InputFileException {
    if (sample1Run == null) {
      FloatTensor input = sample1().tensor();
      long t0 = System.nanoTime();
      sample1Run = new FloatGraphExecutor(model().graph()).run(input);
      System.out.printf(
          "float run of sample1.jpg (%.2f GMAC): %.2f s%n",
          model().graph().macs() / 1e9, (System.nanoTime() - t0) / 1e9);
    }
    return sample1Run;
  }

  /** The run of sample1.jpg with every BatchNorm folded. */
  public static synchronized FloatActivations sample1FoldedRun() throws InputFileException {
    if (sample1FoldedRun == null) {
      FloatGraph folded = BatchNormFold.fold(model().graph());
      sample1FoldedRun = new FloatGraphExecutor(folded).run(sample1().tensor());
    }
    return sample1FoldedRun;
  }
}
