package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.CycleClass;
import dev.npusim.isa.Scratchpad;
import org.junit.jupiter.api.Test;

class MachineConfigReaderTest {

  private static String error(String json) {
    return assertThrows(
            MachineConfigException.class, () -> MachineConfigReader.parse(json, "m.json"))
        .getMessage();
  }

  @Test
  void overridesOnTopOfTheDefaults() throws Exception {
    MachineConfig c =
        MachineConfigReader.parse(
            """
            {"name": "small", "lanes": 8, "accumulator_bits": 24, "accumulator_mode": "saturate",
             "scratchpads": {"act": {"bytes": 4096, "banks": 2}},
             "dma": {"bytes_per_cycle": 8},
             "latency": {"mac": 2},
             // comments are allowed
             "clock_mhz": 500}
            """,
            "m.json");
    assertEquals("small", c.name());
    assertEquals(8, c.lanes());
    assertEquals(24, c.accumulatorBits());
    assertEquals(AccumulatorMode.SATURATE, c.accumulatorMode());
    assertEquals(4096, c.scratchpadBytes(Scratchpad.ACT));
    assertEquals(2, c.scratchpads().get(Scratchpad.ACT).banks());
    assertEquals(
        MachineConfig.defaults().scratchpadBytes(Scratchpad.WGT),
        c.scratchpadBytes(Scratchpad.WGT));
    assertEquals(8, c.dmaBytesPerCycle());
    assertEquals(MachineConfig.defaults().dmaSetupCycles(), c.dmaSetupCycles());
    assertEquals(2, c.latency(CycleClass.MAC));
    assertEquals(1, c.latency(CycleClass.SCALAR));
    assertEquals(500.0, c.clockMhz());
  }

  @Test
  void unknownFieldIsNamed() {
    assertEquals(
        "m.json: scratchpads.acts: unknown field (known: act, out, par, wgt)",
        error("{\"scratchpads\": {\"acts\": {\"bytes\": 1}}}"));
  }

  @Test
  void wrongTypeIsNamed() {
    assertEquals("m.json: lanes: expected an integer, got \"32\"", error("{\"lanes\": \"32\"}"));
  }

  @Test
  void outOfRangeValuesAreNamed() {
    assertEquals("m.json: lanes must be in [1, 1024], got 0", error("{\"lanes\": 0}"));
    assertEquals(
        "m.json: scratchpads.wgt: bytes must be positive, got -4",
        error("{\"scratchpads\": {\"wgt\": {\"bytes\": -4}}}"));
    assertEquals(
        "m.json: accumulator_bits must be in [16, 48], got 64",
        error("{\"accumulator_bits\": 64}"));
  }

  /** Issue 12: machine files go through the bounded input layer (InputFiles). */
  @Test
  void aFolderIsNotAMachineFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertEquals(
        dir + ": is a directory, not a regular file",
        assertThrows(MachineConfigException.class, () -> MachineConfigReader.load(dir.toString()))
            .getMessage());
  }

  /** Issue 12: these passed validation, then threw OutOfMemoryError in the executor. */
  @Test
  void memoriesTheJvmCannotHoldAreNamed() {
    assertEquals(
        "m.json: scratchpads.par: bytes 2147483647 is more than the simulator can hold: at most"
            + " 1073741824 (1 GiB), as each memory is one Java array allocated up front",
        error("{\"scratchpads\":{\"par\":{\"bytes\":2147483647}}}"));
    assertEquals(
        "m.json: dram_bytes 2147483647 is more than the simulator can hold: at most 1073741824"
            + " (1 GiB), as each memory is one Java array allocated up front",
        error("{\"dram_bytes\":2147483647}"));
  }

  @Test
  void memoriesBeyondHalfTheHeapAreNamedWithTheRemedy() {
    long total = 5L << 30;
    assumeTrue(Runtime.getRuntime().maxMemory() / 2 < total, "a heap of 10 GiB or more");
    String m =
        error(
            "{\"dram_bytes\": 1073741824, \"scratchpads\": {"
                + "\"act\": {\"bytes\": 1073741824}, \"wgt\": {\"bytes\": 1073741824},"
                + "\"out\": {\"bytes\": 1073741824}, \"par\": {\"bytes\": 1073741824}}}");
    assertTrue(
        m.startsWith("m.json: dram_bytes and scratchpads total 5368709120 bytes, more than half"),
        m);
    assertTrue(m.endsWith("give java a larger -Xmx"), m);
  }

  /** Issue 12: 1e308 pJ per DRAM access gave "energy of dram is Infinity pJ". */
  @Test
  void energiesThatOverflowTotalsAreNamed() {
    assertEquals(
        "m.json: energy_pj.dram_per_64b: 1.0E308 pJ is more than 1.0E9 pJ (1 mJ) per event, where"
            + " energy totals would stop being finite",
        error("{\"energy_pj\": {\"dram_per_64b\": 1e308}}"));
    assertEquals(
        "m.json: clock_mhz: not a finite number (beyond the range of a double)",
        error("{\"clock_mhz\": 1e400}"));
  }

  @Test
  void malformedJsonGivesAPosition() {
    String m = error("{\"lanes\": 8,,}");
    assertEquals(true, m.startsWith("m.json: line 1, column 13: malformed JSON"), m);
  }

  @Test
  void unknownPresetIsNamed() {
    assertEquals(
        "m.json: base: unknown preset (presets: npu8-default, vta-like, gemmini-like, nvdla-small-like)",
        error("{\"base\": \"tpu\"}"));
  }

  @Test
  void theDefaultPresetFileIsTheDefaultMachine() throws Exception {
    assertEquals(MachineConfig.defaults(), MachineConfigReader.preset("npu8-default"));
  }

  @Test
  void everyPresetLoadsWithTheResourcesTheIssueNames() throws Exception {
    for (String p : MachineConfigReader.PRESETS) {
      MachineConfig c = MachineConfigReader.preset(p);
      assertEquals(p, c.name());
      assertEquals(false, c.description().isBlank(), p + " needs a comment");
    }
    MachineConfig vta = MachineConfigReader.preset("vta-like");
    assertEquals(256, vta.peakMacsPerCycle());
    assertEquals(32 * 1024, vta.scratchpadBytes(Scratchpad.ACT));
    assertEquals(256 * 1024, vta.scratchpadBytes(Scratchpad.WGT));
    MachineConfig gemmini = MachineConfigReader.preset("gemmini-like");
    assertEquals(256, gemmini.peakMacsPerCycle());
    assertEquals(
        256 * 1024,
        gemmini.scratchpadBytes(Scratchpad.ACT) + gemmini.scratchpadBytes(Scratchpad.WGT));
    MachineConfig nvdla = MachineConfigReader.preset("nvdla-small-like");
    assertEquals(64, nvdla.peakMacsPerCycle());
    assertEquals(
        128 * 1024, nvdla.scratchpadBytes(Scratchpad.ACT) + nvdla.scratchpadBytes(Scratchpad.WGT));
  }

  @Test
  void aMacLatencyOfZeroIsRejected() {
    assertEquals(
        "m.json: latency.mac must be >= 1 (the MAC array cannot beat its peak), got 0",
        error("{\"latency\": {\"mac\": 0}}"));
  }

  @Test
  void negativeSizesNameTheirField() {
    assertEquals("m.json: dram_bytes must be positive, got -1", error("{\"dram_bytes\": -1}"));
    assertEquals(
        "m.json: dma.bytes_per_cycle must be positive, got -16",
        error("{\"dma\": {\"bytes_per_cycle\": -16}}"));
  }
}
