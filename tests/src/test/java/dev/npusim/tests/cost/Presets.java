package dev.npusim.tests.cost;

import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.MachineConfigException;
import dev.npusim.simulator.MachineConfigReader;
import java.util.ArrayList;
import java.util.List;

/** Every shipped machine preset. */
final class Presets {
  private Presets() {}

  static List<MachineConfig> all() {
    List<MachineConfig> out = new ArrayList<>();
    for (String name : MachineConfigReader.PRESETS) {
      try {
        out.add(MachineConfigReader.preset(name));
      } catch (MachineConfigException e) {
        throw new AssertionError(e.getMessage(), e);
      }
    }
    return out;
  }
}
