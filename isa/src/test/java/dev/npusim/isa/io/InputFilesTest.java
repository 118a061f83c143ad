package dev.npusim.isa.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: every input is a regular file within a stated size, read whole. */
class InputFilesTest {
  @TempDir Path dir;

  private static String error(Path p) {
    return assertThrows(InputFileException.class, () -> InputFiles.readAllBytes(p)).getMessage();
  }

  @Test
  void readsARegularFileWhole() throws Exception {
    Path f = dir.resolve("a.txt");
    Files.write(f, new byte[] {'h', 'i', (byte) 0xC3, (byte) 0xA9});
    assertArrayEquals(new byte[] {'h', 'i', (byte) 0xC3, (byte) 0xA9}, InputFiles.readAllBytes(f));
    assertEquals("hi\u00e9", InputFiles.readString(f));
  }

  @Test
  void refusesADirectoryByName() {
    assertEquals(dir + ": is a directory, not a regular file", error(dir));
  }

  @Test
  void refusesAMissingFile() {
    Path f = dir.resolve("none.json");
    assertEquals(f + ": no such file", error(f));
  }

  /** {@code disasm /dev/zero} grew the heap to 6 GB: a device is refused before it is opened. */
  @Test
  void refusesADevice() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "a Unix /dev/zero");
    assertEquals("/dev/zero: is a character device, not a regular file", error(zero));
  }

  /** A FIFO with no writer blocked the reader forever; it is refused without being opened. */
  @Test
  void refusesAFifoWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("pipe");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "mkfifo is not available");
      return;
    }
    assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo works");
    assertEquals(fifo + ": is a FIFO (named pipe), not a regular file", error(fifo));
  }

  /** A 3 GB file aborted a whole validate run with OutOfMemoryError; it is refused by its size. */
  @Test
  void refusesAFileOverTheLimitBeforeReadingIt() throws Exception {
    Path big = dir.resolve("big.json");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: no disk is used
    }
    assertEquals(
        big
            + ": 3221225472 bytes is over the input size limit of 268435456 bytes; raise it with"
            + " --max-input-bytes BYTES (or -Dnpusim.max-input-bytes=BYTES)",
        error(big));
  }

  @Test
  void theLimitFollowsTheSystemProperty() throws Exception {
    Path f = dir.resolve("ten.bin");
    Files.write(f, new byte[10]);
    String before = System.getProperty(InputFiles.MAX_BYTES_PROPERTY);
    try {
      System.setProperty(InputFiles.MAX_BYTES_PROPERTY, "9");
      assertEquals(9, InputFiles.maxBytes());
      assertEquals(
          f
              + ": 10 bytes is over the input size limit of 9 bytes; raise it with"
              + " --max-input-bytes BYTES (or -Dnpusim.max-input-bytes=BYTES)",
          error(f));
      System.setProperty(InputFiles.MAX_BYTES_PROPERTY, "10");
      assertEquals(10, InputFiles.readAllBytes(f).length);
    } finally {
      if (before == null) {
        System.clearProperty(InputFiles.MAX_BYTES_PROPERTY);
      } else {
        System.setProperty(InputFiles.MAX_BYTES_PROPERTY, before);
      }
    }
  }

  @Test
  void textMustBeUtf8() throws Exception {
    Path f = dir.resolve("latin1.json");
    Files.write(f, "{\"a\": \"caf".getBytes(StandardCharsets.US_ASCII));
    Files.write(f, new byte[] {(byte) 0xE9, '"', '}'}, java.nio.file.StandardOpenOption.APPEND);
    assertEquals(
        f + ": not UTF-8 text (invalid byte sequence at byte offset 10)",
        assertThrows(InputFileException.class, () -> InputFiles.readString(f)).getMessage());
  }
}
