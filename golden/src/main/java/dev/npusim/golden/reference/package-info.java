/**
 * The golden references, independent of the ISA and the simulator: {@link
 * dev.npusim.golden.reference.IntegerReference} (bit-exact direct loops of the three semantics of
 * {@code case-format.md}, plus the 32-bit and exact accumulators and the unrounded output for error
 * analysis), {@link dev.npusim.golden.reference.ExactRequantReference} (the real value the integer
 * pipeline approximates) and {@link dev.npusim.golden.reference.RequantArithmetic} (TFLite's
 * fixed-point and ONNX Runtime's float32 requantization, written from the spec).
 */
package dev.npusim.golden.reference;
