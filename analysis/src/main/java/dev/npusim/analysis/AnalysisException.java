package dev.npusim.analysis;

/**
 * A study or cost estimate that cannot proceed because of its input: a layer that does not fit the
 * machine, a program that faults, an unreadable image. One line naming the layer or file and the
 * cause; the command line prints it and exits with status 1.
 */
public final class AnalysisException extends Exception {
  public AnalysisException(String message) {
    super(message, null, false, false);
  }

  public AnalysisException(String message, Throwable cause) {
    super(message, cause, false, true);
  }
}
