package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.kernels.graph.FloatTensor;

/**
 * Receives the tensors the study is asked to keep ({@code analyze --dump}): the first input, every
 * float layer output and every pipeline's simulated output. Names are relative paths such as {@code
 * float/MobilenetV1__Conv2d_1_depthwise.npy}; the file format is the caller's.
 */
public interface TensorDump {
  void write(String name, FloatTensor tensor) throws AnalysisException;

  /**
   * An integer tensor as an imported model stores it (the TFLite converter's int8 pipeline, whose
   * files then equal {@code run-model --dump}'s).
   *
   * @param shape the model tensor's shape
   * @param int32 true for an int32 tensor, false for int8
   */
  void writeIntegers(String name, int[] shape, int[] values, boolean int32)
      throws AnalysisException;
}
