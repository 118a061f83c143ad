package dev.npusim.models.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.Activation;
import dev.npusim.kernels.graph.BatchNorm;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The float reference: executes a {@link FloatGraph} in double precision, layer by layer, as {@link
 * FloatLayer} defines it (conv, + bias, BatchNorm, activation; pooling, ADD with broadcasting and
 * the graph's constants, reshape and softmax for imported graphs). It is the one float executor:
 * the face detector and imported TFLite graphs both run here.
 *
 * <p>Results are deterministic: every output element is summed by one thread in the fixed order
 * (ky, kx, input channel), whatever the thread count. Work is split over output rows (and 16-pixel
 * column tiles for regular convolutions) on the common fork-join pool.
 *
 * <p>Loop order, for speed: with the Vector API ({@link FloatConvLanes}), blocks of output pixels
 * and channels accumulate in registers over the whole reduction, in the same order, bit for bit.
 * Without it (or for a layer with non-finite weights or a depth multiplier), a regular
 * convolution's weights are kept transposed to HWIO so that the innermost loop walks output
 * channels contiguously in both the weights and the output ({@code out[p, :] += x[p, i] * w[ky, kx,
 * i, :]}), which the JIT vectorizes; each weight row is reused across a tile of 16 output pixels
 * while it is in L1. Zero inputs (half the values after a ReLU) skip their row: adding {@code 0 *
 * w} changes nothing for finite weights.
 */
public final class FloatGraphExecutor {

  /** Output pixels per task of a regular convolution (one weight row serves all of them). */
  private static final int TILE = 16;

  /**
   * Tasks per layer on the vector loops (fewer for small layers: at least {@link #TILE} pixels
   * each); every task reads all the weights, so more tasks than cores only balance the load.
   */
  private static final int CHUNKS = 16;

  /**
   * Outputs of a regular convolution computed before they are finished (bias, BatchNorm,
   * activation): 256 KB of doubles, which stay in L2 for the finishing pass.
   */
  private static final int FINISH_DOUBLES = 32768;

  private final FloatGraph graph;
  private final Map<String, FloatLayer> layers = new HashMap<>();

  /** Prepared layers, or null when each run prepares its layer afresh. */
  private final Map<String, PreparedLayer> prepared;

  /** An executor that prepares every layer once (a second copy of the weights, in loop order). */
  public FloatGraphExecutor(FloatGraph graph) {
    this(graph, true);
  }

  private FloatGraphExecutor(FloatGraph graph, boolean keepPrepared) {
    this.graph = graph;
    this.prepared = keepPrepared ? new HashMap<>() : null;
    for (FloatLayer layer : graph.layers()) {
      layers.put(layer.name(), layer);
      if (keepPrepared) {
        prepared.put(layer.name(), new PreparedLayer(layer));
      }
    }
  }

  /**
   * An executor that keeps no prepared copy of the weights: each layer run rearranges its weights
   * afresh (a few percent of the layer's time) and lets them go. For graphs run once per image
   * beside others, where a second copy of every network's weights would not fit the heap.
   */
  public static FloatGraphExecutor unprepared(FloatGraph graph) {
    return new FloatGraphExecutor(graph, false);
  }

  public FloatGraph graph() {
    return graph;
  }

  /** Runs the whole graph; keeps every layer's output (about 210 MB for the SSD model). */
  public FloatActivations run(FloatTensor input) {
    return run(input, layer -> true);
  }

  /**
   * Runs the whole graph and keeps only the outputs {@code keep} accepts (by layer name); every
   * other output is dropped as soon as the layers that read it have run. Use it for many images
   * when only a few tensors matter, e.g. the box predictors for detection.
   */
  public FloatActivations run(FloatTensor input, Predicate<String> keep) {
    checkArgument(
        input.shape().equals(graph.inputShape()),
        "input is %s, the graph takes %s",
        input.shape(),
        graph.inputShape());
    // Index of the last layer that reads each tensor, to know when it can go.
    Map<String, Integer> lastUse = new HashMap<>();
    for (int i = 0; i < graph.layers().size(); i++) {
      for (String read : graph.layers().get(i).inputs()) {
        lastUse.put(read, i);
      }
    }
    Map<String, double[]> live = new HashMap<>();
    LinkedHashMap<String, FloatTensor> kept = new LinkedHashMap<>();
    live.put(FloatGraph.INPUT, input.sharedValues()); // read, never written
    kept.put(FloatGraph.INPUT, input);
    // Constants (ADD operands) are live from the start; they go, as any tensor, after their last
    // use.
    graph.constants().forEach((name, constant) -> live.put(name, constant.toArray()));
    for (int i = 0; i < graph.layers().size(); i++) {
      FloatLayer layer = graph.layers().get(i);
      double[] second = layer.secondInput() == null ? null : live.get(layer.secondInput());
      double[] out = prepared(layer.name()).run(live.get(layer.input()), second, true);
      for (String read : layer.inputs()) {
        if (lastUse.getOrDefault(read, -1) == i) {
          live.remove(read);
        }
      }
      if (lastUse.containsKey(layer.name())) {
        live.put(layer.name(), out);
      }
      if (keep.test(layer.name())) {
        kept.put(layer.name(), FloatTensor.adopt(layer.outputShape(), out));
      }
    }
    return new FloatActivations(ImmutableMap.copyOf(kept));
  }

  /** Runs one layer of the graph on a given input (its output after the activation). */
  public FloatTensor runLayer(String layerName, FloatTensor input) {
    return runPrepared(prepared(layerName), input, null, true);
  }

  /** Runs one ADD of the graph on its two inputs (its output after the activation). */
  public FloatTensor runLayer(String layerName, FloatTensor input, FloatTensor secondInput) {
    return runPrepared(prepared(layerName), input, secondInput, true);
  }

  /**
   * Runs one layer of the graph without its activation: the values the activation would clip, for
   * measuring how much a ReLU6 or an 8-bit range cuts off.
   */
  public FloatTensor runLayerBeforeActivation(String layerName, FloatTensor input) {
    return runPrepared(prepared(layerName), input, null, false);
  }

  /** Runs a layer that need not belong to any graph. */
  public static FloatTensor runLayer(FloatLayer layer, FloatTensor input) {
    return runPrepared(new PreparedLayer(layer), input, null, true);
  }

  /** Runs a layer that need not belong to any graph on its one or two inputs. */
  public static FloatTensor runLayer(FloatLayer layer, FloatTensor input, FloatTensor second) {
    return runPrepared(new PreparedLayer(layer), input, second, true);
  }

  /**
   * {@link #runLayer(FloatLayer, FloatTensor)} on the scalar loops only, as a JVM without the
   * Vector API runs it: for tests that compare both paths.
   */
  static FloatTensor runLayerScalar(FloatLayer layer, FloatTensor input) {
    return runPrepared(new PreparedLayer(layer, false), input, null, true);
  }

  private PreparedLayer prepared(String layerName) {
    FloatLayer layer = layers.get(layerName);
    checkArgument(layer != null, "no layer named %s", layerName);
    return prepared == null ? new PreparedLayer(layer) : prepared.get(layerName);
  }

  private static FloatTensor runPrepared(
      PreparedLayer p, FloatTensor input, FloatTensor second, boolean activate) {
    checkArgument(
        input.shape().equals(p.layer.inputShape()),
        "layer %s takes %s, got %s",
        p.layer.name(),
        p.layer.inputShape(),
        input.shape());
    checkArgument(
        (second != null) == (p.layer.secondInput() != null),
        "layer %s takes %s inputs",
        p.layer.name(),
        p.layer.inputs().size());
    checkArgument(
        second == null || second.shape().equals(p.layer.secondShape()),
        "layer %s adds %s, got %s",
        p.layer.name(),
        p.layer.secondShape(),
        second == null ? null : second.shape());
    // The layer only reads its inputs, so it reads the tensors' own arrays.
    return FloatTensor.adopt(
        p.layer.outputShape(),
        p.run(input.sharedValues(), second == null ? null : second.sharedValues(), activate));
  }

  /** A layer's parameters as flat arrays in the order the loops read them. */
  private static final class PreparedLayer {
    final FloatLayer layer;

    /**
     * Depthwise: [KH, KW, C] as stored. Regular conv: HWIO [KH, KW, IC, OC] for the scalar loops,
     * {@link FloatConvLanes#pack}ed blocks for the vector loops.
     */
    final double[] weights;

    final double[] bias;
    final double[] bnMean;
    final double[] bnRootVariance;
    final double[] bnGamma;
    final double[] bnBeta;

    /** False for {@link Activation.Kind#NONE}; otherwise a ReLU clipped at {@link #upper}. */
    final boolean rectify;

    final double[] upper;

    /**
     * The loops of {@link FloatConvLanes} apply: vector lanes present, a convolution (depthwise
     * with multiplier 1) and every weight finite.
     */
    final boolean vectorLoops;

    final FloatConvLanes.Geometry geometry;

    /** What a padding tap reads in {@link FloatConvLanes#conv}. */
    final double[] zeros;

    PreparedLayer(FloatLayer layer) {
      this(layer, FloatConvLanes.AVAILABLE);
    }

    PreparedLayer(FloatLayer layer, boolean vectorLanes) {
      this.layer = layer;
      int oc = layer.outputChannels();
      TensorShape is = layer.inputShape();
      TensorShape os = layer.outputShape();
      geometry =
          new FloatConvLanes.Geometry(
              is.h(),
              is.w(),
              is.c(),
              os.h(),
              os.w(),
              os.c(),
              layer.kernelH(),
              layer.kernelW(),
              layer.strideH(),
              layer.strideW(),
              layer.padding().top(),
              layer.padding().left());
      double[] filter = layer.op().weighted() ? layer.filter().toArray() : null;
      vectorLoops =
          vectorLanes
              && filter != null
              && (!layer.isDepthwise() || layer.depthMultiplier() == 1)
              && allFinite(filter);
      if (filter == null) {
        weights = null;
      } else if (layer.isDepthwise()) {
        weights = filter;
      } else if (vectorLoops) {
        weights = FloatConvLanes.pack(filter, geometry);
      } else {
        int kh = layer.kernelH();
        int kw = layer.kernelW();
        int ic = layer.inputChannels();
        double[] ohwi = filter;
        weights = new double[ohwi.length];
        for (int o = 0; o < oc; o++) {
          for (int t = 0; t < kh * kw; t++) {
            for (int i = 0; i < ic; i++) {
              weights[(t * ic + i) * oc + o] = ohwi[(o * kh * kw + t) * ic + i];
            }
          }
        }
      }
      bias = layer.bias() == null ? null : layer.bias().toArray();
      BatchNorm bn = layer.batchNorm();
      if (bn != null) {
        bnMean = bn.movingMean().toArray();
        bnGamma = bn.gamma().toArray();
        bnBeta = bn.beta().toArray();
        bnRootVariance = new double[oc];
        for (int c = 0; c < oc; c++) {
          bnRootVariance[c] = Math.sqrt(bn.movingVariance().get(c) + bn.epsilon());
        }
      } else {
        bnMean = bnGamma = bnBeta = bnRootVariance = null;
      }
      Activation act = layer.activation();
      rectify = act.kind() != Activation.Kind.NONE;
      upper = new double[oc];
      for (int c = 0; c < oc; c++) {
        upper[c] = act.upperBound(c);
      }
      zeros =
          !vectorLoops
              ? null
              : new double[layer.isDepthwise() ? is.w() * is.c() : layer.kernelW() * is.c()];
    }

    private static boolean allFinite(double[] values) {
      for (double v : values) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
      return true;
    }

    double[] run(double[] in, double[] second, boolean activate) {
      TensorShape os = layer.outputShape();
      double[] out = new double[Math.toIntExact(os.elements())];
      int rows = os.n() * os.h();
      switch (layer.op()) {
        case AVERAGE_POOL, MAX_POOL -> {
          for (int r = 0; r < rows; r++) {
            poolRow(in, out, r, activate);
          }
          return out;
        }
        case ADD -> {
          if (layer.inputShape().equals(os) && layer.secondShape().equals(os)) {
            for (int i = 0; i < out.length; i++) {
              out[i] = in[i] + second[i];
            }
          } else {
            broadcastAdd(in, layer.inputShape(), second, layer.secondShape(), out, os);
          }
          for (int base = 0; base < out.length; base += os.c()) {
            finish(out, base, activate);
          }
          return out;
        }
        case RESHAPE -> {
          return in.clone();
        }
        case SOFTMAX -> {
          softmax(in, out);
          return out;
        }
        default -> {}
      }
      if (vectorLoops && layer.isDepthwise()) {
        int chunk = Math.max(1, (rows + CHUNKS - 1) / CHUNKS);
        IntStream.range(0, (rows + chunk - 1) / chunk)
            .parallel()
            .forEach(
                t -> vectorRows(in, out, t * chunk, Math.min(rows, (t + 1) * chunk), activate));
      } else if (vectorLoops) {
        int pixels = rows * os.w();
        int chunk = Math.max(TILE, (pixels / CHUNKS + 3) & ~3);
        IntStream.range(0, (pixels + chunk - 1) / chunk)
            .parallel()
            .forEach(
                t -> vectorChunk(in, out, t * chunk, Math.min(pixels, (t + 1) * chunk), activate));
      } else if (layer.isDepthwise()) {
        IntStream.range(0, rows).parallel().forEach(r -> depthwiseRow(in, out, r, activate));
      } else {
        int tiles = (os.w() + TILE - 1) / TILE;
        IntStream.range(0, rows * tiles)
            .parallel()
            .forEach(t -> convTile(in, out, t / tiles, (t % tiles) * TILE, activate));
      }
      return out;
    }

    /**
     * Flat output pixels [p0, p1) (NHW order) of a regular convolution, by {@link FloatConvLanes},
     * in groups of about {@link #FINISH_DOUBLES} outputs, each finished while it is still in cache.
     */
    private void vectorChunk(double[] in, double[] out, int p0, int p1, boolean activate) {
      int oc = layer.outputChannels();
      int group = Math.max(TILE, (FINISH_DOUBLES / oc) & ~3);
      for (int q0 = p0; q0 < p1; q0 += group) {
        int q1 = Math.min(p1, q0 + group);
        FloatConvLanes.conv(in, weights, out, zeros, geometry, q0, q1);
        for (int p = q0; p < q1; p++) {
          finish(out, p * oc, activate);
        }
      }
    }

    /**
     * Output rows [r0, r1) (row = b * H + y) of a depthwise convolution, by {@link FloatConvLanes}.
     */
    private void vectorRows(double[] in, double[] out, int r0, int r1, boolean activate) {
      int ow = layer.outputShape().w();
      int c = layer.outputChannels();
      for (int r = r0; r < r1; r++) {
        FloatConvLanes.depthwiseRow(in, weights, out, zeros, geometry, r);
        for (int p = r * ow; p < (r + 1) * ow; p++) {
          finish(out, p * c, activate);
        }
      }
    }

    /** One output row (batch b = row / H, y = row % H) of a depthwise convolution. */
    private void depthwiseRow(double[] in, double[] out, int row, boolean activate) {
      TensorShape is = layer.inputShape();
      TensorShape os = layer.outputShape();
      int c = os.c();
      int multiplier = layer.depthMultiplier();
      int b = row / os.h();
      int oy = row % os.h();
      for (int ox = 0; ox < os.w(); ox++) {
        int outBase = os.index(b, oy, ox, 0);
        for (int ky = 0; ky < layer.kernelH(); ky++) {
          int iy = oy * layer.strideH() - layer.padding().top() + ky;
          if (iy < 0 || iy >= is.h()) {
            continue;
          }
          for (int kx = 0; kx < layer.kernelW(); kx++) {
            int ix = ox * layer.strideW() - layer.padding().left() + kx;
            if (ix < 0 || ix >= is.w()) {
              continue;
            }
            int inBase = is.index(b, iy, ix, 0);
            int wBase = (ky * layer.kernelW() + kx) * c;
            if (multiplier == 1) {
              for (int ch = 0; ch < c; ch++) {
                out[outBase + ch] += in[inBase + ch] * weights[wBase + ch];
              }
            } else {
              for (int ch = 0; ch < c; ch++) {
                out[outBase + ch] += in[inBase + ch / multiplier] * weights[wBase + ch];
              }
            }
          }
        }
        finish(out, outBase, activate);
      }
    }

    /** Output pixels [ox0, ox0 + TILE) of one output row of a regular convolution. */
    private void convTile(double[] in, double[] out, int row, int ox0, boolean activate) {
      TensorShape is = layer.inputShape();
      TensorShape os = layer.outputShape();
      int ic = is.c();
      int oc = os.c();
      int b = row / os.h();
      int oy = row % os.h();
      int ox1 = Math.min(ox0 + TILE, os.w());
      for (int ky = 0; ky < layer.kernelH(); ky++) {
        int iy = oy * layer.strideH() - layer.padding().top() + ky;
        if (iy < 0 || iy >= is.h()) {
          continue;
        }
        for (int kx = 0; kx < layer.kernelW(); kx++) {
          int tap = (ky * layer.kernelW() + kx) * ic;
          for (int i = 0; i < ic; i++) {
            int wRow = (tap + i) * oc;
            for (int ox = ox0; ox < ox1; ox++) {
              int ix = ox * layer.strideW() - layer.padding().left() + kx;
              if (ix < 0 || ix >= is.w()) {
                continue;
              }
              double a = in[is.index(b, iy, ix, i)];
              if (a == 0.0) {
                continue;
              }
              int outBase = os.index(b, oy, ox, 0);
              for (int o = 0; o < oc; o++) {
                out[outBase + o] += a * weights[wRow + o];
              }
            }
          }
        }
      }
      for (int ox = ox0; ox < ox1; ox++) {
        finish(out, os.index(b, oy, ox, 0), activate);
      }
    }

    /**
     * One output row of average or max pooling: over the window's pixels inside the input only
     * (TFLite's reference pooling: padding moves the window, padded pixels are not counted).
     */
    private void poolRow(double[] in, double[] out, int row, boolean activate) {
      TensorShape is = layer.inputShape();
      TensorShape os = layer.outputShape();
      boolean max = layer.op() == dev.npusim.kernels.graph.FloatOp.MAX_POOL;
      int b = row / os.h();
      int oy = row % os.h();
      for (int ox = 0; ox < os.w(); ox++) {
        int outBase = os.index(b, oy, ox, 0);
        for (int ch = 0; ch < os.c(); ch++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          int count = 0;
          for (int ky = 0; ky < layer.kernelH(); ky++) {
            int iy = oy * layer.strideH() - layer.padding().top() + ky;
            if (iy < 0 || iy >= is.h()) {
              continue;
            }
            for (int kx = 0; kx < layer.kernelW(); kx++) {
              int ix = ox * layer.strideW() - layer.padding().left() + kx;
              if (ix < 0 || ix >= is.w()) {
                continue;
              }
              double v = in[is.index(b, iy, ix, ch)];
              acc = max ? Math.max(acc, v) : acc + v;
              count++;
            }
          }
          out[outBase + ch] = max ? acc : acc / count;
        }
        finish(out, outBase, activate);
      }
    }

    /**
     * {@code out = a + b} with numpy's broadcasting on NHWC shapes: in each dimension an operand of
     * size 1 is read at index 0 for every output index (TFLite's {@code BroadcastAdd4DSlow}).
     */
    private static void broadcastAdd(
        double[] a, TensorShape as, double[] b, TensorShape bs, double[] out, TensorShape os) {
      int o = 0;
      for (int n = 0; n < os.n(); n++) {
        for (int y = 0; y < os.h(); y++) {
          for (int x = 0; x < os.w(); x++) {
            int ia = broadcastIndex(as, n, y, x);
            int ib = broadcastIndex(bs, n, y, x);
            int ca = as.c() == 1 ? 0 : 1;
            int cb = bs.c() == 1 ? 0 : 1;
            for (int c = 0; c < os.c(); c++) {
              out[o++] = a[ia + c * ca] + b[ib + c * cb];
            }
          }
        }
      }
    }

    /** The flat index of pixel (n, y, x), channel 0, in a tensor that broadcasts to the output. */
    private static int broadcastIndex(TensorShape s, int n, int y, int x) {
      return s.index(s.n() == 1 ? 0 : n, s.h() == 1 ? 0 : y, s.w() == 1 ? 0 : x, 0);
    }

    /** Softmax over the channel axis, the maximum subtracted first so exp cannot overflow. */
    private void softmax(double[] in, double[] out) {
      int c = layer.outputShape().c();
      for (int base = 0; base < in.length; base += c) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < c; i++) {
          max = Math.max(max, in[base + i]);
        }
        double sum = 0;
        for (int i = 0; i < c; i++) {
          out[base + i] = Math.exp(layer.beta() * (in[base + i] - max));
          sum += out[base + i];
        }
        for (int i = 0; i < c; i++) {
          out[base + i] /= sum;
        }
      }
    }

    /** Bias, BatchNorm and activation of one output pixel's channels, in FloatLayer's order. */
    private void finish(double[] out, int base, boolean activate) {
      int oc = layer.outputChannels();
      int c = 0;
      if (vectorLoops) {
        c =
            FloatConvLanes.finish(
                out,
                base,
                oc,
                bias,
                bnMean,
                bnRootVariance,
                bnGamma,
                bnBeta,
                activate && rectify,
                upper);
      }
      for (; c < oc; c++) {
        double v = out[base + c];
        if (bias != null) {
          v += bias[c];
        }
        if (bnMean != null) {
          // MODEL.md's form, not the folded one: (y - mean) / sqrt(var + eps) * gamma + beta.
          v = (v - bnMean[c]) / bnRootVariance[c] * bnGamma[c] + bnBeta[c];
        }
        if (activate && rectify) {
          v = v > 0 ? Math.min(v, upper[c]) : 0.0; // as Activation.apply
        }
        out[base + c] = v;
      }
    }
  }
}
