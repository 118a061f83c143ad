package dev.npusim.isa.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: outputs are written whole or not at all, with the umask's mode and a stated reason. */
class OutputFilesTest {
  @TempDir Path dir;

  private List<Path> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void writesTheBytesAndReplacesAnOldFileLeavingOnlyTheTarget() throws Exception {
    Path f = dir.resolve("out.bin");
    OutputFiles.write(f, new byte[] {1, 2, 3});
    OutputFiles.write(f, "h\u00e9");
    assertArrayEquals(new byte[] {'h', (byte) 0xC3, (byte) 0xA9}, Files.readAllBytes(f));
    assertEquals(List.of(f), listing());
  }

  @Test
  void createsMissingParentFolders() throws Exception {
    Path f = dir.resolve("a/b/out.txt");
    OutputFiles.write(f, "x");
    assertEquals("x", Files.readString(f, StandardCharsets.UTF_8));
  }

  @Test
  void aNewFileGetsTheModeTheUmaskGives() throws Exception {
    Path plain = Files.createFile(dir.resolve("plain"));
    Path written = dir.resolve("written");
    OutputFiles.write(written, "x");
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
  }

  @Test
  void aFolderInTheWayIsOneMessageNamingTheTarget() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("a-folder"));
    OutputFileException e =
        assertThrows(OutputFileException.class, () -> OutputFiles.write(folder, "x"));
    assertEquals(folder + ": cannot write: is a directory", e.getMessage());
    assertEquals(folder, e.file());
    assertEquals(e.getMessage(), OutputFiles.describe(e));
  }

  @Test
  void aFileWherePartOfThePathShouldBeAFolderIsNotADirectory() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "keep");
    Path target = file.resolve("out.txt");
    OutputFileException e =
        assertThrows(OutputFileException.class, () -> OutputFiles.write(target, "x"));
    assertEquals(target + ": cannot write: not a directory", e.getMessage());
    assertEquals(List.of(file), listing());
    assertEquals("keep", Files.readString(file));
  }

  @Test
  void aFailureOnTheSecondOutputLeavesTheFirstUnwrittenAndNoTemporaryFile() throws Exception {
    Path first = dir.resolve("first.bin");
    Files.writeString(first, "old");
    Path second = Files.createDirectories(dir.resolve("second"));
    Map<Path, byte[]> outputs = new LinkedHashMap<>();
    outputs.put(first, new byte[] {1});
    outputs.put(second, new byte[] {2});
    OutputFileException e =
        assertThrows(OutputFileException.class, () -> OutputFiles.writeAll(outputs));
    assertEquals(second + ": cannot write: is a directory", e.getMessage());
    assertEquals("old", Files.readString(first), "the first output is not replaced either");
    assertEquals(List.of(first, second), listing(), "no temporary file is left");
  }

  @Test
  void reasonsAreInTheWordsOfStrerror() {
    assertEquals("permission denied", OutputFiles.reason(new AccessDeniedException("/x")));
    assertEquals("no such file or directory", OutputFiles.reason(new NoSuchFileException("/x")));
    assertEquals(
        "no space left on device", OutputFiles.reason(new IOException("No space left on device")));
    assertEquals("IOException", OutputFiles.reason(new IOException()));
    assertEquals(
        "/tmp/x: no space left on device",
        OutputFiles.describe(new FileSystemException("/tmp/x", null, "No space left on device")));
  }
}
