package dev.npusim.tests.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.analysis.network.SimulatedNetwork;
import dev.npusim.golden.cases.AddCase;
import dev.npusim.golden.generator.AddSpec;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.TensorShape;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteReader;
import dev.npusim.simulator.MachineConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * TFLite's own runtime as the oracle of broadcasting ADD. Each model is one ADD built in memory
 * ({@link AddModel}), read by TFLite and by npusim's importer from the same bytes:
 *
 * <ul>
 *   <li>{@code golden gen}'s broadcasting add cases (expected outputs from the integer reference)
 *       must be what TFLite computes from the cases' scales and zero points;
 *   <li>imported models with broadcasting inputs of different ranks and with constant operands must
 *       give TFLite's output on both the integer reference network and the simulator.
 * </ul>
 */
class BroadcastAddOracleTest {
  private static final TensorShape[][] CASE_SHAPES = {
    {new TensorShape(1, 5, 6, 16), new TensorShape(1, 1, 1, 16)},
    {new TensorShape(1, 1, 1, 16), new TensorShape(1, 5, 6, 16)},
    {new TensorShape(1, 4, 5, 7), new TensorShape(1, 4, 5, 1)},
    {new TensorShape(2, 3, 1, 5), new TensorShape(1, 1, 4, 5)},
    {new TensorShape(1, 3, 4, 9), new TensorShape(1, 1, 1, 1)},
    {new TensorShape(2, 1, 3, 1), new TensorShape(1, 4, 1, 6)},
  };

  @Test
  void generatedBroadcastCasesAreTflitesOutput() throws Exception {
    long seed = 800;
    int checked = 0;
    for (TensorShape[] shapes : CASE_SHAPES) {
      for (DataType type : new DataType[] {DataType.INT8, DataType.UINT8}) {
        for (CaseSpec.Activation act : CaseSpec.Activation.values()) {
          for (AddSpec.Scales scales : AddSpec.Scales.values()) {
            AddCase c =
                CaseGenerator.generate(
                    new AddSpec(
                        type, shapes[0], shapes[1], CaseSpec.Distribution.UNIFORM, scales, act),
                    seed++);
            AddLayer l = c.layer();
            AddModel model =
                new AddModel(
                    type == DataType.INT8 ? AddModel.INT8 : AddModel.UINT8,
                    AddLayer.dims(l.input1Shape()),
                    (float) c.input1Scale().getAsDouble(),
                    l.input1ZeroPoint(),
                    AddLayer.dims(l.input2Shape()),
                    (float) c.input2Scale().getAsDouble(),
                    l.input2ZeroPoint(),
                    null,
                    AddLayer.dims(l.shape()),
                    (float) c.outputScale().getAsDouble(),
                    l.outputZeroPoint(),
                    switch (act) {
                      case NONE -> 0;
                      case RELU -> 1;
                      case RELU6 -> 3;
                    });
            try (TfliteRuntime tflite = new TfliteRuntime(model.bytes())) {
              tflite.invokeAll(c.input1().toArray(), c.input2().toArray());
              assertArrayEquals(
                  tflite.tensor(AddModel.OUTPUT),
                  c.expectedOutput().toArray(),
                  c.name() + ": " + c.comment().orElse(""));
            }
            checked++;
          }
        }
      }
    }
    assertEquals(CASE_SHAPES.length * 2 * 3 * 2, checked);
  }

  /** An imported ADD model: TFLite's shapes (any rank up to 4) and an optional constant. */
  private record Imported(int[] shape1, int[] shape2, boolean constant, int[] outShape) {}

  private static final Imported[] IMPORTED = {
    // a per-channel constant of rank 1, as Keras writes a bias-like offset
    new Imported(new int[] {1, 6, 7, 12}, new int[] {12}, true, new int[] {1, 6, 7, 12}),
    // a scalar constant (rank 0)
    new Imported(new int[] {1, 5, 5, 3}, new int[] {}, true, new int[] {1, 5, 5, 3}),
    // a squeeze-excite-like [1, 1, 1, C] constant
    new Imported(new int[] {1, 4, 4, 40}, new int[] {1, 1, 1, 40}, true, new int[] {1, 4, 4, 40}),
    // two activations of different ranks, both broadcasting
    new Imported(new int[] {2, 1, 5, 3}, new int[] {4, 1, 3}, false, new int[] {2, 4, 5, 3}),
    // rank 2 against rank 1
    new Imported(new int[] {3, 10}, new int[] {10}, false, new int[] {3, 10}),
    // rank 3 with the middle dimension broadcast
    new Imported(new int[] {2, 6, 4}, new int[] {2, 1, 4}, false, new int[] {2, 6, 4}),
  };

  @Test
  void importedBroadcastAddsMatchTfliteOnTheReferenceAndTheSimulator() throws Exception {
    SplittableRandom r = new SplittableRandom(88);
    for (Imported m : IMPORTED) {
      for (int activation : new int[] {0, 1, 3}) {
        for (int trial = 0; trial < 3; trial++) {
          int[] x1 = int8(r, elements(m.shape1()));
          int[] x2 = int8(r, elements(m.shape2()));
          float s1 = (float) Math.pow(2, -8 + 6 * r.nextDouble());
          float s2 = (float) (s1 * Math.pow(2, 4 * r.nextDouble() - 2));
          float so = (float) (Math.max(s1, s2) * Math.pow(2, 2 * r.nextDouble() - 0.5));
          AddModel model =
              new AddModel(
                  AddModel.INT8,
                  m.shape1(),
                  s1,
                  r.nextInt(-128, 128),
                  m.shape2(),
                  s2,
                  r.nextInt(-128, 128),
                  m.constant() ? x2 : null,
                  m.outShape(),
                  so,
                  r.nextInt(-128, 128),
                  activation);
          byte[] bytes = model.bytes();
          int[] expected;
          try (TfliteRuntime tflite = new TfliteRuntime(bytes)) {
            if (m.constant()) {
              tflite.invokeAll(x1);
            } else {
              tflite.invokeAll(x1, x2);
            }
            expected = tflite.tensor(AddModel.OUTPUT);
          }
          TfliteModel imported = TfliteReader.read("add.tflite", bytes);
          Map<Integer, int[]> values = new HashMap<>();
          values.put(AddModel.INPUT1, x1);
          if (!m.constant()) {
            values.put(AddModel.INPUT2, x2);
          }
          String what =
              java.util.Arrays.toString(m.shape1())
                  + " + "
                  + java.util.Arrays.toString(m.shape2())
                  + (m.constant() ? " (constant)" : "")
                  + ", activation "
                  + activation;
          ReferenceNetwork reference = ReferenceNetwork.of(imported);
          assertArrayEquals(expected, reference.runOperator(0, values::get), "reference: " + what);
          SimulatedNetwork simulated = SimulatedNetwork.compile(imported, MachineConfig.defaults());
          assertArrayEquals(
              expected, simulated.runOperator(0, values::get).output(), "simulator: " + what);
          if (m.constant()) { // the whole network from its one input, and --check's comparison
            SimulatedNetwork.NetworkRun run = simulated.run(x1);
            assertArrayEquals(expected, run.tensors().tensor(AddModel.OUTPUT), what);
            assertEquals(0, simulated.check(run).size(), what);
          }
        }
      }
    }
  }

  @Test
  void shapesThatDoNotBroadcastAreOneLocatedError() {
    AddModel model =
        new AddModel(
            AddModel.INT8,
            new int[] {1, 4, 4, 8},
            0.1f,
            0,
            new int[] {3},
            0.1f,
            0,
            new int[] {1, 2, 3},
            new int[] {1, 4, 4, 8},
            0.2f,
            0,
            0);
    TfliteModel imported = TfliteReader.read("add.tflite", model.bytes());
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> ReferenceNetwork.of(imported));
    assertEquals(
        "add.tflite: operator 0 (ADD): inputs tensor 0 'input1' [1, 4, 4, 8] and tensor 1"
            + " 'input2' [3] do not broadcast: dimension 3 of the rank-4 shapes is 8 and 3, and"
            + " neither is 1",
        e.getMessage());
    AddModel wrongOutput =
        new AddModel(
            AddModel.INT8,
            new int[] {1, 4, 4, 8},
            0.1f,
            0,
            new int[] {8},
            0.1f,
            0,
            new int[] {1, 2, 3, 4, 5, 6, 7, 8},
            new int[] {1, 4, 2, 8},
            0.2f,
            0,
            0);
    ModelFormatException out =
        assertThrows(
            ModelFormatException.class,
            () -> ReferenceNetwork.of(TfliteReader.read("add.tflite", wrongOutput.bytes())));
    assertEquals(
        "add.tflite: operator 0 (ADD): output tensor 2 'output' has shape [1, 4, 2, 8], but"
            + " inputs [1, 4, 4, 8] and [8] broadcast to size 4 in dimension 2",
        out.getMessage());
  }

  private static int elements(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static int[] int8(SplittableRandom r, int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(-128, 128);
    }
    return v;
  }
}
