package dev.npusim.analysis.imported;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What {@code npusim analyze --model X.tflite} measures on an imported int8 network: per-layer
 * error figures of the int8 model run on the simulator, and end-to-end figures of every pipeline
 * through the model's evaluation head.
 *
 * @param model the int8 model's file
 * @param floatReference the float original's file, or a note that the int8 model's dequantized
 *     weights serve as the float reference
 * @param inputs the evaluation inputs, by name
 * @param calibrationInputs the inputs npusim's schemes were calibrated on, when not the evaluation
 *     inputs ({@code --calib}); empty otherwise (and then left out of the JSON)
 * @param layers one per operator, in execution order
 * @param pipelines the TFLite converter's int8 model first, then npusim's own schemes on the float
 *     original (when asked for)
 * @param checkedAgainstReference every simulated operator was compared with the integer reference,
 *     bit for bit, and agreed ({@code --check}; left out of the JSON when false)
 */
public record ImportedStudyResult(
    String model,
    String floatReference,
    String machine,
    List<String> inputs,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> calibrationInputs,
    List<Layer> layers,
    List<Pipeline> pipelines,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean checkedAgainstReference,
    List<String> notes) {

  /**
   * One operator's figures, summed over the evaluation inputs.
   *
   * @param operator the operator's index in the model
   * @param host true for SOFTMAX, RESHAPE and SQUEEZE: host work, no NPU cycles
   * @param sqnrCumulativeDb the int8 model so far, run on the simulator, vs the float reference
   * @param sqnrIsolatedDb this operator alone on the float reference's input quantized, vs float
   * @param sqnrWeightsOnlyDb the int8 model's dequantized weights in float, up to here, vs float
   * @param sqnrActivationsOnlyDb the float reference with every activation rounded to the int8
   *     model's quantization, up to here, vs float
   * @param roundingMeanLsb mean of (simulated output - exact unrounded requantization), in LSB,
   *     over outputs inside the clamp range (weighted layers only; NaN otherwise)
   * @param roundingRmsLsb RMS of the same
   * @param saturatedFraction outputs whose float reference value lies outside the output tensor's
   *     int8 range by more than half an LSB (what the 8-bit range cuts off), as a share
   * @param clampedFraction outputs the simulator's requantization clamped, to int8 or to the fused
   *     activation's range (a ReLU's zeros included), as a share
   * @param accumulatorOverflows overflows at the machine's accumulator width
   * @param accumulatorBitsNeeded the narrowest accumulator that held every partial sum (-1 for host
   *     work)
   * @param cycles simulated cycles per inference (0 for host work)
   */
  public record Layer(
      int operator,
      String name,
      String op,
      boolean host,
      long macs,
      double sqnrCumulativeDb,
      double sqnrIsolatedDb,
      double sqnrWeightsOnlyDb,
      double sqnrActivationsOnlyDb,
      double roundingMeanLsb,
      double roundingRmsLsb,
      double saturatedFraction,
      double clampedFraction,
      long accumulatorOverflows,
      int accumulatorBitsNeeded,
      long cycles) {}

  /**
   * One pipeline's end-to-end figures through the model's head.
   *
   * @param top1Agreement inputs whose top-1 class equals the float reference's
   * @param outputSqnrDb SQNR of the network output (the class probabilities) vs the float
   *     reference's
   * @param layerSqnrDb cumulative SQNR of each operator's output vs the float reference, in the
   *     order of {@link ImportedStudyResult#layers}
   * @param accumulatorOverflows accumulator overflows over all runs of the pipeline
   * @param biasClamps int32 biases clamped at the int32 range when quantized (a channel whose tiny
   *     weight scale makes {@code bias / (s_in * s_w)} too large); 0 for TFLite's model
   */
  public record Pipeline(
      String name,
      String description,
      int top1Agreement,
      int inputs,
      double outputSqnrDb,
      List<Double> layerSqnrDb,
      long accumulatorOverflows,
      int biasClamps) {
    public Pipeline {
      layerSqnrDb = List.copyOf(layerSqnrDb);
    }
  }
}
