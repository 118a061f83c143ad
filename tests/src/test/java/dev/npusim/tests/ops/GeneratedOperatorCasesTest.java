package dev.npusim.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.cli.Main;
import dev.npusim.golden.cases.AddCase;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.cases.OperatorCase;
import dev.npusim.golden.cases.PoolCase;
import dev.npusim.golden.generator.AddSpec;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec.Activation;
import dev.npusim.golden.generator.CaseSpec.Distribution;
import dev.npusim.golden.generator.Padding;
import dev.npusim.golden.generator.PoolSpec;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.codegen.CompiledOperator;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.MachineConfigReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pooling, ADD and softmax cases from {@code golden gen} (expected outputs from the integer
 * reference) validate on the simulator through the NPU kernels, and on the reference; a corrupted
 * expected value fails with its location; options that do not apply to an op are refused.
 */
class GeneratedOperatorCasesTest {
  static final String TRY_GEN_HELP = "Try 'npusim golden gen --help' for more information.\n";

  record Run(int code, String out, String err) {}

  static Run npusim(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(args, o, e);
    }
    return new Run(code, out.toString(), err.toString());
  }

  private static void gen(Path dir, String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-o";
    all[args.length + 1] = dir.toString();
    Run r = npusim(all);
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void generatedCasesValidateOnTheSimulatorAndTheReference(@TempDir Path dir) throws Exception {
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "average_pool_2d",
        "--semantics",
        "tflite-int8",
        "--input",
        "1,9,7,20",
        "--kernel",
        "3x3",
        "--stride",
        "2,2",
        "--count",
        "2");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "average_pool_2d",
        "--semantics",
        "tflite-uint8",
        "--input",
        "2,5,5,3",
        "--kernel",
        "5x5",
        "--padding",
        "valid",
        "--distribution",
        "all_max",
        "--activation",
        "relu6");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "max_pool_2d",
        "--semantics",
        "tflite-int8",
        "--input",
        "1,8,8,16",
        "--kernel",
        "2x2",
        "--stride",
        "2,2",
        "--distribution",
        "extremes",
        "--activation",
        "relu",
        "--seed",
        "3");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "max_pool_2d",
        "--semantics",
        "tflite-uint8",
        "--input",
        "1,6,6,4",
        "--kernel",
        "3x2",
        "--padding",
        "1,1,0,1",
        "--seed",
        "9");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "add",
        "--semantics",
        "tflite-int8",
        "--input",
        "1,4,4,24",
        "--scales",
        "wide",
        "--count",
        "3");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "add",
        "--semantics",
        "tflite-uint8",
        "--input",
        "1,3,3,8",
        "--distribution",
        "extremes",
        "--activation",
        "relu6");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "softmax",
        "--semantics",
        "tflite-int8",
        "--input",
        "1,2,2,10",
        "--scales",
        "wide",
        "--count",
        "2");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "softmax",
        "--semantics",
        "tflite-int8",
        "--input",
        "1,1,1,500",
        "--beta",
        "0.5",
        "--distribution",
        "near_zero_point",
        "--seed",
        "5");

    Run sim = npusim("validate", dir.toString());
    assertEquals(0, sim.code(), sim.out() + sim.err());
    assertTrue(sim.out().endsWith("12 passed, 0 failed\n"), sim.out());
    for (String line : sim.out().split("\n")) {
      if (line.contains("softmax-")) {
        assertTrue(
            line.endsWith("no NPU cycles  (softmax: host work, run on the integer reference)"),
            line);
      } else if (line.startsWith("PASS")) {
        assertTrue(line.matches("PASS  .*  cycles [0-9,]+  \\([a-z_0-9]+ on the NPU\\)"), line);
      }
    }
    Run ref = npusim("validate", "--engine", "reference", dir.toString());
    assertEquals(0, ref.code(), ref.out());
    assertTrue(ref.out().endsWith("12 passed, 0 failed\n"), ref.out());
  }

  /**
   * {@code --input2} gives ADD's second input its own shape: the file records both shapes, the
   * output has the broadcast one, and {@code validate} runs it on the NPU and the reference. Shapes
   * that do not broadcast, or {@code --input2} on another op, are usage errors.
   */
  @Test
  void broadcastingAddCasesValidate(@TempDir Path dir) throws Exception {
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "add",
        "--semantics",
        "tflite-int8",
        "--input",
        "1,5,6,24",
        "--input2",
        "1,1,1,24");
    gen(
        dir,
        "golden",
        "gen",
        "--op",
        "add",
        "--semantics",
        "tflite-uint8",
        "--input",
        "2,4,1,1",
        "--input2",
        "1,1,3,7",
        "--seed",
        "3");
    AddCase perChannel =
        (AddCase) CaseReader.readOperator(dir.resolve("add-tflite-int8-seed1.json"));
    assertEquals(new TensorShape(1, 1, 1, 24), perChannel.layer().input2Shape());
    assertEquals(24, perChannel.input2().length());
    assertEquals(1 * 5 * 6 * 24, perChannel.expectedOutput().length());
    AddCase bothSides =
        (AddCase) CaseReader.readOperator(dir.resolve("add-tflite-uint8-seed3.json"));
    assertEquals(new TensorShape(2, 4, 3, 7), bothSides.layer().shape());
    for (String engine : List.of("simulator", "reference")) {
      Run r = npusim("validate", "--engine", engine, dir.toString());
      assertEquals(0, r.code(), r.out() + r.err());
      assertTrue(r.out().endsWith("2 passed, 0 failed\n"), r.out());
    }
    Run bad =
        npusim(
            "golden",
            "gen",
            "--op",
            "add",
            "--semantics",
            "tflite-int8",
            "--input",
            "1,8,8,24",
            "--input2",
            "1,1,1,5",
            "-o",
            dir.toString());
    assertEquals(2, bad.code());
    assertEquals(
        "npusim: --input2 1,1,1,5: input1 shape [1, 8, 8, 24] and input2 shape [1, 1, 1, 5] do not"
            + " broadcast: dimension 3 (C) is 24 and 5, and neither is 1\n"
            + TRY_GEN_HELP,
        bad.err());
    Run pool =
        npusim(
            "golden",
            "gen",
            "--op",
            "max_pool_2d",
            "--semantics",
            "tflite-int8",
            "--input2",
            "1,1,1,5",
            "-o",
            dir.toString());
    assertEquals(
        "npusim: --input2 does not apply to --op max_pool_2d\n" + TRY_GEN_HELP, pool.err());
  }

  @Test
  void aWrongExpectedValueFailsWithItsLocation(@TempDir Path dir) throws Exception {
    gen(dir, "golden", "gen", "--op", "add", "--semantics", "tflite-int8", "--input", "1,2,2,3");
    Path file = dir.resolve("add-tflite-int8-seed1.json");
    String json = Files.readString(file);
    // The fourth output (NHWC [0, 0, 1, 0]) moved by one LSB, within the int8 range.
    String data = json.substring(json.lastIndexOf("\"data\": [") + 9);
    String[] values = data.substring(0, data.indexOf(']')).split(", ");
    int v = Integer.parseInt(values[3]);
    values[3] = Integer.toString(v == 127 ? 126 : v + 1);
    String corrupted =
        json.substring(0, json.lastIndexOf("\"data\": [") + 9)
            + String.join(", ", values)
            + data.substring(data.indexOf(']'));
    Files.writeString(file, corrupted);
    Run r = npusim("validate", file.toString());
    assertEquals(1, r.code(), r.out());
    assertTrue(
        r.out()
            .contains(
                "      11 of 12 outputs match; max error 1 LSB\n"
                    + "      first mismatch at NHWC [0, 0, 1, 0]: expected "
                    + values[3]
                    + ", actual "
                    + v
                    + "\n"),
        r.out());
  }

  /**
   * A 24-bit saturating accumulator changes average pooling's sums and ADD's rescaled sum, so those
   * cases skip with the reason; max pooling never touches the accumulator and still runs; softmax
   * runs on the host either way.
   */
  @Test
  void aNarrowAccumulatorSkipsOnlyWhatItChanges(@TempDir Path dir) throws Exception {
    Path machine = dir.resolve("acc24.json");
    Files.writeString(
        machine,
        preset("npu8-default").replace("\"accumulator_bits\": 32", "\"accumulator_bits\": 24"));
    Path cases = dir.resolve("cases");
    for (String op : List.of("average_pool_2d", "max_pool_2d", "add", "softmax")) {
      gen(cases, "golden", "gen", "--op", op, "--semantics", "tflite-int8", "--input", "1,4,4,8");
    }
    Run r = npusim("validate", "--machine", machine.toString(), cases.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    String c = cases.toString();
    assertEquals(
        "SKIP  "
            + c
            + "/add-tflite-int8-seed1.json: tflite-int8 needs a 32-bit accumulator, the machine has"
            + " 24 bits\n"
            + "SKIP  "
            + c
            + "/average_pool_2d-tflite-int8-seed1.json: tflite-int8 needs a 32-bit accumulator, the"
            + " machine has 24 bits\n"
            + "PASS  "
            + c
            + "/max_pool_2d-tflite-int8-seed1.json  cycles N  (max_pool_2d on the NPU)\n"
            + "PASS  "
            + c
            + "/softmax-tflite-int8-seed1.json  no NPU cycles  (softmax: host work, run on the"
            + " integer reference)\n"
            + "2 skipped: not runnable bit-exactly on npu8-default (see SKIP lines)\n"
            + "2 passed, 0 failed\n",
        r.out().replaceAll("cycles [0-9,]+", "cycles N")); // cycles are not the point here
  }

  private static String preset(String name) throws java.io.IOException {
    try (var in = MachineConfigReader.class.getResourceAsStream("/machines/" + name + ".json")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void optionsThatDoNotApplyAreRefused(@TempDir Path dir) {
    Run r =
        npusim(
            "golden",
            "gen",
            "--op",
            "max_pool_2d",
            "--semantics",
            "tflite-int8",
            "--dilation",
            "2,2",
            "-o",
            dir.toString());
    assertEquals(2, r.code()); // usage (README, "Exit codes and errors")
    assertEquals("npusim: --dilation does not apply to --op max_pool_2d\n" + TRY_GEN_HELP, r.err());
    r =
        npusim(
            "golden",
            "gen",
            "--op",
            "softmax",
            "--semantics",
            "tflite-uint8",
            "-o",
            dir.toString());
    assertEquals(2, r.code()); // usage (README, "Exit codes and errors")
    assertEquals(
        "npusim: --semantics tflite-uint8: softmax takes tflite-int8\n" + TRY_GEN_HELP, r.err());
    r =
        npusim(
            "golden",
            "gen",
            "--op",
            "add",
            "--semantics",
            "tflite-int8",
            "--scales",
            "left_shift",
            "-o",
            dir.toString());
    assertEquals(2, r.code()); // usage (README, "Exit codes and errors")
    assertEquals(
        "npusim: --scales left_shift: add takes typical or wide\n" + TRY_GEN_HELP, r.err());
  }

  /**
   * Random specs from the generator's ranges (odd channel counts, filters up to the whole input,
   * strides 1-3, every distribution and activation) on two machines of different lane counts: the
   * compiled kernels reproduce the reference's expected output.
   */
  @Test
  void randomGeneratedCasesRunBitExactOnTwoMachines() throws Exception {
    List<MachineConfig> machines =
        List.of(MachineConfigReader.preset("npu8-default"), MachineConfigReader.preset("vta-like"));
    SplittableRandom r = new SplittableRandom(42);
    Distribution[] ds = Distribution.values();
    Activation[] as = Activation.values();
    for (int i = 0; i < 40; i++) {
      DataType type = r.nextBoolean() ? DataType.INT8 : DataType.UINT8;
      TensorShape shape =
          new TensorShape(1 + r.nextInt(2), 1 + r.nextInt(9), 1 + r.nextInt(9), 1 + r.nextInt(40));
      OperatorCase c;
      if (i % 2 == 0) {
        int fh = 1 + r.nextInt(shape.h());
        int fw = 1 + r.nextInt(shape.w());
        c =
            CaseGenerator.generate(
                new PoolSpec(
                    r.nextBoolean() ? PoolLayer.Kind.MAX : PoolLayer.Kind.AVERAGE,
                    type,
                    shape,
                    fh,
                    fw,
                    1 + r.nextInt(3),
                    1 + r.nextInt(3),
                    r.nextBoolean() ? Padding.same() : Padding.valid(),
                    ds[r.nextInt(ds.length)],
                    as[r.nextInt(as.length)]),
                i);
      } else {
        c =
            CaseGenerator.generate(
                new AddSpec(
                    type,
                    shape,
                    ds[r.nextInt(ds.length)],
                    r.nextBoolean() ? AddSpec.Scales.WIDE : AddSpec.Scales.TYPICAL,
                    as[r.nextInt(as.length)]),
                i);
      }
      for (MachineConfig m : machines) {
        CompiledOperator compiled;
        int[][] inputs;
        if (c instanceof PoolCase p) {
          compiled = LayerRunner.compile(p.layer(), m);
          inputs = new int[][] {p.input().toArray()};
        } else {
          AddCase a = (AddCase) c;
          compiled = LayerRunner.compile(a.layer(), m);
          inputs = new int[][] {a.input1().toArray(), a.input2().toArray()};
        }
        int[] actual = LayerRunner.run(new Machine(m), compiled, inputs).output();
        assertArrayEquals(
            c.expectedOutput().toArray(), actual, m.name() + ": " + CaseWriter.toJson(c));
      }
    }
  }
}
