/**
 * Accumulator width you can prove (issue 10, part 3): the exact range of every output channel's
 * accumulator over every input the input type allows, the narrowest two's-complement width that
 * holds it, and a witness input that reaches it, run on the simulator one bit too narrow.
 *
 * <p>Entry point: {@link OverflowAnalysis#analyze}.
 */
package dev.npusim.analysis.overflow;
