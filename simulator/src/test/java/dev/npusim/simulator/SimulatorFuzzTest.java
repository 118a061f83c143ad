package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.npusim.isa.Program;
import dev.npusim.isa.ProgramBinary;
import dev.npusim.isa.ProgramException;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the simulator on arbitrary encodings (issue 12). The fuzzer's bytes
 * are a program binary and the start of DRAM; every program that decodes runs for at most {@link
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

  /**
   * Byte 0 is the number of instruction words n (0 to 255), the next 8n bytes the program binary,
   * the rest the start of DRAM (zeros after it).
   */
  @FuzzTest(maxDuration = "10m")
  void runArbitraryEncodings(byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    int words = Math.min(bytes[0] & 0xFF, (bytes.length - 1) / 8);
    byte[] binary = Arrays.copyOfRange(bytes, 1, 1 + 8 * words);
    byte[] dram =
        Arrays.copyOfRange(bytes, 1 + 8 * words, Math.min(bytes.length, 1 + 8 * words + (1 << 12)));
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
