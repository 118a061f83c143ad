package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trace-diff}'s library: agreement, the first divergence, and located format errors. */
class TraceDiffTest {
  static final String PROGRAM =
      """
      li x1, 3
      li x2, 0
      loop x1, end
      addi x2, x2, 10
      end:
      li x3, 7
      halt
      """;

  @TempDir Path dir;
  Path a;
  List<String> lines;

  @BeforeEach
  void writeLog() throws Exception {
    Program p = Assembler.assemble(PROGRAM, "t.s");
    a = dir.resolve("a.jsonl");
    CommitLogWriter.run(new Machine(MachineConfig.defaults().withDram(4096)), p, 100, a);
    lines = Files.readAllLines(a);
  }

  Path write(String name, List<String> content) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void aLogAgreesWithItself() throws Exception {
    // li, li, loop, 3 x addi, li, halt
    assertEquals(8, lines.size());
    Path b = write("b.jsonl", lines);
    TraceDiff.Result r = TraceDiff.compare(a, b, false);
    assertTrue(r.agree());
    assertEquals(a + " and " + b + " agree: 8 records\n", r.render());
  }

  @Test
  void theFirstDivergenceShowsBothRecordsAndTheInstructionsBefore() throws Exception {
    List<String> other = new ArrayList<>(lines);
    // The third addi writes x2 = 30; claim 31.
    assertTrue(other.get(5).contains("{\"kind\":\"x\",\"reg\":2,\"value\":30}"), other.get(5));
    other.set(5, other.get(5).replace("\"value\":30", "\"value\":31"));
    Path b = write("b.jsonl", other);
    TraceDiff.Result r = TraceDiff.compare(a, b, false);
    assertFalse(r.agree());
    TraceDiff.Divergence d = r.divergence().orElseThrow();
    assertEquals(5, d.index());
    assertEquals(
        "write 1 differs: {\"kind\":\"x\",\"reg\":2,\"value\":30} vs"
            + " {\"kind\":\"x\",\"reg\":2,\"value\":31}",
        d.what());
    String text = r.render();
    assertTrue(text.startsWith("first divergence at record 6 (line 6 of both): write 1"), text);
    assertTrue(text.contains("       2  pc 1      li x2, 0\n"), text);
    assertTrue(text.contains("       5  pc 3      addi x2, x2, 10\n"), text);
    assertTrue(text.contains(a + ":\n  " + lines.get(5) + "\n"), text);
    assertTrue(text.contains(b + ":\n  " + other.get(5) + "\n"), text);
  }

  @Test
  void cyclesAreComparedOnlyWhenAsked() throws Exception {
    List<String> other = new ArrayList<>(lines);
    other.set(2, other.get(2).replace("\"cycle\":2,", "\"cycle\":99,"));
    assertTrue(other.get(2).contains("\"cycle\":99,"), other.get(2));
    Path b = write("b.jsonl", other);
    assertTrue(TraceDiff.compare(a, b, false).agree());
    TraceDiff.Result timed = TraceDiff.compare(a, b, true);
    assertEquals("cycle 2 vs 99", timed.divergence().orElseThrow().what());
  }

  @Test
  void aShorterLogDivergesWhereItEnds() throws Exception {
    Path b = write("b.jsonl", lines.subList(0, 6));
    TraceDiff.Divergence d = TraceDiff.compare(a, b, false).divergence().orElseThrow();
    assertEquals(6, d.index());
    assertEquals(b + " ends after 6 records, " + a + " goes on", d.what());
    assertTrue(d.b().isEmpty());
  }

  @Test
  void aTruncatedLineNamesFileAndLine() throws Exception {
    List<String> other = new ArrayList<>(lines.subList(0, 4));
    other.add(lines.get(4).substring(0, 30));
    Path b = write("b.jsonl", other);
    TraceFormatException e =
        assertThrows(TraceFormatException.class, () -> TraceDiff.compare(a, b, false));
    assertEquals(b + ":5: truncated record (the line ends inside the JSON object)", e.getMessage());
  }

  @Test
  void malformedLinesNameFileAndLine() throws Exception {
    List<String> other = new ArrayList<>(lines);
    other.set(1, "pc=1 li x2, 0");
    Path b = write("b.jsonl", other);
    TraceFormatException e =
        assertThrows(TraceFormatException.class, () -> TraceDiff.compare(a, b, false));
    assertTrue(e.getMessage().startsWith(b + ":2: not a JSON object: "), e.getMessage());

    other.set(1, "{\"cycle\":1,\"word\":\"0310000000000000\",\"writes\":[]}");
    Path c = write("c.jsonl", other);
    e = assertThrows(TraceFormatException.class, () -> TraceDiff.compare(a, c, false));
    assertEquals(c + ":2: record has no integer \"pc\"", e.getMessage());

    other.set(1, "{\"pc\":1,\"word\":\"0310000000000000\",\"writes\":[3]}");
    Path d = write("d.jsonl", other);
    e = assertThrows(TraceFormatException.class, () -> TraceDiff.compare(a, d, false));
    assertEquals(d + ":2: every write must be an object with a \"kind\", got 3", e.getMessage());
  }
}
