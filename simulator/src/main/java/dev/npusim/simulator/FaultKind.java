package dev.npusim.simulator;

/** Why a run stopped abnormally. Every way a program can go wrong is one of these. */
public enum FaultKind {
  /** A word that does not decode, or a program the machine cannot run (lane index past L). */
  ILLEGAL_INSTRUCTION,
  /** A vector access, bias or parameter load, or DMA row outside its scratchpad or DRAM. */
  ADDRESS_OUT_OF_RANGE,
  /** A control register written with a value it does not accept. */
  ILLEGAL_CSR_VALUE,
  /** A requantization shift outside [-31, 31], or an average-pool divisor below 1. */
  ILLEGAL_REQUANT_PARAMETER,
  /** A DMA shape with negative rows or row length. */
  ILLEGAL_DMA_SHAPE,
  /** Compute or DMA touched scratchpad or DRAM bytes that an un-waited DMA transfer uses. */
  DMA_HAZARD,
  /** More nested hardware loops than the machine has loop registers. */
  LOOP_STACK_OVERFLOW,
  /** A taken branch or jump left the body of an active hardware loop. */
  LOOP_ESCAPE,
  /** Execution fell off the end of the program without {@code halt}. */
  PC_OUT_OF_RANGE,
  /** The run exceeded its step limit. */
  STEP_LIMIT
}
