package dev.npusim.golden.cases;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.isa.io.OutputFiles;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Padding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * Writes {@link GoldenCase}s as {@code npusim.case.v1} JSON, in the layout of the vendored golden
 * files: two-space indentation, one field per line, every array on one line, {@code comment} last.
 * {@code dtype} is written only for {@code float-requant}, where the spec requires it (the TFLite
 * semantics imply theirs).
 *
 * <p>Whatever {@link CaseReader} reads back equals the case written: integers are exact, float32
 * requantization scales are written with {@link Float#toString} (which parses back to the same
 * float) and informational double scales with {@link Double#toString}.
 *
 * <p>Files are written whole or not at all, by {@link OutputFiles}.
 */
public final class CaseWriter {
  private CaseWriter() {}

  /** Writes {@code goldenCase} to {@code file}, atomically replacing any existing file. */
  public static void write(OperatorCase goldenCase, Path file) throws IOException {
    OutputFiles.write(file, toJson(goldenCase));
  }

  /**
   * Writes {@code goldenCase} into {@code directory} as {@code <name>.json}, with every character
   * of the name outside {@code [A-Za-z0-9._-]} replaced by {@code _}.
   *
   * @return the file written
   */
  public static Path writeInto(OperatorCase goldenCase, Path directory) throws IOException {
    Path file = directory.resolve(fileName(goldenCase));
    write(goldenCase, file);
    return file;
  }

  /** The file name {@link #writeInto} uses. */
  public static String fileName(OperatorCase goldenCase) {
    String safe = goldenCase.name().replaceAll("[^A-Za-z0-9._-]", "_");
    if (safe.isEmpty() || safe.startsWith(".")) {
      safe = "case" + safe;
    }
    return safe + ".json";
  }

  /** The JSON text of a case of any op, ending in a newline. */
  public static String toJson(OperatorCase c) {
    if (c instanceof GoldenCase layer) {
      return layerJson(layer);
    }
    if (c instanceof PoolCase pool) {
      return poolJson(pool);
    }
    if (c instanceof AddCase add) {
      return addJson(add);
    }
    return softmaxJson((SoftmaxCase) c);
  }

  /** The header every case starts with: format, name, source, op and semantics. */
  private static Text header(OperatorCase c) {
    Text t = new Text();
    t.open("{");
    t.field("format", quote(CaseReader.FORMAT));
    t.field("name", quote(c.name()));
    t.field("source", quote(c.source()));
    t.field("op", quote(c.op()));
    t.field("semantics", quote(c.semantics()));
    return t;
  }

  private static String poolJson(PoolCase c) {
    PoolLayer layer = c.layer();
    Padding p = c.padding();
    Text t = header(c);
    t.field("filter_size", ints(layer.filterH(), layer.filterW()));
    t.field("stride", ints(layer.strideH(), layer.strideW()));
    t.field("padding", ints(p.top(), p.bottom(), p.left(), p.right()));
    openTensor(t, "input", shape(layer.input(), false), c.zeroPoint(), c.scale());
    t.field("data", ints(c.input()));
    t.close("}");
    openTensor(t, "output", shape(layer.output(), false), c.zeroPoint(), c.scale());
    t.field("activation_min", Integer.toString(layer.activationMin()));
    t.field("activation_max", Integer.toString(layer.activationMax()));
    t.field("data", ints(c.expectedOutput()));
    t.close("}");
    return end(t, c);
  }

  private static String addJson(AddCase c) {
    AddLayer layer = c.layer();
    Text t = header(c);
    openTensor(
        t, "input1", shape(layer.input1Shape(), false), layer.input1ZeroPoint(), c.input1Scale());
    t.field("data", ints(c.input1()));
    t.close("}");
    openTensor(
        t, "input2", shape(layer.input2Shape(), false), layer.input2ZeroPoint(), c.input2Scale());
    t.field("data", ints(c.input2()));
    t.close("}");
    t.open(key("requant") + "{");
    t.field("left_shift", Integer.toString(AddLayer.LEFT_SHIFT));
    t.field("input1_multiplier", Integer.toString(layer.input1Multiplier()));
    t.field("input1_shift", Integer.toString(layer.input1Shift()));
    t.field("input2_multiplier", Integer.toString(layer.input2Multiplier()));
    t.field("input2_shift", Integer.toString(layer.input2Shift()));
    t.field("output_multiplier", Integer.toString(layer.outputMultiplier()));
    t.field("output_shift", Integer.toString(layer.outputShift()));
    t.close("}");
    openTensor(t, "output", shape(layer.shape(), false), layer.outputZeroPoint(), c.outputScale());
    t.field("activation_min", Integer.toString(layer.activationMin()));
    t.field("activation_max", Integer.toString(layer.activationMax()));
    t.field("data", ints(c.expectedOutput()));
    t.close("}");
    return end(t, c);
  }

  private static String softmaxJson(SoftmaxCase c) {
    Text t = header(c);
    t.field("beta", Float.toString(c.beta()));
    t.open(key("input") + "{");
    t.field("shape", ints(c.shape()));
    t.field("zero_point", Integer.toString(c.inputZeroPoint()));
    t.field("scale", Float.toString(c.inputScale()));
    t.field("data", ints(c.input()));
    t.close("}");
    t.open(key("output") + "{");
    t.field("shape", ints(c.shape()));
    t.field("zero_point", Integer.toString(SoftmaxCase.OUTPUT_ZERO_POINT));
    t.field("scale", Double.toString(SoftmaxCase.OUTPUT_SCALE));
    t.field("data", ints(c.expectedOutput()));
    t.close("}");
    return end(t, c);
  }

  private static String end(Text t, OperatorCase c) {
    c.comment().ifPresent(comment -> t.field("comment", quote(comment)));
    t.close("}");
    return t.toString();
  }

  private static String layerJson(GoldenCase c) {
    QuantizedLayer layer = c.layer();
    boolean fc = layer.kind() == LayerKind.FULLY_CONNECTED;
    boolean explicitTypes = layer.semantics() == Semantics.FLOAT_REQUANT;
    Text t = new Text();
    t.open("{");
    t.field("format", quote(CaseReader.FORMAT));
    t.field("name", quote(c.name()));
    t.field("source", quote(c.source()));
    t.field("op", quote(layer.kind().caseName()));
    t.field("semantics", quote(layer.semantics().caseName()));
    t.field("stride", ints(layer.strideH(), layer.strideW()));
    t.field("dilation", ints(layer.dilationH(), layer.dilationW()));
    t.field("padding", ints(layer.padTop(), layer.padBottom(), layer.padLeft(), layer.padRight()));
    t.field("depth_multiplier", Integer.toString(layer.depthMultiplier()));

    t.open(key("input") + "{");
    t.field("shape", shape(layer.input(), fc));
    if (explicitTypes) {
      t.field("dtype", quote(layer.inputType().caseName()));
    }
    t.field("zero_point", Integer.toString(layer.inputZeroPoint()));
    scale(t, c.inputScale());
    t.field("data", ints(c.input()));
    t.close("}");

    t.open(key("filter") + "{");
    t.field("shape", ints(filterShape(layer)));
    if (explicitTypes) {
      t.field("dtype", quote(layer.filterType().caseName()));
    }
    t.field("zero_point", oneOrMany(layer.filterZeroPoints()));
    if (c.filterScales().length() == 1) {
      t.field("scale", Double.toString(c.filterScales().get(0)));
    } else if (c.filterScales().length() > 1) {
      t.field("scale", doubles(c.filterScales()));
    }
    t.field("data", ints(layer.filter()));
    t.close("}");

    if (layer.bias() == null) {
      t.field("bias", "null");
    } else {
      t.open(key("bias") + "{");
      t.field("data", ints(layer.bias()));
      t.close("}");
    }

    t.open(key("requant") + "{");
    if (layer.requant() instanceof Requantization.Q31 q) {
      t.field("multiplier", ints(q.multipliers()));
      t.field("shift", ints(q.shifts()));
    } else {
      Requantization.FloatScale s = (Requantization.FloatScale) layer.requant();
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < s.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(Float.toString(s.scale(i)));
      }
      t.field("scale", sb.append(']').toString());
    }
    t.close("}");

    t.open(key("output") + "{");
    t.field("shape", shape(layer.output(), fc));
    if (explicitTypes) {
      t.field("dtype", quote(layer.outputType().caseName()));
    }
    t.field("zero_point", Integer.toString(layer.outputZeroPoint()));
    scale(t, c.outputScale());
    t.field("activation_min", Integer.toString(layer.activationMin()));
    t.field("activation_max", Integer.toString(layer.activationMax()));
    t.field("data", ints(c.expectedOutput()));
    t.close("}");

    c.comment().ifPresent(comment -> t.field("comment", quote(comment)));
    t.close("}");
    return t.toString();
  }

  /**
   * The JSON text being built: tracks indentation and puts the separating comma on the previous
   * line when another member follows, so the output has no trailing commas.
   */
  private static final class Text {
    private final StringBuilder sb = new StringBuilder();
    private int depth;
    private boolean needsComma;

    void open(String opening) {
      line(opening);
      depth++;
      needsComma = false;
    }

    void close(String closing) {
      depth--;
      needsComma = false;
      line(closing);
      needsComma = true;
    }

    void field(String name, String value) {
      line(key(name) + value);
      needsComma = true;
    }

    private void line(String text) {
      if (needsComma) {
        sb.append(',');
      }
      if (!sb.isEmpty()) {
        sb.append('\n');
      }
      sb.append("  ".repeat(depth)).append(text);
    }

    @Override
    public String toString() {
      return sb + "\n";
    }
  }

  /** Opens a tensor object of an operator case with its shape, zero point and optional scale. */
  private static void openTensor(
      Text t, String name, String shape, int zeroPoint, OptionalDouble scale) {
    t.open(key(name) + "{");
    t.field("shape", shape);
    t.field("zero_point", Integer.toString(zeroPoint));
    scale(t, scale);
  }

  private static void scale(Text t, OptionalDouble scale) {
    if (scale.isPresent()) {
      t.field("scale", Double.toString(scale.getAsDouble()));
    }
  }

  private static String key(String name) {
    return quote(name) + ": ";
  }

  private static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  /** NHWC shape as in the file: {@code [N, C]} for fully_connected. */
  private static String shape(TensorShape s, boolean fullyConnected) {
    return fullyConnected ? ints(s.n(), s.c()) : ints(s.n(), s.h(), s.w(), s.c());
  }

  private static int[] filterShape(QuantizedLayer layer) {
    int ic = layer.input().c();
    int oc = layer.output().c();
    return switch (layer.kind()) {
      case CONV2D -> new int[] {oc, layer.kernelH(), layer.kernelW(), ic};
      case DEPTHWISE_CONV2D -> new int[] {1, layer.kernelH(), layer.kernelW(), oc};
      case FULLY_CONNECTED -> new int[] {oc, ic};
    };
  }

  private static String oneOrMany(ImmutableIntArray values) {
    return values.length() == 1 ? Integer.toString(values.get(0)) : ints(values);
  }

  private static String ints(int... values) {
    return ints(ImmutableIntArray.copyOf(values));
  }

  private static String ints(ImmutableIntArray values) {
    StringBuilder sb = new StringBuilder(values.length() * 5 + 2).append('[');
    for (int i = 0; i < values.length(); i++) {
      sb.append(i == 0 ? "" : ", ").append(values.get(i));
    }
    return sb.append(']').toString();
  }

  private static String doubles(ImmutableDoubleArray values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.length(); i++) {
      sb.append(i == 0 ? "" : ", ").append(Double.toString(values.get(i)));
    }
    return sb.append(']').toString();
  }
}
