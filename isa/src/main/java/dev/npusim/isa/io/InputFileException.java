package dev.npusim.isa.io;

import java.io.IOException;

/**
 * An input file that {@link InputFiles} refuses or cannot read. The message names the file and says
 * what is wrong (not a regular file, too large and how to raise the limit, no such file, permission
 * denied, not UTF-8); callers print it as it is. It is an {@link IOException} so that readers which
 * already report I/O failures report these too.
 */
public final class InputFileException extends IOException {
  private static final long serialVersionUID = 1L;

  public InputFileException(String message) {
    super(message);
  }

  public InputFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
