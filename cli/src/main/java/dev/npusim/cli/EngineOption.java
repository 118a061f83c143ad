package dev.npusim.cli;

import dev.npusim.simulator.Engine;
import dev.npusim.simulator.Machine;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The {@code --engine interpreter|fast|parallel} option of the commands that simulate ({@code run},
 * {@code analyze}, {@code estimate}; {@code validate} adds {@code reference} to the same option).
 */
final class EngineOption {
  @Option(
      names = "--engine",
      paramLabel = "fast|interpreter|parallel",
      defaultValue = "fast",
      description =
          "How the simulator executes: 'fast' fuses straight runs of loads and MACs, 'interpreter'"
              + " runs one instruction at a time (the reference path), 'parallel' is 'fast' with"
              + " the iterations of independent hardware loops split over the host's cores;"
              + " results and every counter are identical (default: ${DEFAULT-VALUE}).")
  String engine;

  /** Sets the chosen engine for every machine this command builds. */
  void apply() throws UserError {
    Machine.setDefaultEngine(parse(engine));
  }

  static Engine parse(String name) throws UserError {
    for (Engine e : Engine.values()) {
      if (e.cliName().equals(name)) {
        return e;
      }
    }
    throw new UserError(
        "--engine: expected one of "
            + Arrays.stream(Engine.values()).map(Engine::cliName).collect(Collectors.joining(", "))
            + ", got '"
            + name
            + "'");
  }
}
