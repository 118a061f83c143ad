package dev.npusim.isa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the binary decoder and the disassembler (issue 12). Contract: any
 * bytes decode to a program or fail with one {@link ProgramException}; the disassembler prints any
 * decoded program without throwing. Differential: decode, disassemble, assemble gives the same
 * words back.
 */
class DecoderFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void decodeDisassembleAssemble(byte[] bytes) throws AsmException {
    Program p;
    try {
      p = ProgramBinary.read(bytes);
    } catch (ProgramException expected) {
      return;
    }
    String text = Disassembler.disassemble(p);
    Program again = Assembler.assemble(text, "disassembled.s");
    assertArrayEquals(bytes, ProgramBinary.write(again), text);
  }
}
