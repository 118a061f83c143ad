package dev.npusim.simulator;

import com.google.common.collect.ImmutableMap;
import dev.npusim.isa.EnergyEvent;
import dev.npusim.isa.Scratchpad;
import java.util.EnumMap;
import java.util.Map;

/**
 * Prices a run: the simulator's event counts times the machine's {@link EnergyTable}. Nothing here
 * depends on data values or timing, only on what the program did.
 *
 * <p>With {@code n(e)} the count of event {@code e} in the {@link RunResult} and the table's
 * figures (defaults from M. Horowitz, "Computing's energy problem (and what we can do about it)",
 * ISSCC 2014, 45 nm):
 *
 * <pre>
 *   MAC               = n(MAC8)              x mac8                          (0.2 + 2 x 0.03 pJ)
 *   ACCUMULATOR       = n(ACC_ADD)           x acc_add32 x accumulator_bits / 32   (0.1 pJ at 32)
 *   REQUANT           = n(REQUANT)           x requant                       (3.1 + 0.1 pJ)
 *   REGISTER          = n(REGISTER_BYTE)     x sram(1 KiB) / 8
 *   SPAD_s            = (reads(s) + writes(s)) x sram(size of s) / 8          for s in act, wgt, out, par
 *   DRAM              = n(DRAM_BYTE)         x dram_per_64b / 8              (1950 / 8 pJ)
 *   INSTRUCTION_FETCH = n(INSTRUCTION_FETCH) x sram(8 KiB)                   (one 64-bit word)
 *   SCALAR            = n(SCALAR_OP)         x scalar_op                     (0.1 pJ)
 * </pre>
 *
 * where {@code sram(S)} is the energy of a 64-bit access to an SRAM of S bytes, interpolated
 * log-log through Horowitz's 10 pJ (8 KB), 20 pJ (32 KB) and 100 pJ (1 MB) and extrapolated with
 * the end slopes ({@link EnergyTable#sramPjPerByte}). Each scratchpad is priced at its configured
 * total size (banking is not credited); writes cost what reads cost, since the paper gives one
 * figure per access.
 */
public final class EnergyModel {
  private EnergyModel() {}

  public static EnergyBreakdown of(RunResult run, MachineConfig machine) {
    EnergyTable t = machine.energy();
    Map<EnergyComponent, Double> pj = new EnumMap<>(EnergyComponent.class);
    pj.put(EnergyComponent.MAC, count(run, EnergyEvent.MAC8) * t.mac8Pj());
    pj.put(
        EnergyComponent.ACCUMULATOR,
        count(run, EnergyEvent.ACC_ADD) * t.accAddPj(machine.accumulatorBits()));
    pj.put(EnergyComponent.REQUANT, count(run, EnergyEvent.REQUANT) * t.requantPj());
    pj.put(EnergyComponent.REGISTER, count(run, EnergyEvent.REGISTER_BYTE) * t.registerPjPerByte());
    for (Scratchpad s : Scratchpad.values()) {
      double bytes = run.scratchpadReads().get(s) + run.scratchpadWrites().get(s);
      pj.put(EnergyComponent.of(s), bytes * t.sramPjPerByte(machine.scratchpadBytes(s)));
    }
    pj.put(EnergyComponent.DRAM, count(run, EnergyEvent.DRAM_BYTE) * t.dramPjPerByte());
    pj.put(
        EnergyComponent.INSTRUCTION_FETCH,
        count(run, EnergyEvent.INSTRUCTION_FETCH) * t.instructionFetchPj());
    pj.put(EnergyComponent.SCALAR, count(run, EnergyEvent.SCALAR_OP) * t.scalarOpPj());
    return new EnergyBreakdown(ImmutableMap.copyOf(pj));
  }

  private static double count(RunResult run, EnergyEvent e) {
    return run.events().getOrDefault(e, 0L);
  }
}
