package dev.npusim.models.image;

import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.ssd.Box;
import dev.npusim.models.ssd.SsdMobilenetV1;

/**
 * A network input and where the photo sits in it.
 *
 * @param tensor {@code [1, 512, 512, 3]}, values {@code p * 0.007843137718737125 - 1}
 * @param imageHeight the photo's height in pixels
 * @param imageWidth the photo's width in pixels
 * @param resizedHeight rows of the canvas the photo covers (from the top)
 * @param resizedWidth columns of the canvas the photo covers (from the left)
 */
public record PreprocessedImage(
    FloatTensor tensor, int imageHeight, int imageWidth, int resizedHeight, int resizedWidth) {

  /** A box in canvas unit coordinates mapped to the photo's pixel coordinates. */
  public Box toImagePixels(Box canvasBox) {
    int canvas = SsdMobilenetV1.INPUT_SIZE;
    return canvasBox.scaled(
        canvas * (double) imageHeight / resizedHeight, canvas * (double) imageWidth / resizedWidth);
  }
}
