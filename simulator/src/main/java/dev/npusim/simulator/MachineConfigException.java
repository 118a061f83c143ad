package dev.npusim.simulator;

/** A machine description that cannot be used: names the file and the field. */
public final class MachineConfigException extends Exception {
  public MachineConfigException(String file, String field, String reason) {
    super(file + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
  }

  /** A message that already names the file (from {@link dev.npusim.isa.io.InputFiles}). */
  MachineConfigException(String message) {
    super(message);
  }
}
