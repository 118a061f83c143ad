package dev.npusim.models;

/**
 * A model, weights or image file that cannot be used as it is. The message alone tells the user
 * which file and which field or tensor is wrong and why (expected versus found); callers print it
 * and need no stack trace.
 */
public final class InputFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public InputFileException(String message) {
    super(message);
  }

  public InputFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
