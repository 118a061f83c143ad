package dev.npusim.isa;

import static org.quicktheories.QuickTheory.qt;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/** Round trips over random operands of every instruction, and decoding of arbitrary words. */
class IsaProperties {

  /** A random legal value for an operand kind. */
  static Gen<Integer> operand(OperandKind kind) {
    return switch (kind) {
      case XREG, VREG -> SourceDSL.integers().between(0, 31);
      case VREG4 -> SourceDSL.integers().between(0, 28);
      case AREG -> SourceDSL.integers().between(0, 7);
      case SPAD -> SourceDSL.integers().between(0, 3);
      case QUEUE -> SourceDSL.integers().between(0, 1);
      case CSR -> Generate.pick(List.of(Csr.values())).map(Csr::number);
      case CSR_W ->
          Generate.pick(List.of(Csr.values()).stream().filter(Csr::writable).toList())
              .map(Csr::number);
      case IMM -> SourceDSL.integers().all();
      case UIMM -> SourceDSL.integers().between(0, Integer.MAX_VALUE);
      case SHAMT -> SourceDSL.integers().between(0, 31);
      case TARGET -> SourceDSL.integers().between(0, 0); // fixed up to lie inside the program
    };
  }

  static Gen<Instruction> instruction() {
    return Generate.pick(List.of(Opcode.values()))
        .flatMap(
            op -> {
              Gen<int[]> values = prng -> new int[0];
              for (Operand o : op.operands()) {
                Gen<int[]> prev = values;
                Gen<Integer> next = operand(o.kind());
                values =
                    prev.zip(
                        next,
                        (a, v) -> {
                          int[] c = java.util.Arrays.copyOf(a, a.length + 1);
                          c[a.length] = v;
                          return c;
                        });
              }
              return values.map(v -> Instruction.of(op, v));
            });
  }

  @Test
  void encodeDecodeRoundTrip() {
    qt().withExamples(20_000)
        .forAll(instruction())
        .checkAssert(
            insn -> {
              try {
                org.junit.jupiter.api.Assertions.assertEquals(
                    insn, Encoding.decode(Encoding.encode(insn)));
              } catch (DecodeException e) {
                throw new AssertionError(insn + ": " + e.getMessage(), e);
              }
            });
  }

  @Test
  void assembleDisassembleRoundTrip() {
    qt().withExamples(5_000)
        .forAll(instruction())
        .checkAssert(
            insn -> {
              // Targets point at the trailing nops; loop ends must leave a non-empty body.
              Instruction fixed =
                  insn.opcode() == Opcode.LOOP
                      ? insn.withTarget(3)
                      : insn.opcode().hasTarget() ? insn.withTarget(1) : insn;
              String text = fixed.toString() + "\nnop\nnop\nnop\n";
              try {
                Program p = Assembler.assemble(text, "random.s");
                org.junit.jupiter.api.Assertions.assertEquals(fixed, p.get(0));
                Program again = Assembler.assemble(Disassembler.disassemble(p), "dis.s");
                org.junit.jupiter.api.Assertions.assertEquals(p, again);
              } catch (AsmException e) {
                throw new AssertionError(text + ": " + e.getMessage(), e);
              }
            });
  }

  /** Any 64-bit word either decodes to an instruction that encodes back to it, or is rejected. */
  @Test
  void arbitraryWordsDecodeExactlyOrAreRejected() {
    Gen<Long> words =
        SourceDSL.longs()
            .all()
            .mix(
                // Words with a valid opcode byte and random fields exercise the field checks.
                Generate.pick(List.of(Opcode.values()))
                    .zip(SourceDSL.longs().all(), (op, r) -> op.match() | (r & ~Slot.OPCODE_MASK)),
                50);
    qt().withExamples(50_000)
        .forAll(words)
        .checkAssert(
            w -> {
              try {
                Instruction insn = Encoding.decode(w);
                org.junit.jupiter.api.Assertions.assertEquals(w.longValue(), Encoding.encode(insn));
              } catch (DecodeException expected) {
                // rejected with a reason: fine
              }
            });
  }
}
