package dev.npusim.models.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.models.tensor.InputTensorReader.PixelMapping;
import dev.npusim.models.tflite.Quantization;
import dev.npusim.models.tflite.TensorType;
import dev.npusim.models.tflite.TfliteTensor;

/**
 * Coverage-guided fuzzing of run-model's input readers (issue 12): the {@code .npy} reader and the
 * image path (decode, size check, pixel mapping). Contract: exactly one int8 value per element of
 * the model input, or one {@link InputFileException}; never any other exception. Seeds: a hand-made
 * int8 and float32 {@code .npy} of shape (1, 4, 4, 1) for the first, the vendored 96x96 BMP of
 * TFLite Micro's person detection example for the second.
 */
class InputTensorFuzzTest {
  /** A model input as the readers see it: int8, scale 0.5, zero point -3. */
  private static TfliteTensor input(int... shape) {
    return new TfliteTensor(
        0,
        "input",
        TensorType.INT8,
        ImmutableIntArray.copyOf(shape),
        new Quantization(ImmutableDoubleArray.of(0.5), ImmutableLongArray.of(-3), 0),
        null);
  }

  private static final TfliteTensor SMALL = input(1, 4, 4, 1);
  private static final TfliteTensor PERSON = input(1, 96, 96, 1);

  @FuzzTest(maxDuration = "10m")
  void readNpy(byte[] bytes) {
    check(bytes, "fuzz.npy", SMALL, null);
  }

  @FuzzTest(maxDuration = "10m")
  void readImage(byte[] bytes) {
    check(bytes, "fuzz.bmp", PERSON, PixelMapping.FULL_RANGE);
  }

  private static void check(byte[] bytes, String name, TfliteTensor input, PixelMapping pixels) {
    int[] values;
    try {
      values = InputTensorReader.read(name, bytes, input, pixels);
    } catch (InputFileException expected) {
      return; // the typed error
    }
    assertEquals(input.elements(), values.length, "one value per element");
    for (int v : values) {
      assertTrue(v >= -128 && v <= 127, "int8 value " + v);
    }
  }
}
