package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.kernels.graph.FloatTensor;

/**
 * Receives the tensors the study is asked to keep ({@code analyze --dump}): the first image's
 * input, every float layer output and every scheme's dequantized simulated output. Names are
 * relative paths such as {@code float/MobilenetV1__Conv2d_1_depthwise.npy}; the file format is the
 * caller's.
 */
public interface TensorDump {
  void write(String name, FloatTensor tensor) throws AnalysisException;
}
