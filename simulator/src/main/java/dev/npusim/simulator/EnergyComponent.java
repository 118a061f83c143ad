package dev.npusim.simulator;

import dev.npusim.isa.Scratchpad;
import java.util.Locale;

/** Where a run's energy goes: the parts of {@link EnergyBreakdown}, in report order. */
public enum EnergyComponent {
  /** 8-bit multiplies with their zero-point subtractions. */
  MAC,
  /** Accumulator adds (accumulate, bias load). */
  ACCUMULATOR,
  /** Requantization: 32x32 multiply, shift, clamp per lane. */
  REQUANT,
  /** Vector and accumulator register-file bytes. */
  REGISTER,
  /** Bytes read and written in the {@code act} scratchpad (compute and DMA). */
  SPAD_ACT,
  SPAD_WGT,
  SPAD_OUT,
  SPAD_PAR,
  /** Bytes moved to or from DRAM. */
  DRAM,
  /** 64-bit instruction words fetched. */
  INSTRUCTION_FETCH,
  /** Scalar ALU, branch, loop and DMA-configuration operations. */
  SCALAR;

  /** The component of a scratchpad's bytes. */
  public static EnergyComponent of(Scratchpad s) {
    return switch (s) {
      case ACT -> SPAD_ACT;
      case WGT -> SPAD_WGT;
      case OUT -> SPAD_OUT;
      case PAR -> SPAD_PAR;
    };
  }

  /** Report name: {@code mac}, {@code spad_act}, {@code instruction_fetch}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
