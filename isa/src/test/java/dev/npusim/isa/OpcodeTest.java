package dev.npusim.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Structural checks of the instruction definitions, in the manner of Spike's and RARS's tests. */
class OpcodeTest {

  /** An example line followed by enough nops that example targets (<= 3) lie inside. */
  private static Program assembleExample(Opcode op) throws AsmException {
    return Assembler.assemble(op.example() + "\nnop\nnop\nnop\n", op.name() + ".example");
  }

  @TestFactory
  Stream<DynamicTest> everyExampleRoundTrips() {
    return Stream.of(Opcode.values())
        .map(
            op ->
                DynamicTest.dynamicTest(
                    op.mnemonic(),
                    () -> {
                      Program p = assembleExample(op);
                      Instruction insn = p.get(0);
                      assertEquals(op, insn.opcode(), "example assembles to its own opcode");
                      long word = Encoding.encode(insn);
                      assertEquals(op.code(), (int) (word >>> 56), "opcode byte");
                      assertEquals(insn, Encoding.decode(word), "decode(encode(x)) == x");
                      // Disassembly is accepted again and gives the same words (RARS-style).
                      String text = Disassembler.disassemble(p);
                      Program again = Assembler.assemble(text, "disassembly");
                      assertEquals(List.of(p.encode()[0]), List.of(again.encode()[0]));
                      assertEquals(p, again);
                      // The example's own text is what the instruction prints (targets aside).
                      if (!op.hasTarget()) {
                        assertEquals(op.example(), insn.toString());
                      }
                    }));
  }

  @Test
  void mnemonicsAndOpcodeBytesAreUnique() {
    Set<String> mnemonics = new HashSet<>();
    Set<Integer> codes = new HashSet<>();
    for (Opcode op : Opcode.values()) {
      assertTrue(mnemonics.add(op.mnemonic()), "duplicate mnemonic " + op.mnemonic());
      assertTrue(codes.add(op.code()), "duplicate opcode byte " + op.code());
      assertNotEquals(0, op.code(), "an all-zero word must stay illegal");
      assertEquals(op, Opcode.byCode(op.code()));
    }
  }

  /**
   * Spike's overlap check: two instructions overlap if some word matches both, i.e. their fixed
   * bits agree wherever both masks have fixed bits. With the opcode byte in every mask, distinct
   * bytes can never overlap; this checks it for every pair rather than trusting it.
   */
  @Test
  void noTwoOpcodesOverlap() {
    for (Opcode a : Opcode.values()) {
      for (Opcode b : Opcode.values()) {
        if (a == b) {
          continue;
        }
        long common = Slot.OPCODE_MASK;
        assertNotEquals(
            0L,
            (a.match() ^ b.match()) & common,
            a + " and " + b + " can decode from the same word");
      }
    }
  }

  @Test
  void operandFieldsOfAnInstructionDoNotOverlap() {
    for (Opcode op : Opcode.values()) {
      long used = Slot.OPCODE_MASK;
      for (Operand o : op.operands()) {
        assertEquals(0L, used & o.slot().mask(), op + ": operand " + o.name() + " overlaps");
        used |= o.slot().mask();
      }
      assertEquals(used, op.usedBits());
      assertTrue(op.operands().stream().filter(o -> o.slot() == Slot.IMM).count() <= 1);
    }
  }

  @Test
  void decodeRejectsUnknownOpcodesStrayBitsAndBadFields() {
    DecodeException unknown = assertThrows(DecodeException.class, () -> Encoding.decode(0L));
    assertTrue(unknown.getMessage().contains("unknown opcode byte 0x00"), unknown.getMessage());
    assertThrows(DecodeException.class, () -> Encoding.decode(0xFFL << 56));
    // halt with a stray immediate bit.
    DecodeException stray =
        assertThrows(DecodeException.class, () -> Encoding.decode(Opcode.HALT.match() | 1));
    assertTrue(stray.getMessage().contains("must be zero"), stray.getMessage());
    // vclr acc9: the slot holds 9, but there are only 8 accumulators.
    long acc9 = Opcode.VCLR.match() | (9L << Slot.S1.shift());
    DecodeException bad = assertThrows(DecodeException.class, () -> Encoding.decode(acc9));
    assertTrue(bad.getMessage().contains("accumulator acc0..acc7"), bad.getMessage());
    // csrw lanes, x1: lanes is read only.
    long csrwLanes =
        Opcode.CSRW.match()
            | ((long) Csr.LANES.number() << Slot.S1.shift())
            | (1L << Slot.S2.shift());
    DecodeException ro = assertThrows(DecodeException.class, () -> Encoding.decode(csrwLanes));
    assertTrue(ro.getMessage().contains("read only"), ro.getMessage());
    // vdot4 with a register group v29..v32.
    long group = Opcode.VDOT4.match() | (29L << Slot.S3.shift());
    assertThrows(DecodeException.class, () -> Encoding.decode(group));
    // slli with a shift amount of 32.
    long shamt = Opcode.SLLI.match() | 32L;
    assertThrows(DecodeException.class, () -> Encoding.decode(shamt));
  }

  @Test
  void readmeIsGeneratedFromTheDefinitions() throws Exception {
    Path readme = Path.of("README.md");
    String onDisk = Files.readString(readme, StandardCharsets.UTF_8);
    assertEquals(
        IsaReference.markdown(),
        onDisk,
        "isa/README.md is stale: regenerate it with ./npusim isa --markdown > isa/README.md");
  }
}
