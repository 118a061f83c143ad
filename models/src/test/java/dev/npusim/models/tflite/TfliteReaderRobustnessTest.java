package dev.npusim.models.tflite;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged files give a {@link ModelFormatException} (or read, when the damage hits bytes that do
 * not matter), never another exception: flipped bytes anywhere in a real model and every truncation
 * length of its first kilobyte.
 */
class TfliteReaderRobustnessTest {
  private static void readOrLocatedError(String what, byte[] bytes) {
    try {
      TfliteReader.read("damaged.tflite", bytes);
    } catch (ModelFormatException e) {
      assertTrue(e.getMessage().startsWith("damaged.tflite: "), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    } catch (RuntimeException e) {
      fail(what + ": " + e, e);
    }
  }

  @Test
  void flippedBytesGiveLocatedErrorsOnly() throws IOException {
    byte[] original = TfliteReaderTest.resource("kws_ref_model.tflite");
    Random random = new Random(20261127);
    for (int trial = 0; trial < 400; trial++) {
      byte[] bytes = original.clone();
      StringBuilder what = new StringBuilder("trial " + trial + ", bytes");
      for (int k = 0; k < 4; k++) {
        // Most of the file is weight data; aim half of the flips at the FlatBuffer's tables,
        // which sit at the start and the end of a .tflite file.
        int position =
            random.nextBoolean()
                ? random.nextInt(bytes.length)
                : (random.nextBoolean()
                    ? random.nextInt(2048)
                    : bytes.length - 1 - random.nextInt(4096));
        bytes[position] = (byte) random.nextInt(256);
        what.append(' ').append(position);
      }
      readOrLocatedError(what.toString(), bytes);
    }
  }

  @Test
  void everyTruncationGivesALocatedError() throws IOException {
    byte[] original = TfliteReaderTest.resource("person_detect.tflite");
    for (int length = 0; length < 1024; length++) {
      readOrLocatedError("length " + length, Arrays.copyOf(original, length));
    }
    for (int length = original.length - 2048; length < original.length; length += 7) {
      readOrLocatedError("length " + length, Arrays.copyOf(original, length));
    }
  }
}
