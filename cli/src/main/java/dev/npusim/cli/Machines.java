package dev.npusim.cli;

import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.MachineConfigException;
import dev.npusim.simulator.MachineConfigReader;

/** Loads a machine preset or description for a command. */
final class Machines {
  private Machines() {}

  static MachineConfig load(String presetOrFile) throws UserError {
    try {
      return MachineConfigReader.load(presetOrFile);
    } catch (MachineConfigException e) {
      throw new UserError(e.getMessage());
    }
  }
}
