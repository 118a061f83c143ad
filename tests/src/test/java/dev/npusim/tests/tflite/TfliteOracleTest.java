package dev.npusim.tests.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.models.tflite.BuiltinOperator;
import dev.npusim.models.tflite.TfliteLayers;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TFLite's own runtime as the oracle of the integer reference network: every operator output of the
 * four vendored int8 models, bit for bit, on the real images where the data has them, on all -128,
 * all 127 and 20 seeded random inputs per model.
 */
class TfliteOracleTest {
  static byte[] resource(String name) {
    try (InputStream in = TfliteOracleTest.class.getResourceAsStream("/models/tflite/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /models/tflite/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An 8-bit BMP's pixels, rows top-down, each byte reinterpreted as int8 (the example's way). */
  static int[] bmpAsInt8(String name) {
    ByteBuffer b = ByteBuffer.wrap(resource(name)).order(ByteOrder.LITTLE_ENDIAN);
    int offset = b.getInt(10);
    int width = b.getInt(18);
    int height = b.getInt(22);
    assertEquals(8, b.getShort(28), name + " bits per pixel");
    int stride = (width + 3) / 4 * 4;
    int[] out = new int[width * Math.abs(height)];
    for (int row = 0; row < Math.abs(height); row++) {
      int stored = height > 0 ? Math.abs(height) - 1 - row : row; // positive height: bottom-up
      for (int x = 0; x < width; x++) {
        out[row * width + x] = b.get(offset + stored * stride + x);
      }
    }
    return out;
  }

  record Run(String input, int[] values) {}

  static List<Run> inputs(TfliteModel model, int seed, List<Run> real) {
    int n = (int) model.input().elements();
    List<Run> runs = new ArrayList<>(real);
    int[] low = new int[n];
    int[] high = new int[n];
    java.util.Arrays.fill(low, -128);
    java.util.Arrays.fill(high, 127);
    runs.add(new Run("all -128", low));
    runs.add(new Run("all 127", high));
    Random random = new Random(seed);
    for (int r = 0; r < 20; r++) {
      int[] x = new int[n];
      for (int i = 0; i < n; i++) {
        x[i] = random.nextInt(256) - 128;
      }
      runs.add(new Run("random #" + r + " (seed " + seed + ")", x));
    }
    return runs;
  }

  /**
   * One element where TFLite's output differs from the reference run on TFLite's own inputs to the
   * operator.
   *
   * @param index flat NHWC index in the operator's output
   * @param operatorInput TFLite's values of the operator's first input, for the explanation
   */
  record Departure(
      String input, TfliteOperator op, int index, int tflite, int reference, int[] operatorInput) {
    @Override
    public String toString() {
      return op.label()
          + " on "
          + input
          + ": element "
          + index
          + " tflite "
          + tflite
          + ", reference "
          + reference;
    }
  }

  /** What one model's comparison found. */
  record Comparison(List<Departure> isolated, List<String> chained) {}

  /**
   * Runs TFLite and the reference network on every input and compares every operator output two
   * ways: each operator alone on TFLite's own input tensors (a departure there is the operator's
   * own), and the whole reference chain from the model input (which also checks the wiring).
   */
  static Comparison compare(String file, List<Run> runs) {
    byte[] bytes = resource(file);
    TfliteModel model = TfliteReader.read(file, bytes);
    ReferenceNetwork network = ReferenceNetwork.of(model);
    List<Departure> isolated = new ArrayList<>();
    List<String> chained = new ArrayList<>();
    try (TfliteRuntime tflite = new TfliteRuntime(QuantizedDimensionPatch.patch(bytes))) {
      for (Run run : runs) {
        tflite.invoke(run.values());
        ReferenceNetwork.Activations whole = network.run(run.values());
        for (TfliteOperator op : model.operators()) {
          int[] expected = tflite.tensor(op.output());
          int[] alone = network.runOperator(op.index(), tflite::tensor);
          int[] operatorInput = null;
          for (int i = 0; i < expected.length; i++) {
            if (expected[i] != alone[i]) {
              operatorInput = operatorInput == null ? tflite.tensor(op.input(0)) : operatorInput;
              isolated.add(new Departure(run.input(), op, i, expected[i], alone[i], operatorInput));
            }
          }
          int[] chainedValues = whole.tensor(op.output());
          for (int i = 0; i < expected.length; i++) {
            if (expected[i] != chainedValues[i]) {
              chained.add(
                  op.label()
                      + " on "
                      + run.input()
                      + ": element "
                      + i
                      + " tflite "
                      + expected[i]
                      + ", chained reference "
                      + chainedValues[i]);
              break;
            }
          }
        }
      }
    }
    return new Comparison(isolated, chained);
  }

  /**
   * The requantization of TFLite's optimized convolution and fully-connected kernels (ruy on x86):
   * the same doubling high multiply as the reference, but the right shift rounds ties toward
   * +infinity ({@code (x + 2^(s-1)) >> s}) where the reference rounds them away from zero. So the
   * two differ by 1 exactly when the high product, divided by 2^s, ends in a negative half. Written
   * out here from that description, independently of both the reference and the simulator.
   */
  static int tiesUpRequantization(int acc, int multiplier, int shift) {
    int left = Math.max(shift, 0);
    int right = Math.max(-shift, 0);
    long product = (long) (acc << left) * multiplier;
    long nudge = product >= 0 ? (1L << 30) : (1L - (1L << 30));
    int high = (int) ((product + nudge) / (1L << 31));
    return right == 0 ? high : (int) (((long) high + (1L << (right - 1))) >> right);
  }

  /**
   * Checks that every departure is the rounding difference: in a CONV_2D or FULLY_CONNECTED output,
   * 1 LSB, and exactly what ties-up rounding of the same 32-bit accumulator gives.
   */
  static void assertExplainedByTiesUp(TfliteModel model, List<Departure> departures) {
    Map<String, int[]> accumulators = new HashMap<>();
    for (Departure d : departures) {
      assertTrue(
          d.op().op() == BuiltinOperator.CONV_2D || d.op().op() == BuiltinOperator.FULLY_CONNECTED,
          "TFLite departs from the reference outside a convolution or fully-connected layer: " + d);
      assertEquals(1, Math.abs(d.tflite() - d.reference()), "departure of more than 1 LSB: " + d);
      QuantizedLayer layer = TfliteLayers.quantizedLayer(model, d.op());
      int[] acc =
          accumulators.computeIfAbsent(
              d.input() + "/" + d.op().index(),
              k ->
                  IntegerReference.accumulators(layer, ImmutableIntArray.copyOf(d.operatorInput()))
                      .wrapped()
                      .toArray());
      int oc = d.index() % layer.output().c();
      Requantization.Q31 q = (Requantization.Q31) layer.requant();
      int requantized =
          layer.outputZeroPoint()
              + tiesUpRequantization(acc[d.index()], q.multiplier(oc), q.shift(oc));
      int tiesUp = Math.min(Math.max(requantized, layer.activationMin()), layer.activationMax());
      assertEquals(
          tiesUp,
          d.tflite(),
          "TFLite's value is not the ties-up requantization of accumulator "
              + acc[d.index()]
              + ": "
              + d);
    }
  }

  static final List<Run> PERSON_IMAGES =
      List.of(
          new Run("person.bmp", bmpAsInt8("person.bmp")),
          new Run("no_person.bmp", bmpAsInt8("no_person.bmp")));

  /**
   * The person model (real images: the example's two BMPs), vww (the same two images with the gray
   * value in all three channels: the data has no colour image) and kws (no real MFCC input in the
   * data: all -128, all 127 and random inputs only) agree with TFLite on every element of every
   * operator output, each operator alone and the whole chain; kws's one known exception is checked
   * to be the ties-up rounding.
   */
  @ParameterizedTest
  @ValueSource(strings = {"person_detect.tflite", "vww_96_int8.tflite", "kws_ref_model.tflite"})
  void everyOperatorOutputIsBitExact(String file) {
    TfliteModel model = TfliteReader.read(file, resource(file));
    List<Run> real =
        switch (file) {
          case "person_detect.tflite" -> PERSON_IMAGES;
          case "vww_96_int8.tflite" ->
              PERSON_IMAGES.stream()
                  .map(r -> new Run(r.input() + " as RGB", gray3(r.values())))
                  .toList();
          default -> List.of();
        };
    Comparison c = compare(file, inputs(model, 8, real));
    if (file.equals("kws_ref_model.tflite")) {
      // Measured: on one random input one FULLY_CONNECTED element is a negative tie that TFLite
      // rounds up; the chain then carries it into SOFTMAX of that input only.
      assertExplainedByTiesUp(model, c.isolated());
      assertTrue(c.isolated().size() <= 2, "kws departures: " + c.isolated());
      for (String m : c.chained()) {
        assertTrue(
            c.isolated().stream().anyMatch(d -> m.contains(" on " + d.input() + ":")),
            "kws chained difference without a departure on that input: " + m);
      }
      return;
    }
    assertEquals(List.of(), c.isolated().stream().map(Departure::toString).toList());
    assertEquals(List.of(), c.chained());
  }

  static int[] gray3(int[] gray) {
    int[] rgb = new int[gray.length * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = gray[i / 3];
    }
    return rgb;
  }

  /**
   * ResNet-8: TFLite's optimized CONV_2D departs from the reference arithmetic (the data README
   * measured it against TFLite Micro). Every departure, operator by operator on TFLite's own
   * inputs, is in a CONV_2D or FULLY_CONNECTED output, is 1 LSB, and is exactly the ties-up
   * rounding of the same accumulator ({@link #tiesUpRequantization}); every other operator (ADD,
   * AVERAGE_POOL_2D, RESHAPE, SOFTMAX) is exact on TFLite's inputs. The departures sit in the
   * convolutions without fused activation (operators 2, 5, 6, 9, 10), where negative ties survive
   * the clamp, and rarely in the FULLY_CONNECTED layer.
   */
  @Test
  void resnetDeparturesAreTiesUpRoundingInConvolutionsOnly() {
    String file = "pretrainedResnet_quant.tflite";
    TfliteModel model = TfliteReader.read(file, resource(file));
    Comparison c = compare(file, inputs(model, 8, List.of()));
    assertFalse(
        c.isolated().isEmpty(), "the documented departure did not show: has TFLite changed?");
    assertExplainedByTiesUp(model, c.isolated());
    Map<String, Integer> perOperator = new LinkedHashMap<>();
    c.isolated().forEach(d -> perOperator.merge(d.op().label(), 1, Integer::sum));
    System.out.println(
        "TFLite departures on " + file + ", elements over 22 inputs: " + perOperator);
  }

  /**
   * The example's own expectation, on both TFLite and the reference: output [no_person, person].
   */
  @Test
  void personImageScoresPersonAndNoPersonImageTheReverse() {
    String file = "person_detect.tflite";
    byte[] bytes = resource(file);
    TfliteModel model = TfliteReader.read(file, bytes);
    ReferenceNetwork network = ReferenceNetwork.of(model);
    int out = model.outputs().get(0);
    int[] person = network.run(bmpAsInt8("person.bmp")).tensor(out);
    int[] noPerson = network.run(bmpAsInt8("no_person.bmp")).tensor(out);
    assertTrue(person[1] > person[0], "person.bmp: " + java.util.Arrays.toString(person));
    assertTrue(noPerson[0] > noPerson[1], "no_person.bmp: " + java.util.Arrays.toString(noPerson));
    try (TfliteRuntime tflite = new TfliteRuntime(QuantizedDimensionPatch.patch(bytes))) {
      tflite.invoke(bmpAsInt8("person.bmp"));
      assertArrayEquals(person, tflite.tensor(out));
      tflite.invoke(bmpAsInt8("no_person.bmp"));
      assertArrayEquals(noPerson, tflite.tensor(out));
    }
  }
}
