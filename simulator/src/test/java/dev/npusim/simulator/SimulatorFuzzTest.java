package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.npusim.isa.Program;
import dev.npusim.isa.ProgramBinary;
import dev.npusim.isa.ProgramException;

/**
 * Coverage-guided fuzzing of the simulator on arbitrary encodings (issue 12). The fuzzer's bytes
 * are a program binary and the initial DRAM; every program that decodes runs for at most {@link
 * #MAX_STEPS} steps on a small machine. Contract: it halts, or stops with a typed {@link
 * SimulationFault} (step limit included); nothing else escapes, and a traced run ends the same way
 * as a fast one.
 */
class SimulatorFuzzTest {
  static final long MAX_STEPS = 20_000;

  private static final MachineConfig CONFIG =
      MachineConfig.defaults().withLanes(8).withDram(1 << 12);
  private static final Machine FAST = new Machine(CONFIG);
  private static final Machine TRACED = new Machine(CONFIG);

  @FuzzTest(maxDuration = "10m")
  void runArbitraryEncodings(FuzzedDataProvider data) {
    byte[] dram = data.consumeBytes(1 << 12);
    int words = data.remainingBytes() / 8;
    byte[] binary = data.consumeBytes(words * 8);
    Program p;
    try {
      p = ProgramBinary.read(binary);
    } catch (ProgramException notAProgram) {
      return;
    }
    String fast = outcome(FAST, p, dram, null);
    String traced = outcome(TRACED, p, dram, new StringBuilder());
    assertEquals(fast, traced);
  }

  private static String outcome(Machine m, Program p, byte[] dram, StringBuilder trace) {
    m.clearDram();
    m.writeDram(0, dram);
    try {
      RunResult r = m.run(p, MAX_STEPS, trace, null);
      return "halt after " + r.cycles() + " cycles";
    } catch (SimulationFault f) {
      return "fault: " + f.getMessage();
    }
  }
}
