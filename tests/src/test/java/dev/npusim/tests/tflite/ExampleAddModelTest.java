package dev.npusim.tests.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.simulator.MachineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code examples/add-broadcast.tflite} and its input {@code
 * examples/add-broadcast-input.raw}: one int8 ADD of a {@code [1, 4, 4, 8]} activation and a
 * per-channel constant {@code [8]}, fused RELU, as a converter writes a bias-like offset. The files
 * are the bytes {@link AddModel} builds here; run this test with {@code
 * -Dnpusim.writeExamples=true} to write them again. TFLite's runtime must agree with the simulator
 * on them, so the README's {@code run-model} output is TFLite's.
 */
class ExampleAddModelTest {
  static final Path MODEL = Path.of("..", "examples", "add-broadcast.tflite");
  static final Path INPUT = Path.of("..", "examples", "add-broadcast-input.raw");

  static AddModel model() {
    int[] constant = {-100, -60, -20, 0, 20, 60, 100, 127};
    return new AddModel(
        AddModel.INT8,
        new int[] {1, 4, 4, 8},
        0.05f,
        -3,
        new int[] {8},
        0.02f,
        5,
        constant,
        new int[] {1, 4, 4, 8},
        0.08f,
        -128,
        1);
  }

  static int[] input() {
    SplittableRandom r = new SplittableRandom(4);
    int[] v = new int[4 * 4 * 8];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextInt(-128, 128);
    }
    return v;
  }

  @Test
  void committedExampleIsTheBuiltModelAndTfliteAgrees() throws Exception {
    byte[] bytes = model().bytes();
    int[] x = input();
    byte[] raw = new byte[x.length];
    for (int i = 0; i < x.length; i++) {
      raw[i] = (byte) x[i];
    }
    if (Boolean.getBoolean("npusim.writeExamples")) {
      Files.write(MODEL, bytes);
      Files.write(INPUT, raw);
    }
    assertArrayEquals(bytes, Files.readAllBytes(MODEL), MODEL + " is not what AddModel builds");
    assertArrayEquals(raw, Files.readAllBytes(INPUT), INPUT + " is not the seeded input");
    int[] expected;
    try (TfliteRuntime tflite = new TfliteRuntime(bytes)) {
      tflite.invokeAll(x);
      expected = tflite.tensor(AddModel.OUTPUT);
    }
    TfliteModel imported = TfliteReader.read(MODEL.toString(), bytes);
    SimulatedNetwork simulated = SimulatedNetwork.compile(imported, MachineConfig.defaults());
    SimulatedNetwork.NetworkRun run = simulated.run(x);
    assertArrayEquals(expected, run.tensors().tensor(AddModel.OUTPUT));
    assertEquals(0, simulated.check(run).size());
  }
}
