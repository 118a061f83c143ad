package dev.npusim.cli;

import dev.npusim.isa.io.OutputFileException;
import dev.npusim.isa.io.OutputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The commands' side of {@link OutputFiles}: the same writes, whole or not at all, with a failure
 * reported as a {@link UserError} (exit code 1) carrying the {@link OutputFileException}'s message.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  public static void write(Path target, byte[] bytes) throws UserError {
    writeAll(Map.of(target, bytes));
  }

  public static void write(Path target, String text) throws UserError {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes every target or none; see {@link OutputFiles#writeAll}. */
  public static void writeAll(Map<Path, byte[]> outputs) throws UserError {
    try {
      OutputFiles.writeAll(outputs);
    } catch (OutputFileException e) {
      throw new UserError(e.getMessage(), e.getCause());
    }
  }

  /** See {@link OutputFiles#reason}. */
  static String reason(IOException e) {
    return OutputFiles.reason(e);
  }

  /** See {@link OutputFiles#describe}. */
  static String describe(IOException e) {
    return OutputFiles.describe(e);
  }
}
