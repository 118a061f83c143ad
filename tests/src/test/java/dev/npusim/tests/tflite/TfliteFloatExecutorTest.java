package dev.npusim.tests.tflite;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.kernels.TensorShape;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.graph.FloatTensor;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.tflite.TensorType;
import dev.npusim.models.tflite.TfliteFloatGraph;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.models.tflite.TfliteReader;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The float originals imported into the project's IR and run by the one {@link FloatGraphExecutor},
 * against TFLite's own float interpreter, every operator's output.
 *
 * <p>Float, not bit-exact, and that is the point of the comparison: TFLite computes in float32 with
 * its own summation order (and, for the hybrid kws model, int8 weights on the fly), the executor in
 * double in a fixed order. Both are roundings of the same real-valued network, so they agree to
 * float32's precision scaled by the tensor's size, not bit for bit. The bound: each element within
 * {@code 1e-4 * (1 + max |tensor|)} (float32's 2^-24 relative error, accumulated over at most a few
 * thousand terms per output, and carried through up to 31 layers, stays two orders of magnitude
 * below that). A wrong padding, layout or activation moves elements by a large part of the range,
 * far outside it.
 */
class TfliteFloatExecutorTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"vww_96_float.tflite", "kws_ref_model_float32.tflite", "pretrainedResnet.tflite"})
  void everyOperatorMatchesTfliteFloat(String file) {
    byte[] bytes = TfliteOracleTest.resource(file);
    TfliteModel model = TfliteReader.read(file, bytes);
    TfliteFloatGraph.Imported imported = TfliteFloatGraph.of(model);
    FloatGraph g = imported.graph();
    Random random = new Random(file.hashCode());
    boolean hybrid = file.startsWith("kws");
    for (int run = 0; run < 3; run++) {
      float[] x = new float[(int) g.inputShape().elements()];
      double[] xd = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (random.nextDouble() * 2 - 1);
        xd[i] = x[i];
      }
      FloatActivations ours = new FloatGraphExecutor(g).run(FloatTensor.copyOf(g.inputShape(), xd));
      try (TfliteRuntime tflite = new TfliteRuntime(bytes)) {
        tflite.invoke(x);
        for (TfliteOperator op : model.operators()) {
          float[] theirs = tflite.floatTensor(op.output());
          FloatLayer layer = g.layer(imported.layer(op.index()));
          // Each operator on TFLite's own inputs, so that one operator's departure is its own.
          FloatTensor in = tensor(layer.inputShape(), tflite.floatTensor(op.input(0)));
          FloatTensor mine =
              layer.secondInput() == null
                  ? FloatGraphExecutor.runLayer(layer, in)
                  : FloatGraphExecutor.runLayer(
                      layer, in, tensor(layer.inputShape(), tflite.floatTensor(op.input(1))));
          double hybridBound =
              hybrid
                      && op.inputs().length() > 1
                      && model.tensor(op.input(1)).type() == TensorType.INT8
                  ? inputRounding(in) * maxAbsFilterSum(layer)
                  : 0;
          assertClose(file + " " + op.label(), theirs, mine, hybridBound);
          if (!hybrid) {
            // End to end as well: the whole graph on the same input.
            assertClose(
                file + " " + op.label() + " (whole graph)", theirs, ours.get(layer.name()), 0);
          }
        }
      }
    }
  }

  private static FloatTensor tensor(TensorShape shape, float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return FloatTensor.copyOf(shape, d);
  }

  /** Half the step of TFLite's on-the-fly symmetric int8 input quantization. */
  private static double inputRounding(FloatTensor in) {
    double max = 0;
    for (int i = 0; i < in.size(); i++) {
      max = Math.max(max, Math.abs(in.get(i)));
    }
    return max / 127 / 2;
  }

  /** The largest sum of |w| over one output channel's filter. */
  private static double maxAbsFilterSum(FloatLayer layer) {
    double[] sums = new double[layer.outputChannels()];
    for (int oc = 0; oc < sums.length; oc++) {
      for (int ky = 0; ky < layer.kernelH(); ky++) {
        for (int kx = 0; kx < layer.kernelW(); kx++) {
          for (int ic = 0; ic < (layer.isDepthwise() ? 1 : layer.inputChannels()); ic++) {
            sums[oc] += Math.abs(layer.filterAt(oc, ky, kx, ic));
          }
        }
      }
    }
    return java.util.Arrays.stream(sums).max().orElse(0);
  }

  private static void assertClose(String where, float[] theirs, FloatTensor mine, double extra) {
    double max = 0;
    for (float v : theirs) {
      max = Math.max(max, Math.abs(v));
    }
    double bound = 1e-4 * (1 + max) + extra;
    for (int i = 0; i < theirs.length; i++) {
      double d = Math.abs(mine.get(i) - theirs[i]);
      assertTrue(
          d <= bound,
          where
              + " element "
              + i
              + ": ours "
              + mine.get(i)
              + ", TFLite "
              + theirs[i]
              + " (bound "
              + bound
              + ")");
    }
  }
}
