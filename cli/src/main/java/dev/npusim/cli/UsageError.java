package dev.npusim.cli;

/**
 * A command line that names no valid request: a malformed or out-of-range option value, or a
 * missing or conflicting option, found by a command's own checks after picocli's parser accepted
 * it. Reported like a parser error, with exit code 2 (README, "Exit codes").
 */
public final class UsageError extends Exception {
  public UsageError(String message) {
    super(message, null, false, false);
  }
}
