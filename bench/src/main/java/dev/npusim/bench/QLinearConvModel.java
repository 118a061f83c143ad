package dev.npusim.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.npusim.kernels.TensorShape;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * A one-node ONNX {@code QLinearConv} model of an {@link SsdLayer} (uint8, per-tensor), run by ONNX
 * Runtime with one intra-op thread. The bench's own builder: it does not depend on the tests
 * module.
 */
final class QLinearConvModel implements AutoCloseable {
  private final SsdLayer.Instance inst;
  private final OrtSession session;
  private final OnnxTensor input;

  QLinearConvModel(OrtEnvironment env, SsdLayer.Instance inst) throws OrtException {
    this.inst = inst;
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      opts.setInterOpNumThreads(1);
      this.session = env.createSession(model(inst), opts);
    }
    TensorShape is = inst.layer().input();
    ByteBuffer x = ByteBuffer.allocateDirect((int) is.elements());
    for (int ch = 0; ch < is.c(); ch++) {
      for (int y = 0; y < is.h(); y++) {
        for (int xx = 0; xx < is.w(); xx++) {
          x.put((byte) inst.input()[is.index(0, y, xx, ch)]);
        }
      }
    }
    x.rewind();
    this.input =
        OnnxTensor.createTensor(env, x, new long[] {1, is.c(), is.h(), is.w()}, OnnxJavaType.UINT8);
  }

  /** One inference; returns the output's first byte so that the work cannot be skipped. */
  int run() throws OrtException {
    try (OrtSession.Result r = session.run(Map.of("x", input))) {
      return ((OnnxTensor) r.get(0)).getByteBuffer().get(0);
    }
  }

  /** One inference, output in NHWC order. */
  int[] runNhwc() throws OrtException {
    TensorShape os = inst.layer().output();
    try (OrtSession.Result r = session.run(Map.of("x", input))) {
      ByteBuffer y = ((OnnxTensor) r.get(0)).getByteBuffer();
      int[] out = new int[(int) os.elements()];
      for (int ch = 0; ch < os.c(); ch++) {
        for (int yy = 0; yy < os.h(); yy++) {
          for (int xx = 0; xx < os.w(); xx++) {
            out[os.index(0, yy, xx, ch)] = y.get() & 0xFF;
          }
        }
      }
      return out;
    }
  }

  @Override
  public void close() throws OrtException {
    input.close();
    session.close();
  }

  private static OnnxMl.TensorProto uint8(String name, long[] dims, int[] values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.UINT8.getNumber())
            .setRawData(ByteString.copyFrom(b));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  private static OnnxMl.TensorProto scalar(String name, float value) {
    return OnnxMl.TensorProto.newBuilder()
        .setName(name)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .addFloatData(value)
        .build();
  }

  private static OnnxMl.AttributeProto ints(String name, long... values) {
    OnnxMl.AttributeProto.Builder a =
        OnnxMl.AttributeProto.newBuilder()
            .setName(name)
            .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  private static OnnxMl.ValueInfoProto uint8Value(String name, long... dims) {
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
                        .setElemType(OnnxMl.TensorProto.DataType.UINT8.getNumber())
                        .setShape(shape)))
        .build();
  }

  static byte[] model(SsdLayer.Instance inst) {
    SsdLayer l = inst.which();
    TensorShape os = inst.layer().output();
    int icPerGroup = l.depthwise ? 1 : l.c;
    OnnxMl.TensorProto.Builder bias =
        OnnxMl.TensorProto.newBuilder()
            .setName("B")
            .setDataType(OnnxMl.TensorProto.DataType.INT32.getNumber())
            .addDims(l.oc);
    for (int b : inst.bias()) {
      bias.addInt32Data(b);
    }
    OnnxMl.NodeProto node =
        OnnxMl.NodeProto.newBuilder()
            .setOpType("QLinearConv")
            .addAllInput(
                List.of("x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "B"))
            .addOutput("y")
            .addAttribute(ints("kernel_shape", l.k, l.k))
            .addAttribute(ints("strides", l.stride, l.stride))
            .addAttribute(ints("pads", l.pads[0], l.pads[1], l.pads[2], l.pads[3]))
            .addAttribute(
                OnnxMl.AttributeProto.newBuilder()
                    .setName("group")
                    .setType(OnnxMl.AttributeProto.AttributeType.INT)
                    .setI(l.depthwise ? l.c : 1))
            .build();
    OnnxMl.GraphProto graph =
        OnnxMl.GraphProto.newBuilder()
            .setName("qlinearconv")
            .addNode(node)
            .addInput(uint8Value("x", 1, l.c, l.size, l.size))
            .addOutput(uint8Value("y", 1, l.oc, os.h(), os.w()))
            .addInitializer(scalar("x_scale", SsdLayer.X_SCALE))
            .addInitializer(uint8("x_zp", new long[] {}, new int[] {SsdLayer.X_ZERO}))
            .addInitializer(uint8("w", new long[] {l.oc, icPerGroup, l.k, l.k}, inst.filterOihw()))
            .addInitializer(scalar("w_scale", SsdLayer.W_SCALE))
            .addInitializer(uint8("w_zp", new long[] {}, new int[] {SsdLayer.W_ZERO}))
            .addInitializer(scalar("y_scale", l.yScale()))
            .addInitializer(uint8("y_zp", new long[] {}, new int[] {SsdLayer.Y_ZERO}))
            .addInitializer(bias.build())
            .build();
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build()
        .toByteArray();
  }
}
