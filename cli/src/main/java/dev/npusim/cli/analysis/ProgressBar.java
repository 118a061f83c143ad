package dev.npusim.cli.analysis;

import dev.npusim.analysis.study.Analyzer;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A progress bar on stderr for work longer than a second: redrawn in place on a terminal, a line
 * every tenth of the work otherwise (logs stay readable).
 */
public final class ProgressBar implements Analyzer.Progress, AutoCloseable {
  private final PrintStream err;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private final AtomicLong total = new AtomicLong(1);
  private final AtomicLong done = new AtomicLong();
  private final AtomicReference<String> what = new AtomicReference<>("");
  private final Thread ticker;
  private volatile boolean drawn;
  private int lastTenth = -1;

  public ProgressBar(PrintStream err) {
    this.err = err;
    this.terminal = System.console() != null;
    this.ticker =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(terminal ? 200 : 1000);
                  draw(false);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "progress");
    ticker.setDaemon(true);
    ticker.start();
  }

  @Override
  public void total(long units) {
    total.set(Math.max(1, units));
  }

  @Override
  public void advance(long units, String what) {
    done.addAndGet(units);
    this.what.set(what);
  }

  private synchronized void draw(boolean last) {
    double elapsed = (System.nanoTime() - started) / 1e9;
    if (elapsed < 1 && !drawn) {
      return;
    }
    double frac = Math.min(1.0, done.get() / (double) total.get());
    if (terminal) {
      int width = 30;
      int filled = (int) Math.round(frac * width);
      String eta =
          frac > 0.02 && !last
              ? String.format(Locale.ROOT, " ETA %.0fs", elapsed / frac - elapsed)
              : "";
      String line =
          String.format(
              Locale.ROOT,
              "\r[%s%s] %3.0f%% %5.1fs%s  %-40.40s",
              "#".repeat(filled),
              "-".repeat(width - filled),
              100 * frac,
              elapsed,
              eta,
              last ? "done" : what.get());
      err.print(line);
      err.flush();
      drawn = true;
    } else {
      int tenth = (int) (frac * 10);
      if (tenth > lastTenth || (last && lastTenth < 10)) {
        tenth = last ? 10 : tenth;
        lastTenth = tenth;
        err.printf(Locale.ROOT, "progress: %3.0f%% after %.1fs%n", 100 * frac, elapsed);
        drawn = true;
      }
    }
  }

  @Override
  public void close() {
    ticker.interrupt();
    if (drawn) {
      draw(true);
      if (terminal) {
        err.println();
      }
    }
  }
}
