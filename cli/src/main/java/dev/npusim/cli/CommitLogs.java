package dev.npusim.cli;

import dev.npusim.isa.Program;
import dev.npusim.simulator.CommitLogWriter;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.RunResult;
import dev.npusim.simulator.SimulationFault;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code run --commit-log}: a run with its commit log written whole to a file. */
final class CommitLogs {
  private CommitLogs() {}

  /**
   * Runs with the log; says where it went, also when the program faults (the log then ends with the
   * fault record, docs/commit-log.md).
   */
  static RunResult run(Machine m, Program p, long maxSteps, Path file, PrintWriter out)
      throws SimulationFault, UserError {
    try {
      return CommitLogWriter.run(m, p, maxSteps, file);
    } catch (SimulationFault f) {
      out.printf("wrote commit log to %s (its last line is the fault)%n", file);
      throw f;
    } catch (IOException e) {
      throw new UserError(file + ": cannot write: " + e.getMessage());
    }
  }
}
