/**
 * Comparing an output with a reference: {@link dev.npusim.golden.metrics.Comparison} (exact
 * matches, first mismatch with its NHWC coordinate, max error in LSB, SQNR).
 */
package dev.npusim.golden.metrics;
