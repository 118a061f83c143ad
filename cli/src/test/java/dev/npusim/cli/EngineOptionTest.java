package dev.npusim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.simulator.Engine;
import dev.npusim.simulator.Machine;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code --engine} on {@code run}: every engine prints the same report; a bad name is refused. */
class EngineOptionTest {
  private record Result(int code, String out, String err) {}

  private static Result npusim(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(args, o, e);
    }
    return new Result(code, out.toString(), err.toString());
  }

  @AfterEach
  void restoreTheDefault() {
    Machine.setDefaultEngine(Engine.FAST);
  }

  @Test
  void everyEnginePrintsTheSameRunReport() {
    String[] program = {
      "run", "../examples/pointwise.s", "--dram", "../examples/pointwise-dram.bin"
    };
    Result interpreted = npusim(concat(program, "--engine", "interpreter"));
    assertEquals(0, interpreted.code(), interpreted.err());
    assertEquals(Engine.INTERPRETER, Machine.defaultEngine());
    Result fast = npusim(program);
    assertEquals(0, fast.code(), fast.err());
    assertEquals(Engine.FAST, Machine.defaultEngine());
    // The report names cycles, MACs and stalls: identical counters give identical text.
    assertTrue(fast.out().contains("MACs          131,072"), fast.out());
    assertEquals(fast.out(), interpreted.out());
    Result parallel = npusim(concat(program, "--engine", "parallel"));
    assertEquals(0, parallel.code(), parallel.err());
    assertEquals(Engine.PARALLEL, Machine.defaultEngine());
    assertEquals(fast.out(), parallel.out());
  }

  @Test
  void anUnknownEngineIsOneMessage() {
    Result r = npusim("run", "../examples/pointwise.s", "--engine", "turbo");
    assertNotEquals(0, r.code());
    assertEquals(
        "npusim: --engine: expected one of interpreter, fast, parallel, got 'turbo'\n", r.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
