package dev.npusim.isa;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How many of one {@link EnergyEvent} an instruction causes: {@code factor} per instruction, per
 * active lane, or per byte transferred.
 */
public record EnergyTerm(EnergyEvent event, Per per, int factor) {
  /** What the factor multiplies. */
  public enum Per {
    INSTRUCTION,
    LANE,
    TRANSFER_BYTE
  }

  public EnergyTerm {
    checkArgument(factor > 0, "factor must be positive, got %s", factor);
  }

  static EnergyTerm perInstruction(EnergyEvent event, int factor) {
    return new EnergyTerm(event, Per.INSTRUCTION, factor);
  }

  static EnergyTerm perLane(EnergyEvent event, int factor) {
    return new EnergyTerm(event, Per.LANE, factor);
  }

  static EnergyTerm perByte(EnergyEvent event, int factor) {
    return new EnergyTerm(event, Per.TRANSFER_BYTE, factor);
  }

  @Override
  public String toString() {
    String unit =
        switch (per) {
          case INSTRUCTION -> "";
          case LANE -> "/lane";
          case TRANSFER_BYTE -> "/byte";
        };
    return event.name().toLowerCase(java.util.Locale.ROOT)
        + (factor == 1 ? "" : "x" + factor)
        + unit;
  }
}
