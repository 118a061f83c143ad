package dev.npusim.analysis.study;

import dev.npusim.analysis.imported.ModelInput;
import dev.npusim.analysis.imported.TfliteSource;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import java.util.List;

/** The network a {@link Study} runs on, with its evaluation and calibration inputs. */
public sealed interface NetworkSource {
  /**
   * The SSD face detector's float graph (TensorFlow.js weights), quantized by npusim's schemes;
   * inputs are photos pre-processed as MODEL.md describes. Its head is {@link FaceDetectionHead}.
   *
   * @param name the model's name in reports
   */
  record Ssd(
      SsdMobilenetV1 model, String name, List<ImageFile> evaluation, List<ImageFile> calibration)
      implements NetworkSource {
    public Ssd {
      evaluation = List.copyOf(evaluation);
      calibration = List.copyOf(calibration);
    }
  }

  /**
   * An imported int8 {@code .tflite} network: the TFLite converter's own quantization is one
   * pipeline; with a float original, npusim's schemes re-quantize it. Its head is {@link
   * ClassifierHead}.
   *
   * @param calibration the inputs npusim's schemes calibrate on; empty for the evaluation inputs
   */
  record Tflite(TfliteSource source, List<ModelInput> evaluation, List<ModelInput> calibration)
      implements NetworkSource {
    public Tflite {
      evaluation = List.copyOf(evaluation);
      calibration = List.copyOf(calibration);
    }
  }
}
