package dev.npusim.analysis.study;

import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.quant.QuantScheme;
import dev.npusim.kernels.quant.QuantizedNetwork;
import java.util.Map;

/**
 * A quantized scheme ready to run ({@link QuantizeStage}'s result per scheme): its network, float
 * companions and one compiled program per layer.
 */
record SchemeRun(
    QuantScheme scheme,
    QuantizedNetwork net,
    FloatPasses passes,
    Map<String, CompiledLayer> compiled,
    GraphKey graphKey,
    ActivationKey activationKey) {}
