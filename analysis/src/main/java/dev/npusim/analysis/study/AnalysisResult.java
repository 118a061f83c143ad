package dev.npusim.analysis.study;

import java.util.List;

/**
 * Everything {@code npusim analyze} measures; the terminal table, the JSON file and the HTML page
 * are renderings of this.
 *
 * @param calibrationImages images whose min/max ranges set the activation quantization
 * @param evaluationImages images every figure is measured on
 * @param originalFloat the float network's detections per evaluation image (the reference every
 *     pipeline's detections are matched against)
 */
public record AnalysisResult(
    String model,
    String machine,
    List<String> calibrationImages,
    List<String> evaluationImages,
    List<ImageDetections> originalFloat,
    List<Variant> variants,
    double seconds,
    List<String> notes) {

  /** One quantization scheme's results. */
  public record Variant(
      String scheme,
      String description,
      List<Layer> layers,
      List<EndToEnd> images,
      EndToEnd total,
      FloatChange floatChange,
      boolean checkedAgainstReference) {}

  /**
   * One layer's figures for one scheme, summed over the evaluation images.
   *
   * @param sqnrCumulativeDb the quantized network so far (run on the simulator) vs the scheme's
   *     float network
   * @param sqnrIsolatedDb this layer alone, fed the float input quantized, vs float
   * @param sqnrWeightsOnlyDb the float network with quantized weights, up to this layer
   * @param sqnrActivationsOnlyDb the float network with quantized activations, up to this layer
   * @param roundingMeanLsb mean of (integer output - exact unrounded requantization), in LSB, over
   *     outputs the clamp did not touch
   * @param roundingRmsLsb RMS of the same
   * @param saturatedFraction outputs clamped at an 8-bit or range bound that the float activation
   *     would not have clipped
   * @param clippedEnergyShare signal energy lost to that clamping, as a share of the output energy
   * @param accumulatorOverflows overflows at the configured accumulator width
   * @param accumulatorBitsNeeded the narrowest accumulator with no overflow, in the program's own
   *     accumulation order
   * @param depthwiseFold BatchNorm-fold figures, for depthwise layers
   */
  public record Layer(
      String name,
      String kind,
      long macs,
      double sqnrCumulativeDb,
      double sqnrIsolatedDb,
      double sqnrWeightsOnlyDb,
      double sqnrActivationsOnlyDb,
      double roundingMeanLsb,
      double roundingRmsLsb,
      double saturatedFraction,
      double clippedEnergyShare,
      long accumulatorOverflows,
      int accumulatorBitsNeeded,
      long simulatedCycles,
      long simulatedMacs,
      DepthwiseFold depthwiseFold) {}

  /**
   * How folding BatchNorm into a depthwise layer's weights hurts per-tensor quantization.
   *
   * @param foldedPerTensorSqnrDb weight SQNR of the folded weights, uint8 per tensor (as TF8)
   * @param unfoldedPerTensorSqnrDb weight SQNR of the unfolded weights, uint8 per tensor
   * @param schemeWeightSqnrDb weight SQNR of the weights as this scheme quantizes them
   * @param rangeSpread max / median of the per-channel weight ranges (max |w|)
   * @param bitsLostPerChannel log2(tensor range / channel range) for each channel
   * @param deadChannels channels whose BatchNorm moving variance is below 1e-10
   * @param channelRanges max |w| of each channel of the weights this scheme quantizes
   */
  public record DepthwiseFold(
      double foldedPerTensorSqnrDb,
      double unfoldedPerTensorSqnrDb,
      double schemeWeightSqnrDb,
      double rangeSpread,
      double meanBitsLost,
      double maxBitsLost,
      int deadChannels,
      List<Double> channelRanges,
      List<Double> bitsLostPerChannel) {}

  /**
   * Detection quality of a pipeline on one image (or all of them).
   *
   * @param faceScoreSqnrDb SQNR of the 5118 face scores against the original float network
   * @param referenceDetections the original float network's detections
   * @param matched of those, how many this pipeline finds (IoU >= 0.5)
   * @param falseDetections this pipeline's detections that match none of them
   */
  public record EndToEnd(
      String image,
      double faceScoreSqnrDb,
      int referenceDetections,
      int matched,
      int falseDetections,
      List<DetectionBox> detections) {}

  /** How a scheme's float rewrite (CLE, ReLU) changes the float network itself. */
  public record FloatChange(boolean changed, EndToEnd total, List<EndToEnd> images) {}

  /** One detection, in canvas unit coordinates. */
  public record DetectionBox(double score, double yMin, double xMin, double yMax, double xMax) {}

  /** The original float network's detections on an image. */
  public record ImageDetections(String image, List<DetectionBox> detections) {}
}
