package dev.npusim.isa;

/**
 * Physical events an instruction causes, counted by the simulator and priced by an energy table.
 * Every retired instruction also causes one {@link #INSTRUCTION_FETCH}.
 */
public enum EnergyEvent {
  /** One 8-bit multiply with its zero-point subtractions. */
  MAC8,
  /** One accumulator-width add (accumulate, bias load). */
  ACC_ADD,
  /** One requantization of a lane: 32x32 multiply, shift, clamp. */
  REQUANT,
  /** One scalar ALU or branch operation. */
  SCALAR_OP,
  /** One byte read from or written to the vector or accumulator register files. */
  REGISTER_BYTE,
  /** One byte read from a scratchpad. The scratchpad is the instruction's spad operand. */
  SPAD_READ_BYTE,
  /** One byte written to a scratchpad. */
  SPAD_WRITE_BYTE,
  /** One byte moved to or from DRAM. */
  DRAM_BYTE,
  /** One 64-bit instruction word fetched. */
  INSTRUCTION_FETCH
}
