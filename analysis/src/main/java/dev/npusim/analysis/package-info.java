/**
 * The quantization study as named stages with typed results (float, calibrate, quantize, compile,
 * simulate, attribute, evaluate), and the cost model (estimate, sweep, traffic bounds, traces).
 */
package dev.npusim.analysis;
