package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.isa.io.InputFileException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The study's fixed pool of one thread per core, shared by its stages; a task's failure surfaces as
 * an {@link AnalysisException} (or the task's own unchecked exception) where its result is read.
 */
final class StudyPool implements AutoCloseable {
  /** A task that may throw. */
  interface Work<T> {
    T call() throws Exception;
  }

  private final ExecutorService exec =
      Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());

  <T> Future<T> submit(Work<T> w) {
    return exec.submit(w::call);
  }

  <T> T get(Future<T> f) throws AnalysisException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnalysisException("interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof AnalysisException u) {
        throw u;
      }
      if (c instanceof InputFileException i) {
        throw new AnalysisException(i.getMessage());
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new AnalysisException(c.toString(), c);
    }
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}
