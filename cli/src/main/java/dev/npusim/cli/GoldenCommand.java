package dev.npusim.cli;

import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.cases.OperatorCase;
import dev.npusim.golden.generator.AddSpec;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpec;
import dev.npusim.golden.generator.Padding;
import dev.npusim.golden.generator.PoolSpec;
import dev.npusim.golden.generator.SoftmaxSpec;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "golden",
    mixinStandardHelpOptions = true,
    description = "Golden-vector tools.",
    subcommands = {GoldenCommand.Gen.class, GoldenLayoutCommand.class})
final class GoldenCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "gen",
      mixinStandardHelpOptions = true,
      description = {
        "Write random npusim.case.v1 cases whose expected output comes from the integer",
        "reference (not from the simulator), e.g. to feed an RTL testbench."
      })
  static final class Gen implements Callable<Integer> {
    @Option(
        names = "--op",
        required = true,
        description =
            "conv2d, depthwise_conv2d, fully_connected, average_pool_2d, max_pool_2d, add or"
                + " softmax.")
    String op;

    @Option(
        names = "--semantics",
        required = true,
        description =
            "tflite-int8, tflite-uint8 or float-requant (pooling and add: tflite-int8 or"
                + " tflite-uint8; softmax: tflite-int8).")
    String semantics;

    @Option(
        names = "--input",
        defaultValue = "1,8,8,16",
        paramLabel = "N,H,W,C",
        description = "Input shape (default: ${DEFAULT-VALUE}; fully_connected uses N and C).")
    String input;

    @Option(
        names = "--input2",
        paramLabel = "N,H,W,C",
        description =
            "add: the second input's shape, if it differs from --input; the two broadcast (each"
                + " size equal, or 1 in one of them).")
    String input2;

    @Option(
        names = "--output-channels",
        defaultValue = "16",
        paramLabel = "OC",
        description = "conv2d / fully_connected output channels (default: ${DEFAULT-VALUE}).")
    int outputChannels;

    @Option(
        names = "--kernel",
        defaultValue = "3x3",
        paramLabel = "KHxKW",
        description = "Kernel size, or the pooling filter size (default: ${DEFAULT-VALUE}).")
    String kernel;

    @Option(
        names = "--stride",
        defaultValue = "1,1",
        paramLabel = "SH,SW",
        description = "Strides (default: ${DEFAULT-VALUE}).")
    String stride;

    @Option(
        names = "--dilation",
        defaultValue = "1,1",
        paramLabel = "DH,DW",
        description = "Dilations (default: ${DEFAULT-VALUE}).")
    String dilation;

    @Option(
        names = "--depth-multiplier",
        defaultValue = "1",
        description = "Depthwise channel multiplier (default: ${DEFAULT-VALUE}).")
    int depthMultiplier;

    @Option(
        names = "--padding",
        defaultValue = "same",
        description = "same, valid or top,bottom,left,right (default: ${DEFAULT-VALUE}).")
    String padding;

    @Option(
        names = "--types",
        paramLabel = "IN,FILTER,OUT",
        description = "float-requant element types, e.g. uint8,int8,uint8.")
    String types;

    @Option(
        names = "--per-channel",
        description = "Per-channel requantization (and, for float-requant, filter zero points).")
    boolean perChannel;

    @Option(
        names = "--distribution",
        defaultValue = "uniform",
        description = "Data: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    CaseSpec.Distribution distribution;

    @Option(
        names = "--bias",
        defaultValue = "typical",
        description = "Bias: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    CaseSpec.BiasRange bias;

    @Option(
        names = "--scales",
        defaultValue = "typical",
        description =
            "Effective scales: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); add and"
                + " softmax draw their tensor scales from typical or wide.")
    CaseSpec.ScaleRange scales;

    @Option(
        names = "--beta",
        defaultValue = "1.0",
        description = "softmax beta, a float32 (default: ${DEFAULT-VALUE}).")
    float beta;

    @Option(
        names = "--activation",
        defaultValue = "none",
        description = "Clamp: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    CaseSpec.Activation activation;

    @Option(
        names = "--count",
        defaultValue = "1",
        description = "Number of cases (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(
        names = "--seed",
        defaultValue = "1",
        description = "First seed; case i uses seed + i (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = {"-o", "--output"},
        required = true,
        paramLabel = "DIR",
        description = "Folder to write into.")
    Path output;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserError, UsageError {
      checkCountAndSeed();
      if (OPERATORS.contains(op)) {
        return generateOperators();
      }
      LayerKind kind = LayerKind.fromCaseName(op);
      if (kind == null) {
        throw new UsageError(
            "--op "
                + op
                + ": expected conv2d, depthwise_conv2d, fully_connected, "
                + String.join(", ", OPERATORS));
      }
      rejectOptions("--beta", "--input2");
      Semantics sem = Semantics.fromCaseName(semantics);
      if (sem == null) {
        throw new UsageError(
            "--semantics " + semantics + ": expected tflite-int8, tflite-uint8 or float-requant");
      }
      CaseSpec spec0;
      try {
        int[] in = ints(input, 4, "--input");
        int[] k = kernel(kernel);
        int[] s = ints(stride, 2, "--stride");
        int[] d = ints(dilation, 2, "--dilation");
        CaseSpec.Builder b =
            CaseSpec.builder(kind, sem)
                .input(
                    in[0],
                    kind == LayerKind.FULLY_CONNECTED ? 1 : in[1],
                    kind == LayerKind.FULLY_CONNECTED ? 1 : in[2],
                    in[3])
                .distribution(distribution)
                .bias(bias)
                .scales(scales)
                .activation(activation)
                .perChannelRequant(perChannel);
        if (kind != LayerKind.FULLY_CONNECTED) {
          b.kernel(k[0], k[1])
              .stride(s[0], s[1])
              .dilation(d[0], d[1])
              .padding(Padding.parse(padding));
        }
        if (kind == LayerKind.DEPTHWISE_CONV2D) {
          b.depthMultiplier(depthMultiplier);
        } else {
          b.outputChannels(outputChannels);
        }
        if (types != null) {
          String[] t = types.split(",");
          if (t.length != 3) {
            throw new UsageError(
                "--types " + types + ": expected IN,FILTER,OUT such as uint8,int8,uint8");
          }
          DataType[] dt = new DataType[3];
          for (int i = 0; i < 3; i++) {
            dt[i] = DataType.fromCaseName(t[i].trim().toLowerCase(Locale.ROOT));
            if (dt[i] == null) {
              throw new UsageError("--types " + types + ": '" + t[i] + "' is not int8 or uint8");
            }
          }
          b.types(dt[0], dt[1], dt[2]);
        }
        if (perChannel && sem == Semantics.FLOAT_REQUANT) {
          b.perChannelFilterZeroPoint(true);
        }
        spec0 = b.build();
      } catch (IllegalArgumentException e) {
        throw new UsageError("invalid case: " + e.getMessage());
      }
      List<OperatorCase> cases = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        cases.add(CaseGenerator.generate(spec0, seed + i));
      }
      writeAll(cases);
      return 0;
    }

    /** {@code --count} at least 1, and seeds that do not wrap (case i uses seed + i). */
    private void checkCountAndSeed() throws UsageError {
      if (count < 1) {
        throw new UsageError("--count " + count + ": must be at least 1");
      }
      // The last case's seed must not wrap past Long.MAX_VALUE to a negative one (issue 12).
      if (seed < 0 || seed > Long.MAX_VALUE - (count - 1)) {
        throw new UsageError(
            "--seed "
                + seed
                + ": seeds run from 0 to "
                + Long.MAX_VALUE
                + ", and with --count "
                + count
                + " the first may be at most "
                + (Long.MAX_VALUE - (count - 1)));
      }
    }

    /** {@code KHxKW}, e.g. {@code 3x3}. */
    private static int[] kernel(String text) throws UsageError {
      String[] parts = text.split("x", -1);
      if (parts.length != 2) {
        throw new UsageError("--kernel " + text + ": expected KHxKW, e.g. 3x3");
      }
      int[] k = new int[2];
      for (int i = 0; i < 2; i++) {
        try {
          k[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new UsageError("--kernel " + text + ": '" + parts[i] + "' is not an integer");
        }
      }
      return k;
    }

    /** The ops without weights, in the case format's order. */
    private static final List<String> OPERATORS =
        List.of("average_pool_2d", "max_pool_2d", "add", "softmax");

    /**
     * Pooling, ADD and softmax cases: their specs from the options that apply to them (any other
     * option given is an error, not silently ignored), then {@code count} cases.
     */
    private Integer generateOperators() throws UserError, UsageError {
      Semantics sem = Semantics.fromCaseName(semantics);
      boolean softmax = op.equals("softmax");
      if (sem != Semantics.TFLITE_INT8 && (softmax || sem != Semantics.TFLITE_UINT8)) {
        throw new UsageError(
            "--semantics "
                + semantics
                + ": "
                + op
                + " takes "
                + (softmax ? "tflite-int8" : "tflite-int8 or tflite-uint8"));
      }
      rejectOptions(
          "--output-channels",
          "--dilation",
          "--depth-multiplier",
          "--types",
          "--per-channel",
          "--bias");
      boolean pool = !softmax && !op.equals("add");
      if (pool) {
        rejectOptions("--scales", "--beta", "--input2");
      } else {
        rejectOptions("--kernel", "--stride", "--padding");
        if (softmax) {
          rejectOptions("--activation", "--input2");
        } else {
          rejectOptions("--beta");
        }
      }
      if (!pool && scales == CaseSpec.ScaleRange.LEFT_SHIFT) {
        throw new UsageError("--scales left_shift: " + op + " takes typical or wide");
      }
      boolean wide = scales == CaseSpec.ScaleRange.WIDE;
      List<OperatorCase> cases = new ArrayList<>();
      try {
        int[] in = ints(input, 4, "--input");
        TensorShape shape = new TensorShape(in[0], in[1], in[2], in[3]);
        if (pool) {
          int[] k = kernel(kernel);
          int[] st = ints(stride, 2, "--stride");
          PoolSpec ps =
              new PoolSpec(
                  op.equals("max_pool_2d") ? PoolLayer.Kind.MAX : PoolLayer.Kind.AVERAGE,
                  sem.dataType(),
                  shape,
                  k[0],
                  k[1],
                  st[0],
                  st[1],
                  Padding.parse(padding),
                  distribution,
                  activation);
          for (int i = 0; i < count; i++) {
            cases.add(CaseGenerator.generate(ps, seed + i));
          }
        } else if (softmax) {
          SoftmaxSpec ss =
              new SoftmaxSpec(
                  shape,
                  distribution,
                  wide ? SoftmaxSpec.Scales.WIDE : SoftmaxSpec.Scales.TYPICAL,
                  beta);
          for (int i = 0; i < count; i++) {
            cases.add(CaseGenerator.generate(ss, seed + i));
          }
        } else {
          TensorShape shape2 = shape;
          if (input2 != null) {
            int[] in2 = ints(input2, 4, "--input2");
            try {
              shape2 = new TensorShape(in2[0], in2[1], in2[2], in2[3]);
              AddLayer.broadcast(shape, shape2);
            } catch (IllegalArgumentException e) {
              throw new UsageError("--input2 " + input2 + ": " + e.getMessage());
            }
          }
          AddSpec as =
              new AddSpec(
                  sem.dataType(),
                  shape,
                  shape2,
                  distribution,
                  wide ? AddSpec.Scales.WIDE : AddSpec.Scales.TYPICAL,
                  activation);
          for (int i = 0; i < count; i++) {
            cases.add(CaseGenerator.generate(as, seed + i));
          }
        }
      } catch (IllegalArgumentException e) {
        throw new UsageError("invalid case: " + e.getMessage());
      }
      writeAll(cases);
      return 0;
    }

    /** A usage error naming the first of {@code options} given on the command line. */
    private void rejectOptions(String... options) throws UsageError {
      var parsed = spec.commandLine().getParseResult();
      for (String o : options) {
        if (parsed.hasMatchedOption(o)) {
          throw new UsageError(o + " does not apply to --op " + op);
        }
      }
    }

    /**
     * Every case generated before any is written, then all written or none, no temporary file left
     * (issue 12).
     */
    private void writeAll(List<? extends OperatorCase> cases) throws UserError {
      Map<Path, byte[]> files = new LinkedHashMap<>();
      for (OperatorCase c : cases) {
        files.put(
            output.resolve(CaseWriter.fileName(c)),
            CaseWriter.toJson(c).getBytes(StandardCharsets.UTF_8));
      }
      AtomicFiles.writeAll(files);
      var out = spec.commandLine().getOut();
      for (Path written : files.keySet()) {
        out.println(written);
      }
    }

    private static int[] ints(String text, int n, String option) throws UsageError {
      String[] parts = text.split(",", -1);
      if (parts.length != n) {
        throw new UsageError(option + " " + text + ": expected " + n + " comma-separated integers");
      }
      int[] v = new int[n];
      for (int i = 0; i < n; i++) {
        try {
          v[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new UsageError(option + " " + text + ": '" + parts[i] + "' is not an integer");
        }
      }
      return v;
    }
  }
}
