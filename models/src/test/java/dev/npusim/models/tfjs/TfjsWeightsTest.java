package dev.npusim.models.tfjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.models.ssd.SsdMobilenetV1;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfjsWeightsTest {

  @TempDir Path dir;

  /**
   * Three tensors, 13 bytes: 'a' float32 [2, 2] as uint8 (scale 0.5, min -1), 'k' int32 scalar as
   * uint8 (scale 0.25, min 0), 'f' float32 [2] unquantized.
   */
  private static final String MANIFEST =
      """
      [{"paths": ["w.bin"], "weights": [
        {"name": "a", "shape": [2, 2], "dtype": "float32",
         "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}},
        {"name": "k", "shape": [], "dtype": "int32",
         "quantization": {"dtype": "uint8", "scale": 0.25, "min": 0}},
        {"name": "f", "shape": [2], "dtype": "float32"}
      ]}]
      """;

  private static byte[] bin() {
    ByteBuffer b = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0).put((byte) 1).put((byte) 2).put((byte) 255); // a
    b.put((byte) 5); // k
    b.putFloat(1.5f).putFloat(-2.25f); // f
    return b.array();
  }

  private TfjsWeights read(String manifest, byte[] bin) throws Exception {
    Files.writeString(dir.resolve("m.json"), manifest);
    Files.write(dir.resolve("w.bin"), bin);
    return TfjsWeights.read(ModelSource.directory(dir), "m.json");
  }

  private String failure(String manifest, byte[] bin) {
    InputFileException e = assertThrows(InputFileException.class, () -> read(manifest, bin));
    System.out.println("message: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void readsQuantizedFloatAndIntTensors() throws Exception {
    TfjsWeights w = read(MANIFEST, bin());
    assertEquals(java.util.List.of("a", "k", "f"), w.names());
    // q * 0.5 - 1 for q = 0, 1, 2, 255.
    assertEquals(Arrays.asList(-1.0, -0.5, 0.0, 126.5), w.tensor("a").values().asList());
    // 5 * 0.25 = 1.25, rounded to 1.
    assertEquals(1, w.tensor("k").ints().get(0));
    assertEquals(Arrays.asList(1.5, -2.25), w.tensor("f").values().asList());
    assertEquals(0, w.tensor("k").shape().length());
  }

  @Test
  void rejectsATruncatedBinary() {
    String m = failure(MANIFEST, Arrays.copyOf(bin(), 12));
    assertTrue(m.contains("w.bin") && m.contains("m.json"), m);
    assertTrue(m.contains("truncated") && m.contains("'f'"), m);
    assertTrue(m.contains("13") && m.contains("12 bytes"), m);
  }

  @Test
  void rejectsAnOversizedBinary() {
    String m = failure(MANIFEST, Arrays.copyOf(bin(), 16));
    assertTrue(m.contains("w.bin") && m.contains("16 bytes") && m.contains("take 13 bytes"), m);
    assertTrue(m.contains("3 bytes"), m);
  }

  @Test
  void rejectsAManifestWhoseSizesDisagreeWithTheBinary() {
    // 'a' claimed as [2, 3]: 6 + 1 + 8 = 15 bytes needed, 13 present.
    String m = failure(MANIFEST.replace("[2, 2]", "[2, 3]"), bin());
    assertTrue(m.contains("w.bin") && m.contains("'f'") && m.contains("15"), m);
    assertTrue(m.contains("13 bytes"), m);
  }

  @Test
  void rejectsAnUnknownDtype() {
    String m = failure(MANIFEST.replace("\"dtype\": \"int32\"", "\"dtype\": \"complex64\""), bin());
    assertTrue(m.contains("m.json") && m.contains("'k'") && m.contains("complex64"), m);
    String q =
        failure(MANIFEST.replace("\"uint8\", \"scale\": 0.5", "\"int4\", \"scale\": 0.5"), bin());
    assertTrue(q.contains("'a'") && q.contains("int4"), q);
  }

  @Test
  void rejectsAMissingField() {
    String m = failure(MANIFEST.replace("\"shape\": [], ", ""), bin());
    assertTrue(m.contains("m.json") && m.contains("weights[1].shape is missing"), m);
  }

  @Test
  void rejectsAMissingBinary() throws Exception {
    Files.writeString(dir.resolve("m.json"), MANIFEST);
    InputFileException e =
        assertThrows(
            InputFileException.class, () -> TfjsWeights.read(ModelSource.directory(dir), "m.json"));
    assertTrue(e.getMessage().contains("w.bin"), e.getMessage());
  }

  /** Copies the vendored model into the temp folder, with its binary cut or edited. */
  private byte[] vendored(String file) throws IOException {
    try (InputStream in =
        getClass().getResourceAsStream(ModelSource.BUNDLED_SSD_MOBILENETV1 + file)) {
      return in.readAllBytes();
    }
  }

  @Test
  void rejectsTheRealModelWithATruncatedBinary() throws Exception {
    byte[] bin = vendored("ssd_mobilenetv1_model.bin");
    assertEquals(5616957, bin.length); // MODEL.md: the bytes add up to the file's size
    Files.write(dir.resolve(SsdMobilenetV1.MANIFEST), vendored(SsdMobilenetV1.MANIFEST));
    Files.write(dir.resolve("ssd_mobilenetv1_model.bin"), Arrays.copyOf(bin, bin.length - 100));
    InputFileException e =
        assertThrows(
            InputFileException.class, () -> SsdMobilenetV1.load(ModelSource.directory(dir)));
    System.out.println("message: " + e.getMessage());
    // The anchors are stored last (MODEL.md), so they are what the cut hits.
    assertTrue(e.getMessage().contains("'Output/extra_dim'"), e.getMessage());
    assertTrue(
        e.getMessage().contains("5616957") && e.getMessage().contains("5616857"), e.getMessage());
  }

  @Test
  void rejectsTheRealModelWhenAShapeContradictsTheNetwork() throws Exception {
    // Swap IC and OC of pointwise 1: same byte count, so the binary still fits, but the layer
    // would read 64 channels where depthwise 1 gives 32.
    ObjectMapper json = new ObjectMapper();
    ArrayNode manifest = (ArrayNode) json.readTree(vendored(SsdMobilenetV1.MANIFEST));
    for (var w : manifest.get(0).get("weights")) {
      if (w.get("name").asText().equals("MobilenetV1/Conv2d_1_pointwise/weights")) {
        ArrayNode shape = ((ObjectNode) w).putArray("shape");
        shape.add(1).add(1).add(64).add(32);
      }
    }
    Files.write(dir.resolve(SsdMobilenetV1.MANIFEST), json.writeValueAsBytes(manifest));
    Files.write(dir.resolve("ssd_mobilenetv1_model.bin"), vendored("ssd_mobilenetv1_model.bin"));
    InputFileException e =
        assertThrows(
            InputFileException.class, () -> SsdMobilenetV1.load(ModelSource.directory(dir)));
    System.out.println("message: " + e.getMessage());
    assertTrue(e.getMessage().contains("'MobilenetV1/Conv2d_1_pointwise/weights'"), e.getMessage());
    assertTrue(e.getMessage().contains("[1, 1, 64, 32], expected [1, 1, 32, *]"), e.getMessage());
    assertTrue(e.getMessage().contains(SsdMobilenetV1.MANIFEST), e.getMessage());
  }

  @Test
  void dequantizesTheRealFirstTensorByTheManifestFormula() throws Exception {
    // Independent of the reader: the first stored tensor starts at byte 0 of the binary.
    ObjectMapper json = new ObjectMapper();
    var first = json.readTree(vendored(SsdMobilenetV1.MANIFEST)).get(0).get("weights").get(0);
    double scale = first.get("quantization").get("scale").asDouble();
    double min = first.get("quantization").get("min").asDouble();
    byte[] bin = vendored("ssd_mobilenetv1_model.bin");
    TfjsWeights w = TfjsWeights.read(ModelSource.bundled(), SsdMobilenetV1.MANIFEST);
    var t = w.tensor(first.get("name").asText());
    for (int i = 0; i < 10; i++) {
      assertEquals((bin[i] & 0xff) * scale + min, t.values().get(i));
    }
    // The anchors are the file's last 5118 * 4 float32 values.
    ByteBuffer tail =
        ByteBuffer.wrap(bin, bin.length - 5118 * 16, 5118 * 16).order(ByteOrder.LITTLE_ENDIAN);
    var anchors = w.tensor("Output/extra_dim").values();
    for (int i = 0; i < 5118 * 4; i++) {
      assertEquals(tail.getFloat(), anchors.get(i));
    }
  }
}
