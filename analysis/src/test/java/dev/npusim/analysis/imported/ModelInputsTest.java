package dev.npusim.analysis.imported;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.models.tflite.TfliteModel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInputsTest {
  @TempDir Path dir;

  static TfliteModel model(String file) throws java.io.IOException {
    try (java.io.InputStream in =
        ModelInputsTest.class.getResourceAsStream("/models/tflite/" + file)) {
      return dev.npusim.models.tflite.TfliteReader.read(file, in.readAllBytes());
    }
  }

  /**
   * {@code --all-samples}: the six photos, then person_detect's two example images, each a 96x96
   * grayscale picture the model takes unresized: its pixel p becomes the int8 code p - 128 (the
   * input's whole range), read here straight from the BMP.
   */
  @Test
  void allSamplesEndWithThePersonExampleImages() throws Exception {
    TfliteModel person = model("person_detect.tflite");
    List<ModelInput> all = ModelInputs.allSamples(person);
    assertEquals(8, all.size());
    assertEquals("person.bmp", all.get(6).name());
    assertEquals("no_person.bmp", all.get(7).name());
    BufferedImage bmp;
    try (java.io.InputStream in =
        ModelInputsTest.class.getResourceAsStream("/models/tflite/person.bmp")) {
      bmp = javax.imageio.ImageIO.read(in);
    }
    var q = TfliteSource.params(person.input());
    dev.npusim.kernels.graph.FloatTensor t = all.get(6).values();
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        int p = bmp.getRaster().getSample(x, y, 0);
        assertEquals(p - 128, q.quantize(t.get(y * 96 + x)), "pixel " + x + "," + y);
      }
    }
    AnalysisException e =
        assertThrows(
            AnalysisException.class, () -> ModelInputs.allSamples(model("kws_ref_model.tflite")));
    assertTrue(e.getMessage().contains("is not an image"), e.getMessage());
  }

  /** The real range an int8 code represents: scale * (q - zero point). */
  private static double real(TfliteModel m, int q) {
    return (double) m.input().quantization().scale() * (q - m.input().quantization().zeroPoint());
  }

  @Test
  void imageLevelsMapOntoTheInt8InputsRealRange() throws Exception {
    TfliteModel resnet = model("pretrainedResnet_quant.tflite");
    // A uniform 64x64 image, R 255, G 0, B 51: area-resizing to 32x32 keeps every pixel; R maps
    // to the top of the range, G to the bottom, B to one fifth of the way (51 / 255).
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        image.setRGB(x, y, (255 << 16) | 51);
      }
    }
    ModelInput in = ModelInputs.image(resnet, "flat.png", image);
    double lo = real(resnet, -128);
    double hi = real(resnet, 127);
    assertEquals(32 * 32 * 3, in.values().size());
    for (int p = 0; p < 32 * 32; p++) {
      assertEquals(hi, in.values().get(3 * p), 1e-12);
      assertEquals(lo, in.values().get(3 * p + 1), 1e-12);
      assertEquals(lo + 0.2 * (hi - lo), in.values().get(3 * p + 2), 1e-12);
    }
  }

  @Test
  void oneChannelTakesTheMeanOfRgb() throws Exception {
    TfliteModel person = model("person_detect.tflite");
    assertTrue(ModelInputs.takesImages(person));
    // R 90, G 120, B 150: mean 120 of 255.
    BufferedImage image = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        image.setRGB(x, y, (90 << 16) | (120 << 8) | 150);
      }
    }
    ModelInput in = ModelInputs.image(person, "grey", image);
    double lo = real(person, -128);
    double hi = real(person, 127);
    assertEquals(96 * 96, in.values().size());
    assertEquals(lo + 120.0 / 255 * (hi - lo), in.values().get(500), 1e-12);
  }

  @Test
  void rawIsTheInt8TensorDequantized() throws Exception {
    TfliteModel kws = model("kws_ref_model.tflite");
    assertFalse(ModelInputs.takesImages(kws), "49x10 MFCCs are not a picture");
    int n = (int) kws.input().elements();
    byte[] bytes = new byte[n];
    bytes[0] = -128;
    bytes[1] = 127;
    bytes[2] = 3;
    Path raw = dir.resolve("x.raw");
    Files.write(raw, bytes);
    ModelInput in = ModelInputs.files(kws, List.of(raw)).get(0);
    assertEquals("x.raw", in.name());
    assertEquals(real(kws, -128), in.values().get(0), 1e-12);
    assertEquals(real(kws, 127), in.values().get(1), 1e-12);
    assertEquals(real(kws, 3), in.values().get(2), 1e-12);
    assertEquals(real(kws, 0), in.values().get(3), 1e-12);
    Files.write(raw, new byte[n + 1]);
    AnalysisException e =
        assertThrows(AnalysisException.class, () -> ModelInputs.files(kws, List.of(raw)));
    assertTrue(e.getMessage().contains((n + 1) + " bytes, but the input"), e.getMessage());
    assertTrue(e.getMessage().contains("holds " + n + " int8 values"), e.getMessage());
  }

  @Test
  void randomInputsAreSeededInt8CodesDequantized() {
    TfliteModel kws;
    try {
      kws = model("kws_ref_model.tflite");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<ModelInput> a = ModelInputs.random(kws, 2, 9);
    List<ModelInput> b = ModelInputs.random(kws, 2, 9);
    assertEquals(a.get(1).values(), b.get(1).values());
    assertEquals("random 2", a.get(1).name());
    double scale = (double) kws.input().quantization().scale();
    for (int i = 0; i < a.get(0).values().size(); i++) {
      double q = a.get(0).values().get(i) / scale + kws.input().quantization().zeroPoint();
      assertEquals(Math.rint(q), q, 1e-9, "a whole int8 code");
      assertTrue(q >= -128.5 && q <= 127.5);
    }
  }
}
