package dev.npusim.isa.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An output file that {@link OutputFiles} could not write. The message reads {@code <file>: cannot
 * write: <reason>}, the reason in the words of {@code strerror} ("permission denied"); callers
 * print it as it is. The cause is the I/O error that stopped the write.
 */
public final class OutputFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  OutputFileException(Path file, IOException cause) {
    super(file + ": cannot write: " + OutputFiles.reason(cause), cause);
    this.file = file;
  }

  /** The target that could not be written, as the caller named it. */
  public Path file() {
    return file;
  }
}
