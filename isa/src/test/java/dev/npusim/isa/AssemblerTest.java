package dev.npusim.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class AssemblerTest {

  private static AsmException error(String source) {
    return assertThrows(AsmException.class, () -> Assembler.assemble(source, "k.s"));
  }

  @Test
  void labelsCommentsConstantsAndExpressions() throws Exception {
    Program p =
        Assembler.assemble(
            """
            # a comment line
            .equ ROW, 96        ; row bytes
            .equ TWO, 2
            start:  li x1, ROW*TWO + (3 - 1) / 2   // 193
                    li x2, 0x10
                    li x3, -0b101
            again:  addi x1, x1, -1
                    bne x1, x0, again
                    loop x2, done
                    nop
            done:   j start
            """,
            "k.s");
    assertEquals(Instruction.of(Opcode.LI, 1, 193), p.get(0));
    assertEquals(Instruction.of(Opcode.LI, 2, 16), p.get(1));
    assertEquals(Instruction.of(Opcode.LI, 3, -5), p.get(2));
    assertEquals(Instruction.of(Opcode.BNE, 1, 0, 3), p.get(4));
    assertEquals(Instruction.of(Opcode.LOOP, 2, 7), p.get(5));
    assertEquals(Instruction.of(Opcode.J, 0), p.get(7));
    assertEquals("again", p.labels().get(3));
  }

  @Test
  void hexPatternsWrapToThirtyTwoBits() throws Exception {
    assertEquals(
        Instruction.of(Opcode.LI, 1, -1), Assembler.assemble("li x1, 0xFFFFFFFF", "k.s").get(0));
  }

  @Test
  void unknownMnemonic() {
    AsmException e = error("nop\n  vsqrt v1, v2\n");
    assertEquals("k.s:2:3: unknown mnemonic 'vsqrt'", e.getMessage());
  }

  @Test
  void upperCaseMnemonicGetsAHint() {
    AsmException e = error("NOP\n");
    assertEquals(
        "k.s:1:1: unknown mnemonic 'NOP' (mnemonics are lower case: 'nop')", e.getMessage());
  }

  @Test
  void badRegister() {
    AsmException e = error("vld.s8 x9, act, x5, 0\n");
    assertEquals("k.s:1:8: expected vector register v0..v31, got 'x9'", e.getMessage());
    assertEquals(
        "k.s:1:5: expected scalar register x0..x31, got 'x32'",
        error("add x32, x1, x2").getMessage());
    assertEquals(
        "k.s:1:6: expected accumulator acc0..acc7, got 'acc8'", error("vclr acc8").getMessage());
    assertEquals(
        "k.s:1:12: expected scratchpad (act, wgt, out, par), got 'dram'",
        error("vld.s8 v1, dram, x5, 0").getMessage());
  }

  @Test
  void immediateOutOfRange() {
    assertEquals(
        "k.s:1:14: shift amount 0..31 40 out of range [0, 31] for shamt",
        error("slli x1, x2, 40").getMessage());
    assertEquals(
        "k.s:1:8: immediate 8589934592 out of range [-2147483648, 4294967295] for imm",
        error("li x1, 0x200000000").getMessage());
    assertEquals(
        "k.s:1:18: non-negative immediate -1 out of range [0, 2147483647] for lane",
        error("vmac.e acc0, v1, -1, v2").getMessage());
  }

  @Test
  void undefinedLabelAndConstant() {
    assertEquals(
        "k.s:2:13: undefined label 'missing'", error("nop\nbeq x1, x2, missing\n").getMessage());
    assertEquals("k.s:1:8: undefined constant 'N'", error("li x1, N+1").getMessage());
  }

  @Test
  void wrongOperandCount() {
    assertEquals(
        "k.s:1:11: add takes 3 operand(s): add xd, xa, xb; got 2",
        error("add x1, x2").getMessage());
  }

  /** Issue 12: '(' * 5000 overflowed the stack; nesting has a located limit instead. */
  @Test
  void deeplyNestedExpressionsHitALocatedLimit() {
    String deep = "li x1, " + "(".repeat(5000) + "1" + ")".repeat(5000) + "\nhalt";
    // Column 8 is the first '('; the 65th '(' (column 72) is one level too deep.
    assertEquals("k.s:1:72: expression nested deeper than 64 levels", error(deep).getMessage());
    assertEquals(
        "k.s:1:72: expression nested deeper than 64 levels",
        error("li x1, " + "-".repeat(5000) + "1").getMessage());
    assertEquals(
        "k.s:1:73: expression nested deeper than 64 levels",
        error(".equ N, " + "(".repeat(100) + "1" + ")".repeat(100)).getMessage());
  }

  @Test
  void nestingUpToTheLimitAssembles() throws Exception {
    Program p = Assembler.assemble("li x1, " + "(".repeat(64) + "7" + ")".repeat(64), "k.s");
    assertEquals(Instruction.of(Opcode.LI, 1, 7), p.get(0));
  }

  /** Issue 12: an unbalanced '(' was reported as "li takes 2 operand(s)". */
  @Test
  void unbalancedParenthesesSaySo() {
    assertEquals("k.s:1:8: unbalanced '(': no ')' closes it", error("li x1, (1 + 2").getMessage());
    assertEquals("k.s:1:8: unbalanced '(': no ')' closes it", error("li x1, ((1), 2").getMessage());
    assertEquals("k.s:1:9: unbalanced ')': no '(' before it", error("li x1, 1) + (2").getMessage());
  }

  @Test
  void readOnlyCsrAndBadTargets() {
    assertEquals(
        "k.s:1:7: control register 'lanes' is read only", error("csrwi lanes, 4").getMessage());
    assertEquals(
        "k.s:1:1: loop end 1 leaves an empty body (the body is [1, end))",
        error("loop x1, 1\nnop").getMessage());
    assertEquals(
        "k.s:1:1: target 5 lies outside the program (2 instructions)",
        error("j 5\nnop").getMessage());
  }

  @Test
  void duplicateLabel() {
    assertEquals("k.s:2:1: label 'a' is already defined", error("a: nop\na: nop").getMessage());
  }

  @Test
  void builderEmitsTheSameProgramAsTheAssembler() throws Exception {
    ProgramBuilder b = new ProgramBuilder();
    ProgramBuilder.Label top = b.newLabel("top");
    ProgramBuilder.Label end = b.newLabel("end");
    b.emit(Opcode.LI, 1, 4);
    b.bind(top);
    b.emit(Opcode.LOOP, end, 1);
    b.emit(Opcode.NOP);
    b.bind(end);
    b.emit(Opcode.BNE, top, 1, 0);
    b.emit(Opcode.HALT);
    Program built = b.build();
    Program text =
        Assembler.assemble("li x1, 4\ntop: loop x1, end\nnop\nend: bne x1, x0, top\nhalt\n", "k.s");
    assertEquals(List.of(text.instructions()), List.of(built.instructions()));
  }
}
