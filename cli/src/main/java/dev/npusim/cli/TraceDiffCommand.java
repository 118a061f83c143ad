package dev.npusim.cli;

import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.simulator.TraceDiff;
import dev.npusim.simulator.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code npusim trace-diff}: the first divergence of two commit logs (docs/commit-log.md). */
@Command(
    name = "trace-diff",
    mixinStandardHelpOptions = true,
    description = {
      "Compare two commit logs (docs/commit-log.md) record by record: pc, instruction",
      "word, every write and a final fault. Prints the first divergence with both",
      "records and the records before it. Exit code 0 when the logs agree, 1 at a",
      "divergence or a bad line."
    })
final class TraceDiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "A.jsonl", description = "First commit log.")
  Path a;

  @Parameters(index = "1", paramLabel = "B.jsonl", description = "Second commit log.")
  Path b;

  @Option(
      names = "--timing",
      description = "Compare cycles too (the issue cycle and the DMA start and complete cycles).")
  boolean timing;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws UserError {
    for (Path p : new Path[] {a, b}) {
      if (!Files.isRegularFile(p)) {
        // Says what p is (missing, a FIFO, a device): not "no such file" for all (issue 12). A
        // regular file is streamed line by line, so it needs no size limit.
        try {
          InputFiles.check(p);
        } catch (InputFileException e) {
          throw new UserError(e.getMessage());
        }
        throw new UserError(p + ": not a regular file");
      }
    }
    TraceDiff.Result r;
    try {
      r = TraceDiff.compare(a, b, timing);
    } catch (TraceFormatException e) {
      throw new UserError(e.getMessage());
    } catch (NoSuchFileException e) {
      throw new UserError(e.getFile() + ": no such file");
    } catch (IOException e) {
      throw new UserError("cannot read " + a + " or " + b + ": " + e.getMessage());
    }
    spec.commandLine().getOut().print(r.render());
    return r.agree() ? 0 : 1;
  }
}
