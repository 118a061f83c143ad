/**
 * Random valid cases: {@link dev.npusim.golden.generator.CaseSpec} (what to build, validated),
 * {@link dev.npusim.golden.generator.CaseGenerator} ({@code generate(spec, seed)}, expected output
 * from the integer reference), {@link dev.npusim.kernels.quant.QuantizedMultiplier} (TFLite's
 * {@code QuantizeMultiplier}) and {@link dev.npusim.golden.generator.Padding} (explicit, or TFLite
 * SAME/VALID).
 */
package dev.npusim.golden.generator;
