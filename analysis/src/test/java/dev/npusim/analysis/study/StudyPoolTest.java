package dev.npusim.analysis.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npusim.analysis.AnalysisException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The study pool's pieces: results in order, failures in order, every piece run. */
class StudyPoolTest {
  @Test
  void piecesOfATaskReturnInOrder() throws AnalysisException {
    try (StudyPool pool = new StudyPool()) {
      Future<List<Integer>> f =
          pool.submit(
              () -> {
                List<StudyPool.Work<Integer>> pieces = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                  int square = i * i;
                  pieces.add(() -> square);
                }
                return StudyPool.all(pieces);
              });
      List<Integer> r = pool.get(f);
      for (int i = 0; i < 50; i++) {
        assertEquals(i * i, r.get(i));
      }
    }
  }

  @Test
  void theFirstFailureInOrderIsThrownAfterEveryPieceRan() {
    AtomicInteger ran = new AtomicInteger();
    try (StudyPool pool = new StudyPool()) {
      Future<List<Integer>> f =
          pool.submit(
              () -> {
                List<StudyPool.Work<Integer>> pieces = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                  int n = i;
                  pieces.add(
                      () -> {
                        ran.incrementAndGet();
                        if (n == 3 || n == 6) {
                          throw new AnalysisException("piece " + n);
                        }
                        return n;
                      });
                }
                return StudyPool.all(pieces);
              });
      AnalysisException e = assertThrows(AnalysisException.class, () -> pool.get(f));
      assertEquals("piece 3", e.getMessage());
      assertEquals(8, ran.get());
    }
  }

  @Test
  void inOrderStopsAtTheFirstFailure() {
    AtomicInteger ran = new AtomicInteger();
    List<StudyPool.Work<Integer>> pieces = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      pieces.add(
          () -> {
            ran.incrementAndGet();
            if (n == 2) {
              throw new IllegalStateException("piece " + n);
            }
            return n;
          });
    }
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> StudyPool.inOrder(pieces));
    assertEquals("piece 2", e.getMessage());
    assertEquals(3, ran.get());
  }

  @Test
  void aTaskFailingWithAnErrorReadsAsAnAnalysisError() {
    try (StudyPool pool = new StudyPool()) {
      Future<Integer> f =
          pool.submit(
              () -> {
                throw new OutOfMemoryError("Java heap space");
              });
      AnalysisException e = assertThrows(AnalysisException.class, () -> pool.get(f));
      assertEquals("java.lang.OutOfMemoryError: Java heap space", e.getMessage());
    }
  }
}
