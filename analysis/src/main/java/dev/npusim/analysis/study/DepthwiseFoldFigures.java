package dev.npusim.analysis.study;

import dev.npusim.golden.metrics.Sqnr;
import dev.npusim.kernels.graph.BatchNorm;
import dev.npusim.kernels.graph.BatchNormFold;
import dev.npusim.kernels.graph.FloatLayer;
import dev.npusim.kernels.quant.QuantParams;
import dev.npusim.kernels.quant.QuantizedNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The BatchNorm-fold figures of a depthwise layer (Sheng et al., 2018, section 3): how much folding
 * BatchNorm into the weights widens their range, measured as the SQNR of the weights quantized per
 * tensor as TF8 does, before and after the fold, and the bits each channel loses.
 */
final class DepthwiseFoldFigures {
  private DepthwiseFoldFigures() {}

  /** BatchNorm-fold figures of a depthwise layer, from its unfolded and scheme weights. */
  static AnalysisResult.DepthwiseFold of(FloatLayer unfolded, QuantizedNetwork.Layer l) {
    FloatLayer scheme = l.floatLayer();
    int channels = scheme.outputChannels();
    double folded = perTensorWeightSqnr(BatchNormFold.fold(unfolded).filter().toArray());
    double raw = perTensorWeightSqnr(unfolded.filter().toArray());
    Sqnr schemeError = new Sqnr();
    for (int i = 0; i < scheme.filter().length(); i++) {
      schemeError.add(scheme.filter().get(i), l.weightsOnly().filter().get(i));
    }
    double[] range = new double[channels];
    for (int i = 0; i < scheme.filter().length(); i++) {
      int c = i % channels;
      range[c] = Math.max(range[c], Math.abs(scheme.filter().get(i)));
    }
    double tensorRange = Arrays.stream(range).max().orElse(0);
    double[] sorted = range.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    List<Double> bits = new ArrayList<>();
    List<Double> ranges = new ArrayList<>();
    double sumBits = 0;
    double maxBits = 0;
    for (int c = 0; c < channels; c++) {
      double b =
          range[c] > 0 ? Math.log(tensorRange / range[c]) / Math.log(2) : Double.POSITIVE_INFINITY;
      bits.add(b);
      ranges.add(range[c]);
      if (Double.isFinite(b)) {
        sumBits += b;
        maxBits = Math.max(maxBits, b);
      }
    }
    int dead = 0;
    BatchNorm bn = unfolded.batchNorm();
    if (bn != null) {
      for (int c = 0; c < channels; c++) {
        if (bn.movingVariance().get(c) < Analyzer.DEAD_VARIANCE) {
          dead++;
        }
      }
    }
    return new AnalysisResult.DepthwiseFold(
        folded,
        raw,
        schemeError.db(),
        median > 0 ? tensorRange / median : Double.POSITIVE_INFINITY,
        sumBits / channels,
        maxBits,
        dead,
        ranges,
        bits);
  }

  /** SQNR of weights quantized as TF8 does: asymmetric uint8, one scale for the tensor. */
  static double perTensorWeightSqnr(double[] w) {
    double min = 0;
    double max = 0;
    for (double v : w) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    QuantParams p = QuantParams.asymmetric(min, max, dev.npusim.kernels.DataType.UINT8);
    Sqnr e = new Sqnr();
    for (double v : w) {
      e.add(v, p.dequantize(p.quantize(v)));
    }
    return e.db();
  }
}
