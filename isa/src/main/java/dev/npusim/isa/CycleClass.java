package dev.npusim.isa;

/**
 * Timing class of an instruction. A machine configuration gives each class an issue latency in
 * cycles; DMA transfers additionally occupy their queue for setup + bytes / bandwidth cycles.
 */
public enum CycleClass {
  SCALAR,
  BRANCH,
  LOOP,
  CSR,
  VLOAD,
  VSTORE,
  MAC,
  ACC,
  REQUANT,
  DMA,
  WAIT,
  HALT
}
