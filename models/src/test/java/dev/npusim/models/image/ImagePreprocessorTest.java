package dev.npusim.models.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.ssd.SampleRuns;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePreprocessorTest {

  /** MODEL.md's mapping, written out here: p * 0.007843137718737125 - 1. */
  private static double mapped(double p) {
    return p * 0.007843137718737125 - 1;
  }

  @Test
  void longerSideBecomes512() {
    // 1920x1280 (sample1): 1280 * 512 / 1920 = 341.33 -> 341 rows.
    assertArrayEquals(new int[] {341, 512}, ImagePreprocessor.resizedSize(1280, 1920, 512));
    assertArrayEquals(new int[] {512, 341}, ImagePreprocessor.resizedSize(1920, 1280, 512));
    assertArrayEquals(new int[] {512, 512}, ImagePreprocessor.resizedSize(100, 100, 512));
    // 3 * 512 / 1000 = 1.536 -> 2.
    assertArrayEquals(new int[] {2, 512}, ImagePreprocessor.resizedSize(3, 1000, 512));
  }

  @Test
  void areaResizeWeightsStraddlingPixelsByCoverage() {
    // 3 pixels to 2: output 0 covers source [0, 1.5): all of pixel 0, half of pixel 1;
    // output 1 covers [1.5, 3): half of pixel 1 and all of pixel 2. Means over 1.5 pixels.
    double[] out = ImagePreprocessor.resizeArea(new int[] {30, 60, 90}, 1, 3, 1, 1, 2);
    assertEquals((30 + 0.5 * 60) / 1.5, out[0], 1e-12);
    assertEquals((0.5 * 60 + 90) / 1.5, out[1], 1e-12);
  }

  @Test
  void halvingAveragesTwoByTwoBlocks() {
    // 4x4, one channel, values 0..15 row-major -> 2x2 block means.
    int[] src = new int[16];
    for (int i = 0; i < 16; i++) {
      src[i] = i;
    }
    double[] out = ImagePreprocessor.resizeArea(src, 4, 4, 1, 2, 2);
    assertArrayEquals(
        new double[] {
          (0 + 1 + 4 + 5) / 4.0,
          (2 + 3 + 6 + 7) / 4.0,
          (8 + 9 + 12 + 13) / 4.0,
          (10 + 11 + 14 + 15) / 4.0
        },
        out);
  }

  @Test
  void placesTheImageTopLeftAndPadsWithMinusOne() {
    // 4 wide, 2 high: scaled by exactly 128 to 512x256, so every canvas pixel of the image area
    // lies inside one source pixel and takes its value unchanged.
    BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_3BYTE_BGR);
    int[][] rgb = new int[8][];
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 4; x++) {
        int r = 30 * x + 7;
        int g = 255 - 40 * y;
        int b = (x * 50 + y * 90) % 256;
        rgb[y * 4 + x] = new int[] {r, g, b};
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    PreprocessedImage p = ImagePreprocessor.preprocess(img);
    FloatTensor t = p.tensor();
    assertEquals(new TensorShape(1, 512, 512, 3), t.shape());
    assertEquals(256, p.resizedHeight());
    assertEquals(512, p.resizedWidth());
    for (int y = 0; y < 512; y++) {
      for (int x = 0; x < 512; x++) {
        for (int c = 0; c < 3; c++) {
          double expected = y < 256 ? mapped(rgb[(y / 128) * 4 + x / 128][c]) : -1.0;
          assertEquals(expected, t.get(0, y, x, c), "pixel " + y + "," + x + "," + c);
        }
      }
    }
    assertEquals(-1.0, t.get(0, 511, 0, 0)); // padding: 0 * scale - 1, exactly
    assertEquals(mapped(7), t.get(0, 0, 0, 0));
  }

  @Test
  void whiteImageMapsToOneAndPaddingStartsBelowTheImage() {
    BufferedImage img = new BufferedImage(1920, 1280, BufferedImage.TYPE_INT_RGB);
    int[] white = new int[1920];
    Arrays.fill(white, 0xffffff);
    for (int y = 0; y < 1280; y++) {
      img.setRGB(0, y, 1920, 1, white, 0, 1920);
    }
    FloatTensor t = ImagePreprocessor.preprocess(img).tensor();
    // 341 image rows (see longerSideBecomes512); the area mean of 255s is 255 again.
    for (int x = 0; x < 512; x += 37) {
      assertEquals(mapped(255), t.get(0, 0, x, 0), 1e-15);
      assertEquals(mapped(255), t.get(0, 340, x, 2), 1e-15);
      assertEquals(-1.0, t.get(0, 341, x, 1));
    }
  }

  @Test
  void greyImagesGiveEqualChannels() {
    BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setSample(0, 0, 0, 77);
    int[] rgb = ImagePreprocessor.rgb(img);
    assertArrayEquals(new int[] {77, 77, 77}, Arrays.copyOf(rgb, 3));
  }

  @Test
  void rejectsBytesThatAreNotAnImage() {
    InputFileException e =
        assertThrows(
            InputFileException.class,
            () ->
                ImagePreprocessor.decode(new ByteArrayInputStream(new byte[] {1, 2, 3}), "x.jpg"));
    assertTrue(e.getMessage().startsWith("x.jpg: "), e.getMessage());
  }

  @Test
  void sample1DecodesToA512CanvasWithPaddingBelowRow341() throws Exception {
    PreprocessedImage p = SampleRuns.sample1();
    assertEquals(1280, p.imageHeight());
    assertEquals(1920, p.imageWidth());
    FloatTensor t = p.tensor();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < t.size(); i++) {
      min = Math.min(min, t.get(i));
      max = Math.max(max, t.get(i));
    }
    assertTrue(min >= -1.0 && max <= mapped(255) && max > 0, min + " " + max);
    for (int y = 341; y < 512; y++) {
      for (int x = 0; x < 512; x++) {
        assertEquals(-1.0, t.get(0, y, x, 0));
      }
    }
  }

  @Test
  void imageFilesComeFromFoldersAndTheClasspath(@TempDir Path dir) throws Exception {
    assertEquals(6, ImageFile.bundledSamples().size());
    Files.write(dir.resolve("b.jpg"), new byte[] {1});
    Files.write(dir.resolve("a.png"), new byte[] {1});
    Files.write(dir.resolve("notes.txt"), new byte[] {1});
    List<ImageFile> files = ImageFile.fromPaths(List.of(dir));
    assertEquals(
        List.of(dir.resolve("a.png").toString(), dir.resolve("b.jpg").toString()),
        files.stream().map(ImageFile::name).toList());
    InputFileException e = assertThrows(InputFileException.class, () -> files.get(0).decode());
    assertTrue(e.getMessage().contains("a.png"), e.getMessage());
    assertThrows(InputFileException.class, () -> ImageFile.fromPaths(List.of(dir.resolve("none"))));
  }
}
