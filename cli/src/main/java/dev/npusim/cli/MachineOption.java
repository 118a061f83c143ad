package dev.npusim.cli;

import dev.npusim.simulator.MachineConfig;
import picocli.CommandLine.Option;

/** The {@code --machine PRESET|FILE} option shared by the commands that run a machine. */
final class MachineOption {
  @Option(
      names = "--machine",
      paramLabel = "PRESET|FILE",
      defaultValue = "npu8-default",
      description =
          "Machine preset (npu8-default, vta-like, gemmini-like, nvdla-small-like) or JSON"
              + " description (default: ${DEFAULT-VALUE}).")
  String machine;

  MachineConfig load() throws UserError {
    return Machines.load(machine);
  }
}
