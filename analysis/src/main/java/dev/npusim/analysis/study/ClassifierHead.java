package dev.npusim.analysis.study;

import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.tflite.Top1Head;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evaluation head of an imported classifier (person_detect, vww, kws, ResNet-8): whether a
 * pipeline's top-1 class ({@link Top1Head}) equals the float reference's, and the SQNR of its
 * output (the class probabilities) against the float reference's, over every element of every
 * input.
 */
public final class ClassifierHead
    implements EvaluationHead<ClassifierHead.Classified, ClassifierHead.Agreement> {
  /** One pipeline's output on one input, beside the float reference's. */
  public record Classified(String input, boolean agrees, double[] reference, double[] output) {}

  /**
   * @param agreeing inputs whose top-1 class equals the float reference's
   * @param outputSqnrDb SQNR of the outputs of all inputs against the float reference's
   */
  public record Agreement(int agreeing, int inputs, double outputSqnrDb) {}

  private final String outputLayer;

  /**
   * @param outputLayer the layer whose output holds the class scores (the network's last)
   */
  public ClassifierHead(String outputLayer) {
    this.outputLayer = outputLayer;
  }

  @Override
  public Set<String> outputLayers() {
    return Set.of(outputLayer);
  }

  @Override
  public Classified evaluate(
      String input, Map<String, FloatTensor> reference, Map<String, FloatTensor> outputs) {
    return classify(
        input, reference.get(outputLayer).toArray(), outputs.get(outputLayer).toArray());
  }

  /** One input's output beside the reference's, as arrays. */
  public Classified classify(String input, double[] reference, double[] output) {
    return new Classified(
        input, Top1Head.top1(output) == Top1Head.top1(reference), reference, output);
  }

  @Override
  public Agreement total(List<Classified> perInput) {
    Sqnr sqnr = new Sqnr();
    int agreeing = 0;
    for (Classified c : perInput) {
      for (int i = 0; i < c.reference().length; i++) {
        sqnr.add(c.reference()[i], c.output()[i]);
      }
      agreeing += c.agrees() ? 1 : 0;
    }
    return new Agreement(agreeing, perInput.size(), sqnr.db());
  }
}
