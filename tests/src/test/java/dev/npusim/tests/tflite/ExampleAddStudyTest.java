package dev.npusim.tests.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.cli.Main;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.tflite.TfliteFloatGraph;
import dev.npusim.models.tflite.TfliteReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze --model} on networks with a constant or broadcasting ADD: the float IR's ADD
 * against TFLite's own float interpreter, and the study on the committed {@code
 * examples/add-broadcast.tflite} with and without its float original ({@code
 * examples/add-broadcast-float.tflite}, written by {@link #floatModel}; run with {@code
 * -Dnpusim.writeExamples=true} to write it again).
 */
class ExampleAddStudyTest {
  static final Path FLOAT_MODEL = Path.of("..", "examples", "add-broadcast-float.tflite");

  @TempDir Path dir;

  /**
   * The float original of {@link ExampleAddModelTest#model}: the same ADD in float32, its constant
   * the int8 constant dequantized ({@code 0.02 (q - 5)}), fused RELU.
   */
  static byte[] floatModel() {
    int[] q = ExampleAddModelTest.model().constant();
    float[] constant = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      constant[i] = 0.02f * (q[i] - 5);
    }
    return AddModel.float32(
        new int[] {1, 4, 4, 8}, new int[] {8}, constant, new int[] {1, 4, 4, 8}, 1);
  }

  /**
   * The float IR runs in double, TFLite in float32. The sum of two float32 values rounded once to
   * double and then to float32 is the float32 sum (53 >= 2 * 24 + 2 bits: double rounding is
   * innocuous for addition), and a ReLU only compares, so each output cast to float32 must equal
   * TFLite's exactly.
   */
  private static void assertFloatIrIsTflites(byte[] model, float[] input) throws Exception {
    float[] expected;
    try (TfliteRuntime tflite = new TfliteRuntime(model)) {
      tflite.invoke(input);
      expected = tflite.floatTensor(AddModel.OUTPUT);
    }
    FloatGraph g = TfliteFloatGraph.of(TfliteReader.read("add.tflite", model)).graph();
    double[] x = new double[input.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = input[i];
    }
    FloatTensor out =
        new FloatGraphExecutor(g).run(FloatTensor.copyOf(g.inputShape(), x)).get(g.last().name());
    float[] mine = new float[out.size()];
    for (int i = 0; i < mine.length; i++) {
      mine[i] = (float) out.get(i);
    }
    assertArrayEquals(expected, mine);
  }

  @Test
  void floatExampleIsTheBuiltModelAndTheFloatIrComputesTflitesOutput() throws Exception {
    byte[] bytes = floatModel();
    if (Boolean.getBoolean("npusim.writeExamples")) {
      Files.write(FLOAT_MODEL, bytes);
    }
    assertArrayEquals(
        bytes, Files.readAllBytes(FLOAT_MODEL), FLOAT_MODEL + " is not what AddModel builds");
    // The int8 example's input dequantized (scale 0.05, zero point -3), as analyze feeds it.
    int[] q = ExampleAddModelTest.input();
    float[] x = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      x[i] = 0.05f * (q[i] + 3);
    }
    assertFloatIrIsTflites(bytes, x);
    FloatGraph g = TfliteFloatGraph.of(TfliteReader.read("add.tflite", bytes)).graph();
    assertEquals(new TensorShape(1, 1, 1, 8), g.shapeOf("000_add_constant2"));
  }

  /**
   * In the int8 example's own float reference (no --float) the constant is dequantized with its
   * scale and zero point: {@code (double) 0.02f * (q - 5)}, a per-channel (1, 1, 1, 8) constant.
   */
  @Test
  void theInt8ExamplesConstantIsDequantizedIntoTheFloatIr() throws Exception {
    FloatGraph g =
        TfliteFloatGraph.of(
                TfliteReader.read("add.tflite", Files.readAllBytes(ExampleAddModelTest.MODEL)))
            .graph();
    int[] q = ExampleAddModelTest.model().constant();
    double[] expected = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      expected[i] = (double) 0.02f * (q[i] - 5);
    }
    FloatTensor constant = g.constants().get("000_add_constant2");
    assertEquals(new TensorShape(1, 1, 1, 8), constant.shape());
    assertArrayEquals(expected, constant.toArray(), 0);
    FloatLayer add = g.layer("000_add");
    assertEquals(FloatGraph.INPUT, add.input());
    assertEquals("000_add_constant2", add.secondInput());
  }

  /**
   * A rank-2 activation {@code [4, 8]} plus a rank-3 constant {@code [2, 1, 8]} to {@code [2, 4,
   * 8]}: the activation's NHWC form (4, 1, 1, 8) is not its rank-3 extension's (1, 1, 4, 8), so the
   * import reads it through a reshape; both operands broadcast.
   */
  @Test
  void mixedRanksReadTheLowerRankOperandThroughAReshape() throws Exception {
    SplittableRandom r = new SplittableRandom(11);
    float[] constant = new float[16];
    for (int i = 0; i < constant.length; i++) {
      constant[i] = (float) r.nextDouble(-2, 2);
    }
    byte[] model =
        AddModel.float32(new int[] {4, 8}, new int[] {2, 1, 8}, constant, new int[] {2, 4, 8}, 0);
    FloatGraph g = TfliteFloatGraph.of(TfliteReader.read("add.tflite", model)).graph();
    FloatLayer reshape = g.layer("000_add_input1_reshape");
    assertEquals(new TensorShape(4, 1, 1, 8), reshape.inputShape());
    assertEquals(new TensorShape(1, 1, 4, 8), reshape.outputShape());
    assertEquals(new TensorShape(2, 1, 4, 8), g.layer("000_add").outputShape());
    float[] x = new float[32];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-3, 3);
    }
    assertFloatIrIsTflites(model, x);
  }

  record Cli(int code, String out, String err) {}

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(args, o, e);
    }
    return new Cli(code, out.toString(), err.toString());
  }

  @Test
  void analyzeTakesTheExampleWithAndWithoutCheckAndItsFloatOriginal() {
    String model = ExampleAddModelTest.MODEL.toString();
    Cli plain = run("analyze", "--model", model);
    assertEquals(0, plain.code(), plain.err());
    assertTrue(plain.out().contains("\n000_add "), plain.out());
    assertTrue(plain.out().contains("\ntflite-int8 "), plain.out());

    Cli checked = run("analyze", "--model", model, "--float", FLOAT_MODEL.toString(), "--check");
    assertEquals(0, checked.code(), checked.err());
    assertTrue(
        checked.out().contains("\nchecked  every simulated operator and layer"), checked.out());
    for (String scheme : new String[] {"tf8", "tf8-dw-per-channel", "int8-per-channel"}) {
      assertTrue(checked.out().contains("\n" + scheme + " (npusim) "), checked.out());
    }
  }

  /**
   * A machine that truncates in requantization, where TFLite's ADD rounds half away from zero,
   * cannot match the integer reference: --check names the ADD.
   */
  @Test
  void checkCatchesATruncatingAdd() throws Exception {
    Path truncating = dir.resolve("truncating.json");
    Files.writeString(truncating, "{\"name\": \"truncating\", \"rounding\": \"truncate\"}");
    Cli bad =
        run(
            "analyze",
            "--model",
            ExampleAddModelTest.MODEL.toString(),
            "--float",
            FLOAT_MODEL.toString(),
            "--check",
            "--machine",
            truncating.toString());
    assertEquals(1, bad.code(), bad.out());
    assertTrue(
        bad.err().contains("--check: add-broadcast.tflite: tflite-int8: operator 0 (ADD): element"),
        bad.err());
    assertTrue(bad.err().contains("in the integer reference"), bad.err());
    assertFalse(bad.err().contains("Exception"), bad.err());
  }
}
