package dev.npusim.cli;

/**
 * An error caused by the user's input (a file, an option, a program under simulation), reported as
 * one line with exit code 1. Anything else reaching the top is a bug in npusim.
 */
final class UserError extends Exception {
  UserError(String message) {
    super(message, null, false, false);
  }

  UserError(String message, Throwable cause) {
    super(message, cause, false, true);
  }
}
