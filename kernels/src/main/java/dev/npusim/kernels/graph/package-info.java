/**
 * The float graph IR and its float-to-float transforms.
 *
 * <p>{@link dev.npusim.kernels.graph.FloatGraph} holds {@link dev.npusim.kernels.graph.FloatLayer}s
 * in execution order, each named after its tensors' prefix in the imported model and reading
 * exactly one earlier tensor; {@link dev.npusim.kernels.graph.FloatGraph}'s class comment shows how
 * to walk it. Weights are doubles in the layouts of {@link dev.npusim.kernels.QuantizedLayer} (conv
 * OHWI, depthwise {@code [KH, KW, C]}), so quantizing a layer is a per-value mapping with no
 * transposition.
 *
 * <p>Transforms are pure functions from graph to graph: {@link
 * dev.npusim.kernels.graph.BatchNormFold}, {@link dev.npusim.kernels.graph.CrossLayerEqualization}
 * (after folding) and {@link dev.npusim.kernels.graph.ActivationRewrite}. The float reference that
 * executes a graph lives in the golden module.
 */
package dev.npusim.kernels.graph;
