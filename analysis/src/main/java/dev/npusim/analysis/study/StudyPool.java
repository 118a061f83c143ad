package dev.npusim.analysis.study;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.isa.io.InputFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.Semaphore;

/**
 * The study's pool of one thread per core, shared by its stages; a task's failure surfaces as an
 * {@link AnalysisException} (or the task's own unchecked exception) where its result is read.
 *
 * <p>A work-stealing pool, so that a task can split its own work ({@link #all}) and a core that has
 * finished its tasks takes parts of another's: the simulate stage's image tasks split each layer by
 * scheme, and the last image no longer runs on one core while the other idles. (The float
 * executor's parallel loops, called from a study task, split into this pool too.)
 */
final class StudyPool implements AutoCloseable {
  /** A task that may throw. */
  interface Work<T> {
    T call() throws Exception;
  }

  private final ForkJoinPool exec = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

  <T> Future<T> submit(Work<T> w) {
    Piece<T> p = new Piece<>(w);
    exec.execute(p);
    return p;
  }

  <T> T get(Future<T> f) throws AnalysisException {
    try {
      T result = f.get();
      if (f instanceof Piece<?> p && p.failure != null) {
        throw rethrown(p.failure);
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnalysisException("interrupted");
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  /**
   * Runs every piece of work, in parallel when called from a task of this pool (each piece may be
   * taken by an idle core), and returns their results in order; the first piece that failed, in
   * order, throws, after every piece has ended.
   */
  static <T> List<T> all(List<Work<T>> works) throws AnalysisException {
    List<Piece<T>> pieces = new ArrayList<>();
    for (Work<T> w : works) {
      pieces.add(new Piece<>(w));
    }
    ForkJoinTask.invokeAll(pieces);
    List<T> results = new ArrayList<>();
    for (Piece<T> p : pieces) {
      if (p.failure != null) {
        throw rethrown(p.failure);
      }
      results.add(p.getRawResult());
    }
    return results;
  }

  /** Runs every piece of work on this thread, in order, until one fails. */
  static <T> List<T> inOrder(List<Work<T>> works) throws AnalysisException {
    List<T> results = new ArrayList<>();
    for (Work<T> w : works) {
      try {
        results.add(w.call());
      } catch (Exception e) {
        throw rethrown(e);
      }
    }
    return results;
  }

  /**
   * Acquires a permit without idling a core of the pool: a task waiting for heap lets the pool
   * start another thread that works on the running tasks' pieces meanwhile.
   */
  static void acquire(Semaphore s) throws InterruptedException {
    ForkJoinPool.managedBlock(
        new ForkJoinPool.ManagedBlocker() {
          @Override
          public boolean block() throws InterruptedException {
            s.acquire();
            return true;
          }

          @Override
          public boolean isReleasable() {
            return false;
          }
        });
  }

  /** One piece of {@link #all}: its result or its failure, kept for the caller to read in order. */
  private static final class Piece<T> extends RecursiveTask<T> {
    private final Work<T> work;
    private Throwable failure;

    Piece(Work<T> work) {
      this.work = work;
    }

    @Override
    protected T compute() {
      try {
        return work.call();
      } catch (Throwable t) { // read back by get or all, as the pool before it did
        failure = t;
        return null;
      }
    }
  }

  private static AnalysisException rethrown(Throwable c) {
    if (c instanceof AnalysisException u) {
      return u;
    }
    if (c instanceof InputFileException i) {
      return new AnalysisException(i.getMessage());
    }
    if (c instanceof RuntimeException r) {
      throw r;
    }
    return new AnalysisException(c.toString(), c);
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}
