package dev.npusim.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.common.primitives.ImmutableIntArray;
import com.google.protobuf.ByteString;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import dev.npusim.simulator.MachineConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * An external oracle: random QLinearConv layers (regular and depthwise, i.e. group = C; uint8 and
 * int8; per-tensor and per-channel scales and filter zero points) are built as ONNX models in
 * memory and run by ONNX Runtime. The same layers, converted to {@code float-requant} cases, are
 * compiled and run on the simulator; both must agree bit for bit. ONNX Runtime shares no code with
 * this project, so agreement is evidence for the simulator and the compiler together.
 */
class OnnxRuntimeOracleTest {
  static final int LAYERS = 300;

  static OrtEnvironment env;

  @BeforeAll
  static void start() {
    env = OrtEnvironment.getEnvironment();
  }

  /** One random layer: its ONNX-side description and the equivalent case layer. */
  record Layer(
      boolean depthwise,
      int n,
      int h,
      int w,
      int c,
      int m,
      int oc,
      int k,
      int stride,
      int dilation,
      int[] pads,
      DataType xType,
      DataType wType,
      float xScale,
      int xZero,
      float[] wScale,
      int[] wZero,
      float yScale,
      int yZero,
      int[] filterOhwiOrDw,
      int[] bias,
      int[] inputNhwc) {}

  static Layer random(Random r) {
    boolean depthwise = r.nextBoolean();
    int n = 1 + r.nextInt(2);
    int h = 1 + r.nextInt(8);
    int w = 1 + r.nextInt(8);
    int c = 1 + r.nextInt(12);
    int m = depthwise ? 1 + r.nextInt(2) : 1;
    int oc = depthwise ? c * m : 1 + r.nextInt(12);
    int k = r.nextBoolean() ? 1 : 3;
    int stride = 1 + r.nextInt(2);
    int dilation = 1 + r.nextInt(2);
    int[] pads = {r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3)}; // t, l, b, r
    int extent = (k - 1) * dilation + 1;
    pads[2] += Math.max(0, extent - (h + pads[0] + pads[2]));
    pads[3] += Math.max(0, extent - (w + pads[1] + pads[3]));
    // Type combinations ONNX Runtime's QLinearConv implements: u8 x u8, u8 x s8, s8 x s8.
    DataType xType;
    DataType wType;
    switch (r.nextInt(3)) {
      case 0 -> {
        xType = DataType.UINT8;
        wType = DataType.UINT8;
      }
      case 1 -> {
        xType = DataType.UINT8;
        wType = DataType.INT8;
      }
      default -> {
        xType = DataType.INT8;
        wType = DataType.INT8;
      }
    }
    boolean perChannel = r.nextBoolean();
    int scales = perChannel ? oc : 1;
    // A third of the layers use power-of-two scales: the effective scale is then a power of two
    // and products land exactly on .5 often, which exercises round-half-to-even.
    boolean powersOfTwo = r.nextInt(3) == 0;
    float xScale = powersOfTwo ? 1f / (1 << (5 + r.nextInt(3))) : 0.005f + r.nextFloat() * 0.05f;
    float[] wScale = new float[scales];
    int[] wZero = new int[scales];
    for (int i = 0; i < scales; i++) {
      wScale[i] = powersOfTwo ? 1f / (1 << (6 + r.nextInt(3))) : 0.001f + r.nextFloat() * 0.02f;
      // Symmetric int8 weights (zero point 0) as ONNX Runtime's s8 kernels expect; uint8 weights
      // take a zero point anywhere in range.
      wZero[i] = wType == DataType.INT8 ? 0 : 64 + r.nextInt(128);
    }
    int fanIn = depthwise ? k * k : k * k * c;
    // Output scale so that the outputs spread over a good part of the 8-bit range.
    float yScale =
        powersOfTwo
            ? xScale * wScale[0] * (1 << (2 + r.nextInt(4)))
            : (float) (xScale * wScale[0] * Math.sqrt(fanIn)) * (0.5f + r.nextFloat());
    int xZero = xType == DataType.UINT8 ? r.nextInt(256) : r.nextInt(256) - 128;
    int yZero = xType == DataType.UINT8 ? r.nextInt(256) : r.nextInt(256) - 128;
    int filterSize = depthwise ? k * k * oc : oc * k * k * c;
    int[] filter = new int[filterSize];
    for (int i = 0; i < filterSize; i++) {
      filter[i] = wType.min() + r.nextInt(256);
    }
    int[] bias = new int[oc];
    for (int i = 0; i < oc; i++) {
      bias[i] = r.nextInt(20001) - 10000;
    }
    int[] input = new int[n * h * w * c];
    for (int i = 0; i < input.length; i++) {
      input[i] = xType.min() + r.nextInt(256);
    }
    return new Layer(
        depthwise, n, h, w, c, m, oc, k, stride, dilation, pads, xType, wType, xScale, xZero,
        wScale, wZero, yScale, yZero, filter, bias, input);
  }

  /** The case-format layer: NHWC, float32 scale per channel computed as ONNX Runtime does. */
  static QuantizedLayer toCaseLayer(Layer l) {
    int oh =
        QuantizedLayer.outputSize(l.h(), l.k(), l.stride(), l.dilation(), l.pads()[0], l.pads()[2]);
    int ow =
        QuantizedLayer.outputSize(l.w(), l.k(), l.stride(), l.dilation(), l.pads()[1], l.pads()[3]);
    float[] scale = new float[l.wScale().length];
    for (int i = 0; i < scale.length; i++) {
      // onnxruntime/core/providers/cpu/quantization/qlinearconv.cc: X_scale * W_scale[i] / Y_scale,
      // in float32, left to right.
      scale[i] = l.xScale() * l.wScale()[i] / l.yScale();
    }
    return QuantizedLayer.builder(
            l.depthwise() ? LayerKind.DEPTHWISE_CONV2D : LayerKind.CONV2D, Semantics.FLOAT_REQUANT)
        .input(new TensorShape(l.n(), l.h(), l.w(), l.c()))
        .output(new TensorShape(l.n(), oh, ow, l.oc()))
        .kernelH(l.k())
        .kernelW(l.k())
        .strideH(l.stride())
        .strideW(l.stride())
        .dilationH(l.dilation())
        .dilationW(l.dilation())
        .padTop(l.pads()[0])
        .padBottom(l.pads()[2])
        .padLeft(l.pads()[1])
        .padRight(l.pads()[3])
        .depthMultiplier(l.m())
        .inputType(l.xType())
        .filterType(l.wType())
        .outputType(l.xType())
        .inputZeroPoint(l.xZero())
        .filterZeroPoints(ImmutableIntArray.copyOf(l.wZero()))
        .outputZeroPoint(l.yZero())
        .activationMin(l.xType().min())
        .activationMax(l.xType().max())
        .filter(ImmutableIntArray.copyOf(l.filterOhwiOrDw()))
        .bias(ImmutableIntArray.copyOf(l.bias()))
        .requant(Requantization.FloatScale.of(scale))
        .build();
  }

  static OnnxMl.TensorProto.DataType onnxType(DataType t) {
    return t == DataType.UINT8
        ? OnnxMl.TensorProto.DataType.UINT8
        : OnnxMl.TensorProto.DataType.INT8;
  }

  static OnnxMl.TensorProto bytes(String name, DataType t, long[] dims, int[] values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    OnnxMl.TensorProto.Builder tp =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(onnxType(t).getNumber())
            .setRawData(ByteString.copyFrom(b));
    for (long d : dims) {
      tp.addDims(d);
    }
    return tp.build();
  }

  static OnnxMl.TensorProto floats(String name, long[] dims, float[] values) {
    OnnxMl.TensorProto.Builder tp =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
    for (float v : values) {
      tp.addFloatData(v);
    }
    for (long d : dims) {
      tp.addDims(d);
    }
    return tp.build();
  }

  static OnnxMl.AttributeProto ints(String name, long... values) {
    OnnxMl.AttributeProto.Builder a =
        OnnxMl.AttributeProto.newBuilder()
            .setName(name)
            .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  static OnnxMl.ValueInfoProto value(String name, DataType t, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(onnxType(t).getNumber())
                        .setShape(shape)))
        .build();
  }

  /** A one-node QLinearConv model. ONNX is NCHW with filters [OC, C/group, KH, KW]. */
  static byte[] model(Layer l, QuantizedLayer q) {
    int oc = l.oc();
    int icPerGroup = l.depthwise() ? 1 : l.c();
    int[] w = new int[oc * icPerGroup * l.k() * l.k()];
    for (int o = 0; o < oc; o++) {
      for (int i = 0; i < icPerGroup; i++) {
        for (int ky = 0; ky < l.k(); ky++) {
          for (int kx = 0; kx < l.k(); kx++) {
            w[((o * icPerGroup + i) * l.k() + ky) * l.k() + kx] = q.filterAt(o, ky, kx, i);
          }
        }
      }
    }
    long[] scalar = {};
    long[] perOc = {l.wScale().length};
    OnnxMl.TensorProto.Builder biasProto =
        OnnxMl.TensorProto.newBuilder()
            .setName("B")
            .setDataType(OnnxMl.TensorProto.DataType.INT32.getNumber())
            .addDims(oc);
    for (int b : l.bias()) {
      biasProto.addInt32Data(b);
    }
    OnnxMl.NodeProto node =
        OnnxMl.NodeProto.newBuilder()
            .setOpType("QLinearConv")
            .addAllInput(
                List.of("x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "B"))
            .addOutput("y")
            .addAttribute(ints("kernel_shape", l.k(), l.k()))
            .addAttribute(ints("strides", l.stride(), l.stride()))
            .addAttribute(ints("dilations", l.dilation(), l.dilation()))
            .addAttribute(ints("pads", l.pads()[0], l.pads()[1], l.pads()[2], l.pads()[3]))
            .addAttribute(
                OnnxMl.AttributeProto.newBuilder()
                    .setName("group")
                    .setType(OnnxMl.AttributeProto.AttributeType.INT)
                    .setI(l.depthwise() ? l.c() : 1))
            .build();
    OnnxMl.GraphProto graph =
        OnnxMl.GraphProto.newBuilder()
            .setName("qlinearconv")
            .addNode(node)
            .addInput(value("x", l.xType(), l.n(), l.c(), l.h(), l.w()))
            .addOutput(value("y", l.xType(), q.output().n(), oc, q.output().h(), q.output().w()))
            .addInitializer(floats("x_scale", scalar, new float[] {l.xScale()}))
            .addInitializer(bytes("x_zp", l.xType(), scalar, new int[] {l.xZero()}))
            .addInitializer(bytes("w", l.wType(), new long[] {oc, icPerGroup, l.k(), l.k()}, w))
            .addInitializer(floats("w_scale", l.wScale().length == 1 ? scalar : perOc, l.wScale()))
            .addInitializer(
                bytes("w_zp", l.wType(), l.wZero().length == 1 ? scalar : perOc, l.wZero()))
            .addInitializer(floats("y_scale", scalar, new float[] {l.yScale()}))
            .addInitializer(bytes("y_zp", l.xType(), scalar, new int[] {l.yZero()}))
            .addInitializer(biasProto)
            .build();
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  /** Runs the model in ONNX Runtime and returns the output in NHWC order. */
  static int[] onnxRuntime(Layer l, QuantizedLayer q) throws Exception {
    TensorShape is = q.input();
    TensorShape os = q.output();
    ByteBuffer x = ByteBuffer.allocateDirect((int) is.elements());
    for (int b = 0; b < is.n(); b++) {
      for (int ch = 0; ch < is.c(); ch++) {
        for (int y = 0; y < is.h(); y++) {
          for (int xx = 0; xx < is.w(); xx++) {
            x.put((byte) l.inputNhwc()[is.index(b, y, xx, ch)]);
          }
        }
      }
    }
    x.rewind();
    OnnxJavaType jt = l.xType() == DataType.UINT8 ? OnnxJavaType.UINT8 : OnnxJavaType.INT8;
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      try (OrtSession s = env.createSession(model(l, q), opts);
          OnnxTensor in =
              OnnxTensor.createTensor(env, x, new long[] {is.n(), is.c(), is.h(), is.w()}, jt);
          OrtSession.Result result = s.run(java.util.Map.of("x", in))) {
        ByteBuffer y = ((OnnxTensor) result.get(0)).getByteBuffer();
        int[] out = new int[(int) os.elements()];
        for (int b = 0; b < os.n(); b++) {
          for (int ch = 0; ch < os.c(); ch++) {
            for (int yy = 0; yy < os.h(); yy++) {
              for (int xx = 0; xx < os.w(); xx++) {
                byte v = y.get();
                out[os.index(b, yy, xx, ch)] = l.xType() == DataType.UINT8 ? v & 0xFF : v;
              }
            }
          }
        }
        return out;
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> onnxRuntimeAgreesWithTheSimulatorBitForBit() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) {
      long seed = 1000 + i;
      tests.add(
          DynamicTest.dynamicTest(
              "layer " + i + " (seed " + seed + ")",
              () -> {
                Layer l = random(new Random(seed));
                QuantizedLayer q = toCaseLayer(l);
                int[] ort = onnxRuntime(l, q);
                GoldenCase c =
                    GoldenCase.of(
                        "onnx-" + seed,
                        "ONNX Runtime QLinearConv",
                        q,
                        ImmutableIntArray.copyOf(l.inputNhwc()),
                        ImmutableIntArray.copyOf(ort));
                LayerRunner.Run run = CaseRunner.simulate(c, MachineConfig.defaults());
                assertNull(CaseRunner.mismatch(c, run.output()), describe(l));
                // The independent integer reference agrees as well.
                assertArrayEquals(ort, IntegerReference.run(q, c.input()), describe(l));
              }));
    }
    return tests.stream();
  }

  /**
   * Issue 12: float scales over the whole float32 range, where a requantizer that converts before
   * it clamps overflows. ONNX Runtime forms {@code X_scale * W_scale / Y_scale} in float32, so each
   * target scale is reached as X_scale = target, W_scale = 1 or 2 (per channel), Y_scale = 1; 1e14
   * comes from Y_scale = 1e-14 as in the reproduction.
   */
  static final float[][] EXTREME_SCALES = {
    {1f, 1e-14f}, // x scale, y scale: 1e14
    {Float.MAX_VALUE / 2, 1f}, // 1.7e38, and 3.4e38 with w scale 2
    {1e30f, 1f},
    {65536f, 1f},
    {1e9f, 1f},
    {Float.MIN_VALUE, 1f}, // the smallest subnormal: every output is the zero point
    {1e-20f, 1f},
  };

  static Layer withExtremeScale(Layer l, Random r, float[] xy) {
    float[] wScale = new float[l.wScale().length];
    for (int i = 0; i < wScale.length; i++) {
      wScale[i] = r.nextBoolean() ? 1f : 2f;
    }
    return new Layer(
        l.depthwise(),
        l.n(),
        l.h(),
        l.w(),
        l.c(),
        l.m(),
        l.oc(),
        l.k(),
        l.stride(),
        l.dilation(),
        l.pads(),
        l.xType(),
        l.wType(),
        xy[0],
        l.xZero(),
        wScale,
        l.wZero(),
        xy[1],
        l.yZero(),
        l.filterOhwiOrDw(),
        l.bias(),
        l.inputNhwc());
  }

  @TestFactory
  Stream<DynamicTest> extremeScalesSaturateAsOnnxRuntimeDoes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < 4 * EXTREME_SCALES.length; i++) {
      long seed = 7000 + i;
      float[] xy = EXTREME_SCALES[i % EXTREME_SCALES.length];
      tests.add(
          DynamicTest.dynamicTest(
              "x scale " + xy[0] + ", y scale " + xy[1] + " (seed " + seed + ")",
              () -> {
                Random r = new Random(seed);
                Layer l = withExtremeScale(random(r), r, xy);
                QuantizedLayer q = toCaseLayer(l);
                int[] ort = onnxRuntime(l, q);
                GoldenCase c =
                    GoldenCase.of(
                        "onnx-extreme-" + seed,
                        "ONNX Runtime QLinearConv, extreme scale",
                        q,
                        ImmutableIntArray.copyOf(l.inputNhwc()),
                        ImmutableIntArray.copyOf(ort));
                LayerRunner.Run run = CaseRunner.simulate(c, MachineConfig.defaults());
                assertNull(CaseRunner.mismatch(c, run.output()), describe(l));
                assertArrayEquals(ort, IntegerReference.run(q, c.input()), describe(l));
              }));
    }
    return tests.stream();
  }

  static String describe(Layer l) {
    return String.format(
        "%s n%d %dx%dx%d -> %d, k%d s%d d%d pads %s, %s x %s, %s scales",
        l.depthwise() ? "depthwise" : "conv",
        l.n(),
        l.h(),
        l.w(),
        l.c(),
        l.oc(),
        l.k(),
        l.stride(),
        l.dilation(),
        java.util.Arrays.toString(l.pads()),
        l.xType(),
        l.wType(),
        l.wScale().length == 1 ? "per-tensor" : "per-channel");
  }
}
