package dev.npusim.models.ssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.models.image.PreprocessedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaceDetectionTest {

  @Test
  void sample1HasThreeConfidentFaces() throws Exception {
    SsdMobilenetV1 model = SampleRuns.model();
    PreprocessedImage image = SampleRuns.sample1();
    List<Detection> faces = new SsdPostprocessor(model).detect(SampleRuns.sample1Run());
    for (Detection d : faces) {
      System.out.println("sample1.jpg: " + d + ", pixels " + image.toImagePixels(d.box()));
    }
    assertEquals(3, faces.size(), "faces in sample1.jpg: " + faces);
    for (Detection d : faces) {
      assertTrue(d.score() > 0.98, "score of " + d);
    }
  }
}
