package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.base.Suppliers;
import dev.npusim.isa.Assembler;
import dev.npusim.isa.Csr;
import dev.npusim.isa.Program;
import dev.npusim.isa.Scratchpad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the instruction-semantics specs in {@code src/test/resources/spec/*.spec}. Each case is a
 * small program with inline expectations; every expectation is one test named {@code file:line}.
 *
 * <pre>
 * case vrq rounds half away from zero           # starts a case
 * machine lanes=4 acc_bits=16 acc_mode=saturate # optional machine overrides
 * dram 0x100: 1 2 -3 0xff                       # DRAM bytes before the run
 * dram32 0x200: 1073741824 -1                   # DRAM int32 words (little endian)
 *     li x1, 5                                  # assembly
 *     halt
 * expect x1 = 5                                 # scalar register
 * expect v1 = [1, 2, 3]                         # first lanes of a vector register
 * expect acc0 = [10, -3]                        # first lanes of an accumulator
 * expect dram 0x300 = [1, 2]                    # DRAM bytes (signed or unsigned notation)
 * expect spad out 0x0 = [1, 2]                  # scratchpad bytes
 * expect fault = dma_hazard                     # the run must fault with this kind
 * expect fault_pc = 7
 * expect macs = 12                              # counters: macs overflows saturations
 * end                                           #   clamp_hits cycles steps stall_wait ...
 * </pre>
 */
class SpecFileTest {
  private static final Path SPECS = Path.of("src/test/resources/spec");

  @TestFactory
  Stream<DynamicNode> specs() throws IOException {
    List<DynamicNode> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(SPECS)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".spec")).sorted().toList()) {
        files.add(DynamicContainer.dynamicContainer(p.getFileName().toString(), parse(p)));
      }
    }
    return files.stream();
  }

  private record Expectation(int line, String text) {}

  private static final class Case {
    final String file;
    final int line;
    final String name;
    final StringBuilder asm = new StringBuilder();
    final List<String[]> machine = new ArrayList<>();
    final List<String> dram = new ArrayList<>();
    final List<Expectation> expectations = new ArrayList<>();

    Case(String file, int line, String name) {
      this.file = file;
      this.line = line;
      this.name = name;
    }
  }

  /** The outcome of running a case once: the machine and either a result or a fault. */
  private record Outcome(Machine machine, RunResult result, SimulationFault fault) {}

  private Stream<DynamicNode> parse(Path path) throws IOException {
    String file = path.getFileName().toString();
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    List<DynamicNode> cases = new ArrayList<>();
    Case current = null;
    for (int i = 0; i < lines.size(); i++) {
      String raw = lines.get(i);
      String t = raw.strip();
      int lineNo = i + 1;
      if (current == null) {
        if (t.startsWith("case ")) {
          current = new Case(file, lineNo, t.substring(5).strip());
        } else if (!t.isEmpty() && !t.startsWith("#")) {
          throw new IllegalStateException(file + ":" + lineNo + ": expected 'case NAME'");
        }
        continue;
      }
      if (t.equals("end")) {
        cases.add(toTests(current));
        current = null;
      } else if (t.startsWith("machine ")) {
        for (String kv : t.substring(8).strip().split("\\s+")) {
          current.machine.add(kv.split("=", 2));
        }
      } else if (t.startsWith("dram ") || t.startsWith("dram32 ")) {
        current.dram.add(t);
        current.asm.append('\n');
      } else if (t.startsWith("expect ")) {
        current.expectations.add(new Expectation(lineNo, t.substring(7).strip()));
      } else {
        current.asm.append(raw).append('\n');
      }
    }
    if (current != null) {
      throw new IllegalStateException(file + ":" + current.line + ": case without 'end'");
    }
    return cases.stream();
  }

  private DynamicNode toTests(Case c) {
    Supplier<Outcome> outcome = Suppliers.memoize(() -> run(c));
    List<DynamicTest> tests = new ArrayList<>();
    for (Expectation e : c.expectations) {
      tests.add(
          DynamicTest.dynamicTest(
              c.file + ":" + e.line() + " " + e.text(), () -> check(c, e, outcome.get())));
    }
    if (tests.isEmpty()) {
      throw new IllegalStateException(c.file + ":" + c.line + ": case has no expectations");
    }
    return DynamicContainer.dynamicContainer(c.file + ":" + c.line + " " + c.name, tests);
  }

  private static MachineConfig config(Case c) {
    MachineConfig m = MachineConfig.defaults();
    for (String[] kv : c.machine) {
      String v = kv[1];
      m =
          switch (kv[0]) {
            case "lanes" -> m.withLanes(Integer.parseInt(v));
            case "acc_bits" -> m.withAccumulator(Integer.parseInt(v), m.accumulatorMode());
            case "acc_mode" ->
                m.withAccumulator(
                    m.accumulatorBits(), Csr.AccumulatorMode.valueOf(v.toUpperCase(Locale.ROOT)));
            case "rounding" ->
                m.withRoundingMode(
                    Csr.RoundingMode.valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_')));
            case "dma" -> {
              String[] bw = v.split(",");
              yield m.withDma(Integer.parseInt(bw[0]), Integer.parseInt(bw[1]));
            }
            case "macs_per_lane" -> m.withMacsPerLanePerCycle(Integer.parseInt(v));
            case "spad_act" -> m.withScratchpad(Scratchpad.ACT, Integer.parseInt(v), 1);
            default -> throw new IllegalStateException(c.file + ": unknown machine key " + kv[0]);
          };
    }
    return m;
  }

  private static Outcome run(Case c) {
    try {
      Machine m = new Machine(config(c));
      for (String d : c.dram) {
        boolean words = d.startsWith("dram32 ");
        String rest = d.substring(words ? 7 : 5);
        int colon = rest.indexOf(':');
        int addr = (int) number(rest.substring(0, colon).strip());
        String[] vals = rest.substring(colon + 1).strip().split("\\s+");
        byte[] bytes = new byte[vals.length * (words ? 4 : 1)];
        for (int i = 0; i < vals.length; i++) {
          long v = number(vals[i]);
          if (words) {
            for (int b = 0; b < 4; b++) {
              bytes[4 * i + b] = (byte) (v >> (8 * b));
            }
          } else {
            bytes[i] = (byte) v;
          }
        }
        m.writeDram(addr, bytes);
      }
      Program p = Assembler.assemble(c.asm.toString(), c.file + "#" + c.name);
      m.trackAccumulatorWidth(
          c.expectations.stream().anyMatch(x -> x.text().startsWith("accumulator_")));
      try {
        return new Outcome(m, m.run(p, 100_000), null);
      } catch (SimulationFault f) {
        return new Outcome(m, null, f);
      }
    } catch (Exception e) {
      throw new AssertionError(c.file + ":" + c.line + ": " + e.getMessage(), e);
    }
  }

  private static long number(String s) {
    s = s.strip().replace("_", "");
    boolean neg = s.startsWith("-");
    if (neg) {
      s = s.substring(1);
    }
    long v = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
    return neg ? -v : v;
  }

  private static long[] list(String s) {
    s = s.strip();
    if (!s.startsWith("[") || !s.endsWith("]")) {
      throw new IllegalArgumentException("expected [a, b, ...], got " + s);
    }
    String body = s.substring(1, s.length() - 1).strip();
    if (body.isEmpty()) {
      return new long[0];
    }
    return Arrays.stream(body.split(",")).mapToLong(SpecFileTest::number).toArray();
  }

  private static void check(Case c, Expectation e, Outcome o) {
    String where = c.file + ":" + e.line();
    int eq = e.text().indexOf('=');
    String lhs = e.text().substring(0, eq).strip();
    String rhs = e.text().substring(eq + 1).strip();
    if (lhs.equals("fault")) {
      assertNotNull(o.fault(), where + ": expected a fault, but the run halted");
      assertEquals(
          rhs,
          o.fault().kind().name().toLowerCase(Locale.ROOT),
          where + ": " + o.fault().getMessage());
      return;
    }
    if (lhs.equals("fault_pc")) {
      assertNotNull(o.fault(), where + ": expected a fault");
      assertEquals(number(rhs), o.fault().pc(), where);
      return;
    }
    if (lhs.equals("fault_message_contains")) {
      assertNotNull(o.fault(), where + ": expected a fault");
      if (!o.fault().getMessage().contains(rhs)) {
        fail(where + ": fault message '" + o.fault().getMessage() + "' lacks '" + rhs + "'");
      }
      return;
    }
    if (o.fault() != null && !c.expectations.stream().anyMatch(x -> x.text().startsWith("fault"))) {
      fail(where + ": unexpected " + o.fault().getMessage());
    }
    Machine m = o.machine();
    String[] parts = lhs.split("\\s+");
    if (parts[0].matches("x\\d+")) {
      assertEquals(number(rhs), m.x(Integer.parseInt(parts[0].substring(1))), where);
    } else if (parts[0].matches("v\\d+")) {
      long[] want = list(rhs);
      int[] got = m.v(Integer.parseInt(parts[0].substring(1)));
      assertEquals(
          Arrays.toString(want),
          Arrays.toString(Arrays.stream(got).limit(want.length).asLongStream().toArray()),
          where);
    } else if (parts[0].matches("acc\\d+")) {
      long[] want = list(rhs);
      long[] got = m.acc(Integer.parseInt(parts[0].substring(3)));
      assertEquals(Arrays.toString(want), Arrays.toString(Arrays.copyOf(got, want.length)), where);
    } else if (parts[0].equals("dram")) {
      long[] want = list(rhs);
      byte[] got = m.readDram((int) number(parts[1]), want.length);
      for (int i = 0; i < want.length; i++) {
        assertEquals((byte) want[i], got[i], where + " byte " + i);
      }
    } else if (parts[0].equals("spad")) {
      Scratchpad s = Scratchpad.valueOf(parts[1].toUpperCase(Locale.ROOT));
      long[] want = list(rhs);
      byte[] all = m.scratchpad(s);
      int addr = (int) number(parts[2]);
      for (int i = 0; i < want.length; i++) {
        assertEquals((byte) want[i], all[addr + i], where + " byte " + i);
      }
    } else {
      assertNull(o.fault(), where);
      RunResult r = o.result();
      long got =
          switch (lhs) {
            case "macs" -> r.macs();
            case "overflows" -> r.accumulatorOverflows();
            case "accumulator_bits_needed" -> r.accumulatorBitsNeeded();
            case "saturations" -> r.outputSaturations();
            case "clamp_hits" -> r.clampHits();
            case "cycles" -> r.cycles();
            case "steps" -> r.steps();
            case "stall_wait" -> r.stalls().dmaWait();
            case "stall_queue_full" -> r.stalls().dmaQueueFull();
            case "stall_bank" -> r.stalls().bankConflict();
            case "stall_drain" -> r.stalls().dmaDrain();
            case "bytes_loaded" -> r.dma().bytesLoaded();
            case "bytes_stored" -> r.dma().bytesStored();
            default -> throw new IllegalArgumentException(where + ": unknown counter " + lhs);
          };
      assertEquals(number(rhs), got, where);
    }
  }
}
