package dev.npusim.models.tflite;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The evaluation head of an imported classifier (person_detect, vww, kws, ResNet-8): the class with
 * the highest output. Two pipelines agree on an input when their top-1 classes are equal; ties go
 * to the lowest class index, as {@code argmax} does.
 */
public final class Top1Head {
  private Top1Head() {}

  /** Index of the largest value (the first of equal ones). */
  public static int top1(double[] scores) {
    checkArgument(scores.length > 0, "no scores");
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return best;
  }
}
