package dev.npusim.analysis.study;

import dev.npusim.kernels.graph.FloatTensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network's evaluation head in the study: what a pipeline's outputs mean end to end, measured on
 * one input against the float reference's outputs on the same input, then over all inputs. The face
 * detector's head is SSD decoding, NMS and face matching ({@link FaceDetectionHead}); a
 * classifier's is its top-1 class and the SQNR of its output ({@link ClassifierHead}).
 *
 * @param <E> the figures of one pipeline on one input
 * @param <T> the figures of one pipeline over all inputs
 */
public interface EvaluationHead<E, T> {
  /** The layers whose outputs the head reads; passes keep these tensors to the end. */
  Set<String> outputLayers();

  /**
   * One pipeline on one input.
   *
   * @param input the input's display name
   * @param reference the float reference's outputs of {@link #outputLayers}, by layer
   * @param outputs the pipeline's outputs of the same layers, dequantized
   */
  E evaluate(String input, Map<String, FloatTensor> reference, Map<String, FloatTensor> outputs);

  /** One pipeline over all inputs, from its per-input figures in input order. */
  T total(List<E> perInput);
}
