package dev.npusim.isa.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way npusim reads an input file: whole, bounded, and only if it is a regular file.
 *
 * <ul>
 *   <li>A directory, FIFO, device or socket is refused by name before it is opened, so that {@code
 *       /dev/zero} cannot grow the heap and a FIFO cannot block (issue 12).
 *   <li>A file larger than {@link #maxBytes()} is refused before a byte is read. The limit is
 *       {@value #DEFAULT_MAX_BYTES} bytes (256 MiB) unless the system property {@value
 *       #MAX_BYTES_PROPERTY} sets another; the message names both. A file that grows while it is
 *       read is held to the same limit.
 *   <li>Text is UTF-8; a byte sequence that is not UTF-8 is an error naming its offset.
 * </ul>
 */
public final class InputFiles {
  /** System property that raises (or lowers) the input size limit, in bytes. */
  public static final String MAX_BYTES_PROPERTY = "npusim.max-input-bytes";

  /** Default input size limit: 256 MiB, far above any case, program, machine or weights file. */
  public static final long DEFAULT_MAX_BYTES = 256L << 20;

  private InputFiles() {}

  /** The input size limit in bytes: {@value #MAX_BYTES_PROPERTY} if set, else the default. */
  public static long maxBytes() {
    String set = System.getProperty(MAX_BYTES_PROPERTY);
    if (set == null) {
      return DEFAULT_MAX_BYTES;
    }
    try {
      long v = Long.parseLong(set.trim());
      if (v > 0) {
        return Math.min(v, Integer.MAX_VALUE - 8L); // the largest Java array
      }
    } catch (NumberFormatException e) {
      // falls through to the default
    }
    return DEFAULT_MAX_BYTES;
  }

  /**
   * Checks that {@code file} is a regular file (symbolic links followed) within the size limit, and
   * returns its size.
   */
  public static long check(Path file) throws InputFileException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new InputFileException(file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new InputFileException(file + ": permission denied");
    } catch (IOException e) {
      throw new InputFileException(file + ": cannot read: " + reason(e), e);
    }
    if (!a.isRegularFile()) {
      throw new InputFileException(file + ": " + kind(file, a) + ", not a regular file");
    }
    long limit = maxBytes();
    if (a.size() > limit) {
      throw tooLarge(file, a.size() + " bytes", limit);
    }
    return a.size();
  }

  /** The whole file, after {@link #check}. */
  public static byte[] readAllBytes(Path file) throws InputFileException {
    check(file);
    long limit = maxBytes();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes((int) limit + 1);
      if (b.length > limit) {
        throw tooLarge(file, "more than " + limit + " bytes (it grew while being read)", limit);
      }
      return b;
    } catch (AccessDeniedException e) {
      throw new InputFileException(file + ": permission denied");
    } catch (InputFileException e) {
      throw e;
    } catch (IOException e) {
      throw new InputFileException(file + ": cannot read: " + reason(e), e);
    }
  }

  /** The whole file as UTF-8 text, after {@link #check}. */
  public static String readString(Path file) throws InputFileException {
    return decodeUtf8(readAllBytes(file), file.toString());
  }

  /**
   * Strict UTF-8: a malformed or unmappable sequence is an error naming {@code name} and offset.
   */
  public static String decodeUtf8(byte[] bytes, String name) throws InputFileException {
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = d.decode(in, out, true);
    if (r.isError()) {
      throw new InputFileException(
          name + ": not UTF-8 text (invalid byte sequence at byte offset " + in.position() + ")");
    }
    d.flush(out);
    return out.flip().toString();
  }

  private static InputFileException tooLarge(Path file, String size, long limit) {
    return new InputFileException(
        file
            + ": "
            + size
            + " is over the input size limit of "
            + limit
            + " bytes; raise it with --max-input-bytes BYTES (or -D"
            + MAX_BYTES_PROPERTY
            + "=BYTES)");
  }

  /** What a non-regular file is: a directory, a FIFO, a device or a socket. */
  private static String kind(Path file, BasicFileAttributes a) {
    if (a.isDirectory()) {
      return "is a directory";
    }
    try {
      // Linux and other Unix: the file type bits of st_mode.
      int mode = (Integer) Files.getAttribute(file, "unix:mode");
      switch (mode & 0170000) {
        case 0010000:
          return "is a FIFO (named pipe)";
        case 0020000:
          return "is a character device";
        case 0060000:
          return "is a block device";
        case 0140000:
          return "is a socket";
        default:
          break;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // no unix view: fall through to the general description
    }
    return "is a device, FIFO or socket";
  }

  private static String reason(IOException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
