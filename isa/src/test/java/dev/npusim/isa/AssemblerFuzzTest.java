package dev.npusim.isa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the assembler (issue 12). Contract: any text assembles to a program or
 * fails with one {@link AsmException}; nothing else escapes (no StackOverflowError, no
 * RuntimeException). Differential: a program that assembles disassembles to text that assembles to
 * the same words.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays the seed corpus in {@code
 * src/test/resources/dev/npusim/isa/AssemblerFuzzTestInputs/}; see the README's "Fuzzing" section
 * for the command that fuzzes.
 */
class AssemblerFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void assembleThenRoundTrip(byte[] bytes) throws AsmException {
    // Bytes as UTF-8 (malformed sequences become U+FFFD), so that seeds are plain .s files.
    String source = new String(bytes, StandardCharsets.UTF_8);
    Program p;
    try {
      p = Assembler.assemble(source, "fuzz.s");
    } catch (AsmException expected) {
      return;
    }
    String text = Disassembler.disassemble(p);
    Program again = Assembler.assemble(text, "disassembled.s");
    assertArrayEquals(p.encode(), again.encode(), text);
  }
}
