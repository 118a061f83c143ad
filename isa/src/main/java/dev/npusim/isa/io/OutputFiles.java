package dev.npusim.isa.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way npusim writes an output file: whole or not at all. The bytes go to a temporary file
 * beside each target, are forced to disk, and the temporary file is renamed over the target, so a
 * reader sees the old file or the new one and never a partial one. A command with several outputs
 * writes them all to temporary files first and renames them only when every one was written, so a
 * failure on the second leaves the first unwritten (issue 12). Temporary files are created with the
 * process's umask (0644 under umask 022), like the files they become, and are deleted on failure
 * and, by a shutdown hook, on Ctrl-C.
 */
public final class OutputFiles {
  private static final SecureRandom TEMP_NAMES = new SecureRandom();

  /** Temporary files being written, for the shutdown hook to delete if the JVM is interrupted. */
  private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Path p : IN_FLIGHT) {
                    deleteQuietly(p);
                  }
                },
                "npusim-delete-temporary-files"));
  }

  private OutputFiles() {}

  public static void write(Path target, byte[] bytes) throws OutputFileException {
    writeAll(Map.of(target, bytes));
  }

  public static void write(Path target, String text) throws OutputFileException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes every target or none: all temporary files first, then the renames, in map order. */
  public static void writeAll(Map<Path, byte[]> outputs) throws OutputFileException {
    Map<Path, Path> temps = new LinkedHashMap<>(); // target -> its temporary file
    Path current = null;
    try {
      for (Map.Entry<Path, byte[]> e : outputs.entrySet()) {
        current = e.getKey();
        temps.put(current, writeTemporary(current, e.getValue()));
      }
      List<Path> renamed = new ArrayList<>();
      for (Map.Entry<Path, Path> e : temps.entrySet()) {
        current = e.getKey();
        move(e.getValue(), e.getKey().toAbsolutePath());
        renamed.add(e.getKey());
      }
      temps.keySet().removeAll(renamed);
    } catch (IOException e) {
      throw new OutputFileException(current, e);
    } finally {
      for (Path tmp : temps.values()) {
        deleteQuietly(tmp);
      }
      IN_FLIGHT.removeAll(temps.values());
    }
  }

  private static Path writeTemporary(Path target, byte[] bytes) throws IOException {
    Path abs = target.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      throw new FileSystemException(abs.toString(), null, "is a directory");
    }
    Path dir = abs.getParent();
    if (dir != null) {
      try {
        Files.createDirectories(dir);
      } catch (FileAlreadyExistsException e) {
        throw new FileSystemException(dir.toString(), null, "not a directory");
      }
    }
    byte[] random = new byte[8];
    TEMP_NAMES.nextBytes(random);
    Path tmp =
        abs.resolveSibling(
            "." + abs.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp");
    // CREATE_NEW without file attributes: the mode is 0666 less the umask, as for any new file;
    // never reuse or follow an existing path.
    IN_FLIGHT.add(tmp);
    try (FileChannel channel =
        FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      OutputStream out = Channels.newOutputStream(channel);
      out.write(bytes);
      out.flush();
      // Forced before the rename, so that a crash cannot leave the new name on empty contents.
      channel.force(true);
    } catch (IOException e) {
      deleteQuietly(tmp);
      IN_FLIGHT.remove(tmp);
      throw e;
    }
    return tmp;
  }

  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    IN_FLIGHT.remove(tmp);
  }

  /** Why an I/O operation failed, in the words of {@code strerror}: "permission denied". */
  public static String reason(IOException e) {
    String reason;
    if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof NoSuchFileException) {
      reason = "no such file or directory";
    } else if (e instanceof NotDirectoryException) {
      reason = "not a directory";
    } else if (e instanceof DirectoryNotEmptyException) {
      reason = "is a directory";
    } else if (e instanceof FileAlreadyExistsException) {
      reason = "already exists";
    } else if (e instanceof FileSystemException f) {
      reason = f.getReason();
    } else {
      reason = e.getMessage();
    }
    if (reason == null || reason.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
  }

  /**
   * An I/O error as one line: the file it concerns, if known, and the reason. An {@link
   * OutputFileException} already reads that way.
   */
  public static String describe(IOException e) {
    if (e instanceof OutputFileException) {
      return e.getMessage();
    }
    String file = e instanceof FileSystemException f ? f.getFile() : null;
    return (file == null ? "" : file + ": ") + reason(e);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // the error being reported is the one that matters
    }
  }
}
