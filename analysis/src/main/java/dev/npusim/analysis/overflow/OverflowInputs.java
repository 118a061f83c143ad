package dev.npusim.analysis.overflow;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.analysis.network.ReferenceNetwork;
import dev.npusim.analysis.study.AnalysisResult;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.graph.FloatGraph;
import dev.npusim.kernels.quant.Calibration;
import dev.npusim.kernels.quant.NetworkQuantizer;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import dev.npusim.models.graph.FloatActivations;
import dev.npusim.models.graph.FloatGraphExecutor;
import dev.npusim.models.image.ImageFile;
import dev.npusim.models.ssd.SsdMobilenetV1;
import dev.npusim.models.tflite.TfliteModel;
import dev.npusim.models.tflite.TfliteOperator;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The layers {@code npusim overflow} analyzes, from a network: the vendored SSD-MobileNetV1
 * quantized under a scheme as {@code npusim analyze} quantizes it, or the CONV_2D,
 * DEPTHWISE_CONV_2D and FULLY_CONNECTED operators of an int8 {@code .tflite}; and the widths they
 * were observed to need on real inputs.
 */
public final class OverflowInputs {
  private OverflowInputs() {}

  /**
   * The SSD's layers under each scheme: the scheme's float graph (BatchNorm folded, and its
   * rewrites), min/max calibration on {@code calibration}, quantized as {@code analyze} does.
   * Schemes that share a float graph share its calibration.
   */
  public static Map<QuantScheme, List<OverflowAnalysis.LayerInput>> ssd(
      SsdMobilenetV1 model, List<QuantScheme> schemes, List<ImageFile> calibration)
      throws InputFileException {
    Map<QuantScheme, List<OverflowAnalysis.LayerInput>> out = new LinkedHashMap<>();
    Map<String, Calibration> calibrations = new HashMap<>();
    for (QuantScheme s : schemes) {
      FloatGraph graph = NetworkQuantizer.floatGraph(model.graph(), s);
      String key = graph.toString();
      Calibration cal = calibrations.get(key);
      if (cal == null) {
        cal = calibrate(graph, calibration);
        calibrations.put(key, cal);
      }
      QuantizedNetwork net = NetworkQuantizer.quantize(graph, cal, s);
      List<OverflowAnalysis.LayerInput> layers = new ArrayList<>();
      for (QuantizedNetwork.Layer l : net.layers()) {
        layers.add(OverflowAnalysis.LayerInput.of(l.name(), l.quantized()));
      }
      out.put(s, layers);
    }
    return out;
  }

  private static Calibration calibrate(FloatGraph graph, List<ImageFile> images)
      throws InputFileException {
    FloatGraphExecutor ref = new FloatGraphExecutor(graph);
    Calibration.Builder cal = Calibration.builder();
    for (ImageFile image : images) {
      FloatActivations acts = ref.run(image.preprocess().tensor());
      for (String tensor : acts.names()) {
        cal.observe(tensor, acts.get(tensor));
      }
    }
    return cal.build();
  }

  /**
   * The layers with the widths the study observed for {@code scheme} ({@link
   * AnalysisResult.Layer#accumulatorBitsNeeded}, the most over its images), matched by name.
   */
  public static List<OverflowAnalysis.LayerInput> withObserved(
      List<OverflowAnalysis.LayerInput> layers, AnalysisResult study, QuantScheme scheme) {
    Map<String, Integer> bits = new HashMap<>();
    for (AnalysisResult.Variant v : study.variants()) {
      if (v.scheme().equals(scheme.cliName())) {
        for (AnalysisResult.Layer l : v.layers()) {
          bits.put(l.name(), l.accumulatorBitsNeeded());
        }
      }
    }
    List<OverflowAnalysis.LayerInput> out = new ArrayList<>();
    for (OverflowAnalysis.LayerInput in : layers) {
      Integer b = bits.get(in.name());
      out.add(
          new OverflowAnalysis.LayerInput(
              in.name(), in.layer(), b == null ? OptionalInt.empty() : OptionalInt.of(b)));
    }
    return out;
  }

  /**
   * The convolution and fully-connected operators of an int8 model, named {@code "operator 3
   * (CONV_2D)"}; with {@code inputs}, each layer's observed width: the most any of them needs,
   * every layer run on the simulator (on {@code machine}) with the accumulator watermark on, fed
   * the integer reference's output of the operators before it.
   *
   * @throws dev.npusim.models.tflite.ModelFormatException if the model is not int8
   */
  public static List<OverflowAnalysis.LayerInput> tflite(
      TfliteModel model, List<int[]> inputs, MachineConfig machine)
      throws AnalysisException, SimulationFault {
    ReferenceNetwork net = ReferenceNetwork.of(model);
    int[] observed = new int[model.operators().size()];
    for (int[] input : inputs) {
      ReferenceNetwork.Activations acts = net.run(input);
      for (TfliteOperator op : model.operators()) {
        if (net.steps().get(op.index()) instanceof ReferenceNetwork.Step.Layer l) {
          CompiledLayer compiled;
          try {
            compiled = LayerRunner.compile(l.layer(), machine);
          } catch (CompileException e) {
            throw new AnalysisException(
                model.file()
                    + ": "
                    + op.label()
                    + " does not compile for "
                    + machine.name()
                    + ": "
                    + e.getMessage());
          }
          int bits =
              WitnessSimulator.run(
                      compiled, ImmutableIntArray.copyOf(acts.tensor(op.input(0))), machine, true)
                  .accumulatorBitsNeeded();
          observed[op.index()] = Math.max(observed[op.index()], bits);
        }
      }
    }
    List<OverflowAnalysis.LayerInput> out = new ArrayList<>();
    for (TfliteOperator op : model.operators()) {
      if (net.steps().get(op.index()) instanceof ReferenceNetwork.Step.Layer l) {
        out.add(
            new OverflowAnalysis.LayerInput(
                op.label(),
                l.layer(),
                inputs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(observed[op.index()])));
      }
    }
    return out;
  }
}
