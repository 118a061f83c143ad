package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.isa.Scratchpad;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed cycles and energy of small programs on the default machine, from the documented
 * model: unit latencies, DMA setup 32 cycles + bytes / 16, and the Horowitz 45 nm table (mac8 0.26
 * pJ, 32-bit add 0.1 pJ, scalar op 0.1 pJ, DRAM 1950 pJ per 64 bits, SRAM 10/20/100 pJ per 64 bits
 * at 8 KB/32 KB/1 MB, log-log in between and beyond).
 */
class EnergyModelTest {
  private static final double TOLERANCE = 1e-9;

  /** SRAM energy of one byte below 32 KB: 10 pJ per 64 bits at 8 KB, x sqrt(2) per doubling. */
  private static double smallSramPjPerByte(double bytes) {
    // slope between 8 KB and 32 KB: ln(20/10) / ln(32K/8K) = 1/2
    return 10.0 * Math.sqrt(bytes / 8192.0) / 8.0;
  }

  private static RunResult run(MachineConfig m, String asm) throws Exception {
    Program p = Assembler.assemble(asm, "test.s");
    return new Machine(m).run(p, 1_000_000);
  }

  private static void assertPj(double expected, double actual, String what) {
    assertEquals(expected, actual, TOLERANCE * Math.max(1, Math.abs(expected)), what);
  }

  @Test
  void aLoopOfNMacs() throws Exception {
    MachineConfig m = MachineConfig.defaults();
    int n = 1000;
    int lanes = m.lanes(); // 32, every lane active (vl resets to lanes)
    RunResult r =
        run(
            m,
            """
                li   x7, 1000
                loop x7, end
                vmac acc0, v1, v2
            end:
                halt
            """);
    // li 1 + loop 1 + 1000 vmac x 1 + halt 1; the loop's back edge is free.
    assertEquals(n + 3, r.cycles());
    assertEquals((long) n * lanes, r.macs());

    EnergyBreakdown e = EnergyModel.of(r, m);
    assertPj(n * lanes * 0.26, e.pj(EnergyComponent.MAC), "mac");
    assertPj(n * lanes * 0.1, e.pj(EnergyComponent.ACCUMULATOR), "accumulator");
    // vmac moves 10 register bytes per lane (two 1-byte operands, 4-byte accumulator read and
    // write); a register file is priced as a 1 KiB SRAM: 10 / sqrt(8) pJ per 64 bits.
    assertPj(n * lanes * 10 * smallSramPjPerByte(1024), e.pj(EnergyComponent.REGISTER), "reg");
    // li and loop are scalar operations; halt is not.
    assertPj(2 * 0.1, e.pj(EnergyComponent.SCALAR), "scalar");
    // every retired instruction fetches one 64-bit word from an 8 KiB memory: 10 pJ.
    assertPj((n + 3) * 10.0, e.pj(EnergyComponent.INSTRUCTION_FETCH), "fetch");
    assertPj(0, e.pj(EnergyComponent.DRAM), "dram");
    assertPj(0, e.scratchpadsPj(), "scratchpads");
    assertPj(0, e.pj(EnergyComponent.REQUANT), "requant");
    double total =
        n * lanes * (0.26 + 0.1 + 10 * smallSramPjPerByte(1024)) + 2 * 0.1 + (n + 3) * 10.0;
    assertPj(total, e.totalPj(), "total");
  }

  @Test
  void oneDmaFollowedByAWait() throws Exception {
    MachineConfig m = MachineConfig.defaults();
    RunResult r =
        run(
            m,
            """
                li   x1, 1                # cycle 0
                li   x2, 256              # 1
                dma.cfg x1, x2, x0, x0    # 2
                dma.ld act, x0, x0        # 3: occupies the port [3, 3 + 32 + 256/16 = 51)
                dma.wait ld, 0            # 4: stalls until 51, retires at 52
                halt                      # 52 -> 53
            """);
    assertEquals(53, r.cycles());
    assertEquals(51 - 4, r.stalls().dmaWait());
    assertEquals(32 + 256 / 16, r.dma().loadBusyCycles());

    EnergyBreakdown e = EnergyModel.of(r, m);
    assertPj(256 * 1950.0 / 8, e.pj(EnergyComponent.DRAM), "dram");
    // act is 64 KiB: above 32 KB the slope is ln(100/20) / ln(1M/32K) = ln 5 / ln 32, so one
    // 64-bit access costs 20 x 2^(ln 5 / ln 32) pJ.
    double act64kPjPerByte = 20 * Math.pow(2, Math.log(5) / Math.log(32)) / 8;
    assertPj(256 * act64kPjPerByte, e.pj(EnergyComponent.SPAD_ACT), "act");
    assertPj(0, e.pj(EnergyComponent.SPAD_WGT), "wgt");
    assertPj(3 * 0.1, e.pj(EnergyComponent.SCALAR), "scalar: li, li, dma.cfg");
    assertPj(6 * 10.0, e.pj(EnergyComponent.INSTRUCTION_FETCH), "fetch");
    assertPj(0, e.pj(EnergyComponent.MAC), "mac");
    assertPj(256 * 1950.0 / 8 + 256 * act64kPjPerByte + 3 * 0.1 + 6 * 10.0, e.totalPj(), "total");
  }

  @Test
  void scratchpadEnergyFollowsTheConfiguredSize() throws Exception {
    String asm =
        """
            li   x1, 1
            li   x2, 64
            dma.cfg x1, x2, x0, x0
            dma.ld wgt, x0, x0
            dma.wait ld, 0
            halt
        """;
    MachineConfig small = MachineConfig.defaults().withScratchpad(Scratchpad.WGT, 8192, 1);
    MachineConfig large = MachineConfig.defaults().withScratchpad(Scratchpad.WGT, 1 << 20, 4);
    double smallPj = EnergyModel.of(run(small, asm), small).pj(EnergyComponent.SPAD_WGT);
    double largePj = EnergyModel.of(run(large, asm), large).pj(EnergyComponent.SPAD_WGT);
    assertPj(64 * 10.0 / 8, smallPj, "64 bytes at 10 pJ per 8 bytes (8 KB)");
    assertPj(64 * 100.0 / 8, largePj, "64 bytes at 100 pJ per 8 bytes (1 MB)");
  }

  @Test
  void accumulatorAddsScaleWithWidth() throws Exception {
    String asm =
        """
            vmac acc0, v1, v2
            halt
        """;
    MachineConfig wide =
        MachineConfig.defaults()
            .withAccumulator(48, dev.npusim.isa.Csr.AccumulatorMode.WRAP)
            .withLanes(4);
    EnergyBreakdown e = EnergyModel.of(run(wide, asm), wide);
    assertPj(4 * 0.1 * 48 / 32, e.pj(EnergyComponent.ACCUMULATOR), "4 lanes x 0.15 pJ");
  }

  @Test
  void breakdownsAddComponentWise() {
    EnergyBreakdown z = EnergyBreakdown.zero();
    assertEquals(0, z.totalPj());
    assertTrue(z.plus(z).totalPj() == 0);
  }
}
