package dev.npusim.bench;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.LayerKind;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.Semantics;
import dev.npusim.kernels.TensorShape;
import java.util.Random;

/**
 * The four layers of issue 11: SSD-MobileNetV1 geometries, uint8 per-tensor, with random weights
 * and input. Requantization is ONNX Runtime's ({@code float-requant}: one float32 scale, {@code
 * x_scale * w_scale / y_scale} in float32, left to right), so that ONNX Runtime's QLinearConv and
 * the simulator compute the same bytes and the benchmark can check that they do.
 */
public enum SsdLayer {
  /** 512x512x3 -> 32, 3x3 stride 2, TensorFlow SAME padding (0 before, 1 after). */
  CONV2D_0("Conv2d_0", false, 512, 3, 32, 3, 2, new int[] {0, 0, 1, 1}),
  /** 256x256x32, 3x3 depthwise, stride 1, padding 1. */
  CONV2D_1_DEPTHWISE("Conv2d_1_depthwise", true, 256, 32, 32, 3, 1, new int[] {1, 1, 1, 1}),
  /** 256x256x32 -> 64, 1x1. */
  CONV2D_1_POINTWISE("Conv2d_1_pointwise", false, 256, 32, 64, 1, 1, new int[] {0, 0, 0, 0}),
  /** 32x32x512 -> 512, 1x1. */
  CONV2D_11_POINTWISE("Conv2d_11_pointwise", false, 32, 512, 512, 1, 1, new int[] {0, 0, 0, 0});

  final String displayName;
  final boolean depthwise;
  final int size;
  final int c;
  final int oc;
  final int k;
  final int stride;

  /** ONNX order: top, left, bottom, right. */
  final int[] pads;

  SsdLayer(
      String displayName,
      boolean depthwise,
      int size,
      int c,
      int oc,
      int k,
      int stride,
      int[] pads) {
    this.displayName = displayName;
    this.depthwise = depthwise;
    this.size = size;
    this.c = c;
    this.oc = oc;
    this.k = k;
    this.stride = stride;
    this.pads = pads;
  }

  static final float X_SCALE = 0.02f;
  static final float W_SCALE = 0.004f;
  static final int X_ZERO = 128;
  static final int W_ZERO = 121;
  static final int Y_ZERO = 120;

  /** Output scale that spreads outputs over the 8-bit range: about sqrt(fan-in) products wide. */
  float yScale() {
    int fanIn = depthwise ? k * k : k * k * c;
    return (float) (X_SCALE * W_SCALE * 40 * Math.sqrt(fanIn));
  }

  /** One benchmark instance: the layer, its input, and its ONNX form. */
  record Instance(
      SsdLayer which, QuantizedLayer layer, int[] input, int[] filterOihw, int[] bias) {}

  Instance build(long seed) {
    Random r = new Random(seed);
    int oh = QuantizedLayer.outputSize(size, k, stride, 1, pads[0], pads[2]);
    int ow = QuantizedLayer.outputSize(size, k, stride, 1, pads[1], pads[3]);
    int filterSize =
        QuantizedLayer.filterElements(
            depthwise ? LayerKind.DEPTHWISE_CONV2D : LayerKind.CONV2D, c, oc, k, k);
    int[] filter = new int[filterSize];
    for (int i = 0; i < filter.length; i++) {
      filter[i] = r.nextInt(256);
    }
    int[] bias = new int[oc];
    for (int i = 0; i < oc; i++) {
      bias[i] = r.nextInt(20001) - 10000;
    }
    int[] input = new int[size * size * c];
    for (int i = 0; i < input.length; i++) {
      input[i] = r.nextInt(256);
    }
    // onnxruntime/core/providers/cpu/quantization/qlinearconv.cc: X_scale * W_scale / Y_scale.
    float scale = X_SCALE * W_SCALE / yScale();
    QuantizedLayer q =
        new QuantizedLayer(
            depthwise ? LayerKind.DEPTHWISE_CONV2D : LayerKind.CONV2D,
            Semantics.FLOAT_REQUANT,
            new TensorShape(1, size, size, c),
            new TensorShape(1, oh, ow, oc),
            k,
            k,
            stride,
            stride,
            1,
            1,
            pads[0],
            pads[2],
            pads[1],
            pads[3],
            1,
            DataType.UINT8,
            DataType.UINT8,
            DataType.UINT8,
            X_ZERO,
            ImmutableIntArray.of(W_ZERO),
            Y_ZERO,
            0,
            255,
            ImmutableIntArray.copyOf(filter),
            ImmutableIntArray.copyOf(bias),
            Requantization.FloatScale.of(scale));
    // ONNX filters are [OC, C/group, KH, KW].
    int icPerGroup = depthwise ? 1 : c;
    int[] oihw = new int[oc * icPerGroup * k * k];
    for (int o = 0; o < oc; o++) {
      for (int i = 0; i < icPerGroup; i++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            oihw[((o * icPerGroup + i) * k + ky) * k + kx] = q.filterAt(o, ky, kx, i);
          }
        }
      }
    }
    return new Instance(this, q, input, oihw, bias);
  }
}
