package dev.npusim.cli;

/**
 * An error caused by the user's input (a file, an option, a program under simulation), reported as
 * one line with exit code 1. Anything else reaching the top is a bug in npusim.
 */
public final class UserError extends Exception {
  public UserError(String message) {
    super(message, null, false, false);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause, false, true);
  }
}
