package dev.npusim.simulator;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the machine reader (issue 12). Contract: any text is a machine or one
 * {@link MachineConfigException}; a machine that reads can be built (its memories allocated)
 * without an OutOfMemoryError.
 */
class MachineConfigFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void parseMachine(byte[] bytes) {
    MachineConfig c;
    try {
      c = MachineConfigReader.parse(new String(bytes, StandardCharsets.UTF_8), "fuzz.json");
    } catch (MachineConfigException expected) {
      return;
    }
    // Allocating DRAM would dominate every run; the scratchpads and registers are small.
    new Machine(c.withDram(4096));
  }
}
