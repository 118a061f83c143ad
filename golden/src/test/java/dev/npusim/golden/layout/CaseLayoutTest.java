package dev.npusim.golden.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.cases.GoldenVectors;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every golden case laid out by the kernel ABI: the regions are where docs/kernel-abi.md says,
 * aligned and disjoint, and the image holds each tensor as the document describes it (read back
 * here by the document's rules, not by the layout code).
 */
class CaseLayoutTest {
  @Test
  void everyGoldenCaseIsLaidOutAsTheAbiSays() throws Exception {
    for (Path f : GoldenVectors.all()) {
      GoldenCase c = CaseReader.read(f);
      QuantizedLayer l = c.layer();
      CaseLayout layout = CaseLayout.of(c);
      byte[] image = layout.image();
      String[] names = {
        "input",
        "output",
        "filter",
        "bias",
        l.requant() instanceof Requantization.Q31 ? "multiplier" : "scale",
        "shift",
        "filter_zero_point"
      };
      assertEquals(names.length, layout.regions().size(), f.toString());
      long end = 0;
      for (int i = 0; i < names.length; i++) {
        Region r = layout.regions().get(i);
        assertEquals(names[i], r.name());
        assertEquals(0, r.address() % 64, r.toString());
        assertTrue(r.address() >= end && r.address() < end + 64, r.toString());
        end = r.end();
      }
      assertEquals(0, layout.input().address());
      assertEquals(end, image.length);
      int oc = l.output().c();
      for (int i = 0; i < c.input().length(); i++) {
        assertEquals((byte) c.input().get(i), image[i]);
      }
      for (int i = 0; i < l.filter().length(); i++) {
        assertEquals((byte) l.filter().get(i), image[layout.region("filter").get().address() + i]);
      }
      ByteBuffer le = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
      int bias = layout.region("bias").get().address();
      int mult = layout.regions().get(4).address();
      int shift = layout.region("shift").get().address();
      int zw = layout.region("filter_zero_point").get().address();
      for (int ch = 0; ch < oc; ch++) {
        assertEquals(l.biasOf(ch), le.getInt(bias + 4 * ch));
        if (l.requant() instanceof Requantization.Q31 q) {
          assertEquals(q.multiplier(ch), le.getInt(mult + 4 * ch));
          assertEquals(q.shift(ch), le.getInt(shift + 4 * ch));
        } else {
          Requantization.FloatScale s = (Requantization.FloatScale) l.requant();
          assertEquals(s.scale(ch), Float.intBitsToFloat(le.getInt(mult + 4 * ch)));
          assertEquals(0, le.getInt(shift + 4 * ch));
        }
        assertEquals((byte) l.filterZeroPoint(ch), image[zw + ch]);
      }
      Region out = layout.output();
      for (int i = 0; i < out.bytes(); i++) {
        assertEquals(0, image[out.address() + i], "the output region starts zeroed");
      }
      assertArrayEquals(
          c.expectedOutput().stream().mapToObj(v -> (byte) v).toArray(),
          toObjects(layout.expectedOutput()));
    }
  }

  private static Object[] toObjects(byte[] b) {
    Object[] o = new Object[b.length];
    for (int i = 0; i < b.length; i++) {
      o[i] = b[i];
    }
    return o;
  }

  @Test
  void writeToWritesTheImageTheHexAndTheJson(@TempDir Path dir) throws Exception {
    Path f = GoldenVectors.all().get(0);
    CaseLayout layout = CaseLayout.of(CaseReader.read(f));
    layout.writeTo(dir);
    assertArrayEquals(layout.image(), Files.readAllBytes(dir.resolve("dram.bin")));
    assertTrue(Files.readString(dir.resolve("dram.hex")).startsWith("@0\n"));
    JsonNode json = new ObjectMapper().readTree(dir.resolve("layout.json").toFile());
    assertEquals(CaseLayout.FORMAT, json.path("format").asText());
    assertEquals(layout.dramBytes(), json.path("dram_bytes").asInt());
    JsonNode regions = json.path("regions");
    assertEquals(layout.regions().size(), regions.size());
    for (int i = 0; i < regions.size(); i++) {
      Region r = layout.regions().get(i);
      JsonNode n = regions.get(i);
      assertEquals(r.name(), n.path("name").asText());
      assertEquals(r.address(), n.path("address").asInt());
      assertEquals(r.bytes(), n.path("bytes").asInt());
      assertEquals(r.dtype(), n.path("dtype").asText());
      assertEquals(r.shape().size(), n.path("shape").size());
    }
    try (var files = Files.list(dir)) {
      assertEquals(3, files.count(), "three files and no temporaries");
    }
  }

  @Test
  void aLayoutLargerThanTheDramIsRejectedWithItsSize() throws Exception {
    CaseLayout layout = CaseLayout.of(CaseReader.read(GoldenVectors.all().get(0)));
    LayoutException e =
        assertThrows(LayoutException.class, () -> layout.checkFits(64, "case.json"));
    assertTrue(
        e.getMessage()
            .startsWith(
                String.format(
                    "case.json: the kernel ABI layout needs %,d bytes of DRAM",
                    layout.dramBytes())),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("the machine has 64"), e.getMessage());
  }
}
