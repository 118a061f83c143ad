package dev.npusim.simulator;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Energy per event, in picojoules. The defaults are the 45 nm figures of M. Horowitz, "Computing's
 * energy problem (and what we can do about it)", ISSCC 2014:
 *
 * <ul>
 *   <li>8-bit add 0.03 pJ, 8-bit multiply 0.2 pJ; 32-bit add 0.1 pJ, 32-bit multiply 3.1 pJ;
 *   <li>SRAM read per 64 bits: 10 pJ (8 KB), 20 pJ (32 KB), 100 pJ (1 MB);
 *   <li>DRAM 1.3-2.6 nJ per 64 bits.
 * </ul>
 *
 * <p>Derived events: an 8-bit MAC with two zero-point subtractions is one 8-bit multiply plus two
 * 8-bit adds (0.26 pJ); an accumulator add is a 32-bit add scaled linearly with the accumulator
 * width; a requantization is a 32-bit multiply plus a 32-bit add (3.2 pJ). SRAM energy per byte is
 * interpolated log-log through the three published sizes (and extrapolated with the end slopes), so
 * a scratchpad's energy follows its configured size; the register files are priced as 1 KB SRAMs
 * and instruction fetch as one 64-bit read of an 8 KB instruction memory.
 *
 * @param mac8Pj one 8-bit multiply with zero-point subtractions
 * @param accAdd32Pj one 32-bit accumulator add (scaled by width / 32)
 * @param requantPj one lane of requantization
 * @param scalarOpPj one scalar ALU operation
 * @param dramPjPer64Bits DRAM access energy per 64 bits (default: the midpoint of 1.3-2.6 nJ)
 * @param sram8kPjPer64Bits SRAM read of 64 bits from an 8 KB array
 * @param sram32kPjPer64Bits SRAM read of 64 bits from a 32 KB array
 * @param sram1mPjPer64Bits SRAM read of 64 bits from a 1 MB array
 */
public record EnergyTable(
    double mac8Pj,
    double accAdd32Pj,
    double requantPj,
    double scalarOpPj,
    double dramPjPer64Bits,
    double sram8kPjPer64Bits,
    double sram32kPjPer64Bits,
    double sram1mPjPer64Bits) {

  /**
   * The largest energy of one event, in pJ: 1e9 pJ = 1 mJ, six orders of magnitude above a DRAM
   * access. Counts reach 2^63, so a bound keeps every total finite (issue 12: 1e308 pJ per DRAM
   * access gave an energy of Infinity).
   */
  public static final double MAX_EVENT_PJ = 1e9;

  public EnergyTable {
    double[] all = {
      mac8Pj,
      accAdd32Pj,
      requantPj,
      scalarOpPj,
      dramPjPer64Bits,
      sram8kPjPer64Bits,
      sram32kPjPer64Bits,
      sram1mPjPer64Bits
    };
    for (double e : all) {
      checkArgument(
          !(e > MAX_EVENT_PJ),
          "%s pJ per event is more than %s pJ (1 mJ), where totals would stop being finite",
          e,
          MAX_EVENT_PJ);
    }
    checkArgument(mac8Pj >= 0 && Double.isFinite(mac8Pj), "mac8_pj must be >= 0");
    checkArgument(accAdd32Pj >= 0 && Double.isFinite(accAdd32Pj), "acc_add32_pj must be >= 0");
    checkArgument(requantPj >= 0 && Double.isFinite(requantPj), "requant_pj must be >= 0");
    checkArgument(scalarOpPj >= 0 && Double.isFinite(scalarOpPj), "scalar_op_pj must be >= 0");
    checkArgument(
        dramPjPer64Bits >= 0 && Double.isFinite(dramPjPer64Bits), "dram_pj_per_64b must be >= 0");
    checkArgument(
        sram8kPjPer64Bits > 0 && sram32kPjPer64Bits > 0 && sram1mPjPer64Bits > 0,
        "sram energies must be positive");
    checkArgument(
        sram8kPjPer64Bits <= sram32kPjPer64Bits && sram32kPjPer64Bits <= sram1mPjPer64Bits,
        "sram energy must not fall with size: 8K %s, 32K %s, 1M %s pJ",
        sram8kPjPer64Bits,
        sram32kPjPer64Bits,
        sram1mPjPer64Bits);
  }

  /** Horowitz, ISSCC 2014, 45 nm. */
  public static EnergyTable horowitz45nm() {
    return new EnergyTable(0.2 + 2 * 0.03, 0.1, 3.1 + 0.1, 0.1, (1300 + 2600) / 2.0, 10, 20, 100);
  }

  /** Energy of one byte read from or written to an SRAM of this size. */
  public double sramPjPerByte(long sizeBytes) {
    double x = Math.log(Math.max(1, sizeBytes));
    double x8 = Math.log(8 * 1024);
    double x32 = Math.log(32 * 1024);
    double x1m = Math.log(1024 * 1024);
    double y8 = Math.log(sram8kPjPer64Bits);
    double y32 = Math.log(sram32kPjPer64Bits);
    double y1m = Math.log(sram1mPjPer64Bits);
    double y;
    if (x <= x32) {
      y = y8 + (x - x8) * (y32 - y8) / (x32 - x8);
    } else {
      y = y32 + (x - x32) * (y1m - y32) / (x1m - x32);
    }
    return Math.exp(y) / 8.0;
  }

  public double dramPjPerByte() {
    return dramPjPer64Bits / 8.0;
  }

  /** Accumulator add energy at a given width. */
  public double accAddPj(int accumulatorBits) {
    return accAdd32Pj * accumulatorBits / 32.0;
  }

  /** Register-file byte access, priced as a 1 KB SRAM. */
  public double registerPjPerByte() {
    return sramPjPerByte(1024);
  }

  /** One 64-bit instruction fetch from an 8 KB instruction memory. */
  public double instructionFetchPj() {
    return sramPjPerByte(8 * 1024) * 8;
  }
}
