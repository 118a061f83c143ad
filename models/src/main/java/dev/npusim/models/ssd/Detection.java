package dev.npusim.models.ssd;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One detected face.
 *
 * @param score sigmoid of the face class logit, in [0, 1]
 * @param box decoded box in the 512x512 canvas's unit coordinates (not clipped to [0, 1])
 * @param anchor index of the anchor it came from, 0..5117, in the concatenation order of MODEL.md
 */
public record Detection(double score, Box box, int anchor) {
  public Detection {
    checkArgument(score >= 0 && score <= 1, "score %s outside [0, 1]", score);
    checkArgument(box != null, "box is null");
    checkArgument(anchor >= 0, "anchor %s", anchor);
  }

  @Override
  public String toString() {
    return String.format("score %.4f %s (anchor %d)", score, box, anchor);
  }
}
