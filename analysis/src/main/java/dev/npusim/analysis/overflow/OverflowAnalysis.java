package dev.npusim.analysis.overflow;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.SimulationFault;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code npusim overflow}: for each layer, the exact accumulator range of every output channel, the
 * narrowest width that cannot overflow, the margin against a width asked about, the width observed
 * on real data when given, and optionally a witness run one bit too narrow.
 */
public final class OverflowAnalysis {
  private OverflowAnalysis() {}

  /**
   * One layer to analyze.
   *
   * @param observedBits the study's observed width for this layer ({@code
   *     AnalysisResult.Layer#accumulatorBitsNeeded}), or empty without images
   */
  public record LayerInput(String name, QuantizedLayer layer, OptionalInt observedBits) {
    public LayerInput {
      checkArgument(name != null && !name.isBlank(), "a layer has a name");
      checkArgument(layer != null, "layer %s: no layer", name);
      checkArgument(
          observedBits.isEmpty() || observedBits.getAsInt() > 0,
          "layer %s: observed width %s is not positive",
          name,
          observedBits);
    }

    public static LayerInput of(String name, QuantizedLayer layer) {
      return new LayerInput(name, layer, OptionalInt.empty());
    }
  }

  /**
   * The entry call.
   *
   * @param accBits the width to report margins against ({@code --acc-bits}), or empty
   * @param witnesses true to build each layer's witness and run it on {@code machine} (three
   *     simulations of the whole layer per layer); false for the bounds alone
   * @param machine the machine the witnesses run on; its accumulator width and mode are replaced
   * @throws AccumulatorWidthException if {@code accBits} is outside 8..64
   * @throws SimulationFault if a witness run faults (a bug: compiled layers do not fault)
   */
  public static OverflowReport analyze(
      List<LayerInput> layers, OptionalInt accBits, boolean witnesses, MachineConfig machine)
      throws AccumulatorWidthException, SimulationFault {
    Optional<AccumulatorWidth> width =
        accBits.isPresent()
            ? Optional.of(AccumulatorWidth.of(accBits.getAsInt()))
            : Optional.empty();
    ImmutableList.Builder<LayerReport> out = ImmutableList.builder();
    for (LayerInput in : layers) {
      out.add(analyze(in, witnesses, machine));
    }
    return new OverflowReport(out.build(), width);
  }

  /** One layer; see {@link #analyze(List, OptionalInt, boolean, MachineConfig)}. */
  public static LayerReport analyze(LayerInput in, boolean witness, MachineConfig machine)
      throws SimulationFault {
    QuantizedLayer layer = in.layer();
    LayerBound bound = ExactBound.of(layer);
    Optional<WitnessRun> run = Optional.empty();
    if (witness) {
      Witness w = Witness.reaching(layer, bound.worst());
      run = Optional.of(WitnessSimulator.run(layer, bound, w, machine));
    }
    return new LayerReport(
        in.name(), layer.kind(), layer.semantics(), bound, in.observedBits(), run);
  }
}
