package dev.npusim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C while a command writes its outputs (README, "Exit codes and errors": exit code 130, no
 * temporary file left). The real CLI runs in a child JVM and gets a real SIGINT at the moment its
 * first temporary file appears: the shutdown hook of {@code dev.npusim.isa.io.OutputFiles} must
 * then delete every temporary file, and no output may be left partly written.
 *
 * <p>The command is {@code run} with three 64 MiB {@code --dump}s of DRAM: {@code OutputFiles}
 * writes and forces all three temporary files before it renames any, which leaves a window of tens
 * of milliseconds or more to interrupt it in, and the test polls for the first one.
 */
class InterruptCleanupTest {
  private static final int DUMP_BYTES = 64 << 20;
  private static final String[] DUMPS = {"a.bin", "b.bin", "c.bin"};

  /** The shell's status for a process ended by SIGINT: 128 + 2. */
  private static final int INTERRUPTED = 130;

  @TempDir Path dir;

  @Test
  void ctrlCWhileWritingLeavesNoTemporaryAndNoPartialFile() throws Exception {
    assumeTrue(
        !System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
        "SIGINT needs a POSIX system");
    assumeTrue(succeeds("kill", "-l"), "no kill command on the PATH to send SIGINT with");
    Path program = dir.resolve("p.s");
    Files.writeString(program, "li x1, 5\nhalt\n");
    // A few tries: an attempt only counts if the signal came while the outputs were being written
    // (on a very busy machine the poll may miss the window, or the signal may land after the
    // renames). Every attempt must leave no temporary file and no partial output.
    for (int attempt = 1; attempt <= 3; attempt++) {
      Path out = Files.createDirectory(dir.resolve("attempt" + attempt));
      Outcome o = interruptWhileWriting(program, out);
      assertEquals(List.of(), temporaries(out), "temporary files left behind; " + o);
      for (String name : DUMPS) {
        Path f = out.resolve(name);
        assertTrue(!Files.exists(f) || Files.size(f) == DUMP_BYTES, name + " is partial; " + o);
      }
      assertFalse(o.stderr().contains("Exception"), "no stack trace on Ctrl-C; " + o);
      if (o.signalled() && o.exitCode() != 0) {
        assertEquals(INTERRUPTED, o.exitCode(), o.toString());
        if (Stream.of(DUMPS).noneMatch(n -> Files.exists(out.resolve(n)))) {
          return; // interrupted while the temporary files existed, and they are gone
        }
      }
    }
    abort("the interrupt never arrived while the outputs were being written (machine too busy?)");
  }

  /** What one interrupted child did. */
  record Outcome(boolean signalled, int exitCode, String stderr) {}

  /**
   * Starts {@code npusim run PROGRAM --dump ...} in a child JVM with its working folder {@code
   * out}, sends it SIGINT as soon as a temporary file appears there, and waits for it to end.
   */
  private static Outcome interruptWhileWriting(Path program, Path out) throws Exception {
    List<String> command = new ArrayList<>();
    // A JVM that starts with SIGINT ignored keeps it ignored, and a child started from a
    // background job of a non-interactive shell (CI, `mvn ... &`) inherits that: reset it.
    if (succeeds("env", "--default-signal=INT", "true")) {
      command.addAll(List.of("env", "--default-signal=INT"));
    }
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "run",
            program.toString()));
    for (String name : DUMPS) {
      command.addAll(List.of("--dump", "0:" + DUMP_BYTES + ":" + name));
    }
    Path stderr = out.getParent().resolve(out.getFileName() + ".stderr");
    Process child =
        new ProcessBuilder(command)
            .directory(out.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(stderr.toFile())
            .start();
    boolean signalled = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (child.isAlive() && System.nanoTime() < deadline) {
        if (!temporaries(out).isEmpty()) {
          assumeSigintNotIgnored(child);
          signalled = succeeds("kill", "-INT", Long.toString(child.pid()));
          break;
        }
        Thread.sleep(1);
      }
      assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child did not end after SIGINT");
    } finally {
      child.destroyForcibly();
    }
    return new Outcome(signalled, child.exitValue(), Files.readString(stderr));
  }

  /** Skips the test if the child ignores SIGINT (so could not be interrupted by Ctrl-C either). */
  private static void assumeSigintNotIgnored(Process child) throws IOException {
    Path status = Path.of("/proc", Long.toString(child.pid()), "status");
    if (!Files.isReadable(status)) {
      return; // no procfs: the exit code tells
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
        assumeTrue(
            (ignored & (1L << (2 - 1))) == 0,
            "the child JVM inherited an ignored SIGINT and `env --default-signal` is missing");
      }
    }
  }

  /** The temporary files {@code OutputFiles} names {@code .TARGET.RANDOM.tmp} in {@code dir}. */
  private static List<String> temporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".") && n.endsWith(".tmp"))
          .toList();
    }
  }

  private static boolean succeeds(String... command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
