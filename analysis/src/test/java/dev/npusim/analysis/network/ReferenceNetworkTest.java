package dev.npusim.analysis.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.golden.reference.SoftmaxReference;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ReferenceNetworkTest {
  static TfliteModel model(String name) throws IOException {
    try (InputStream in =
        ReferenceNetworkTest.class.getResourceAsStream("/models/tflite/" + name)) {
      return TfliteReader.read(name, in.readAllBytes());
    }
  }

  @Test
  void floatModelIsRefusedWithTheTensorNamed() throws IOException {
    TfliteModel m = model("kws_ref_model_float32.tflite");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ReferenceNetwork.of(m));
    assertTrue(
        e.getMessage().startsWith("kws_ref_model_float32.tflite: operator 0 (CONV_2D): output"),
        e.getMessage());
  }

  @Test
  void inputOfTheWrongSizeIsNamed() throws IOException {
    ReferenceNetwork n = ReferenceNetwork.of(model("kws_ref_model.tflite"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> n.run(new int[10]));
    assertTrue(e.getMessage().startsWith("input has 10 values, tensor 0 "), e.getMessage());
    assertTrue(e.getMessage().endsWith("[1, 49, 10, 1] holds 490"), e.getMessage());
  }

  @Test
  void softmaxConstantsFollowTfliteScaling() {
    // beta 1, input scale 2^-4: real = 2^-4 * 2^26 = 2^22 = 0.5 * 2^23 -> multiplier 2^30, shift
    // 23; diff_min = -floor(31 * 2^26 / 2^23) = -248.
    SoftmaxReference.Parameters p = ReferenceNetwork.softmaxParameters(null, null, 1f, 0.0625f);
    assertEquals(1 << 30, p.inputMultiplier());
    assertEquals(23, p.inputLeftShift());
    assertEquals(-248, p.diffMin());
  }
}
