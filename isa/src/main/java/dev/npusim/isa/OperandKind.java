package dev.npusim.isa;

/**
 * What an operand is: which register file or value space it names, how it is written in assembly,
 * and which values are legal. The same checks run in the assembler, in {@link Instruction#of} and
 * in the decoder, so no path can produce an instruction the others would reject.
 */
public enum OperandKind {
  /** Scalar register x0..x31; x0 always reads 0. */
  XREG("x", 32),
  /** Vector register v0..v31, one 8-bit value per lane. */
  VREG("v", 32),
  /** First register of a group of four consecutive vector registers, v0..v28. */
  VREG4("v", 29),
  /** Accumulator register acc0..acc7, one wide accumulator per lane. */
  AREG("acc", 8),
  /** Scratchpad name: act, wgt, out, par. */
  SPAD(null, 4),
  /** Any control register by name. */
  CSR(null, 32),
  /** A writable control register by name. */
  CSR_W(null, 32),
  /** DMA queue name: ld, st. */
  QUEUE(null, 2),
  /** Signed 32-bit immediate. */
  IMM(null, 0),
  /** Non-negative immediate (counts, lane indices). */
  UIMM(null, 0),
  /** Shift amount 0..31. */
  SHAMT(null, 32),
  /** Branch or loop target: a label, or an absolute instruction index. */
  TARGET(null, 0);

  private final String prefix;
  private final int limit;

  OperandKind(String prefix, int limit) {
    this.prefix = prefix;
    this.limit = limit;
  }

  /** Register-name prefix ("x", "v", "acc"), or null if the operand is not a numbered register. */
  public String prefix() {
    return prefix;
  }

  /**
   * Checks a value for this kind.
   *
   * @return null if legal, otherwise the reason it is not
   */
  public String check(int value) {
    switch (this) {
      case XREG, VREG, AREG, SHAMT, QUEUE, SPAD -> {
        if (value < 0 || value >= limit) {
          return "expected " + describe() + ", got " + value;
        }
      }
      case VREG4 -> {
        if (value < 0 || value >= limit) {
          return "register group v" + value + "..v" + (value + 3) + " runs past v31";
        }
      }
      case CSR -> {
        if (Csr.byNumber(value) == null) {
          return "no control register number " + value;
        }
      }
      case CSR_W -> {
        Csr c = Csr.byNumber(value);
        if (c == null) {
          return "no control register number " + value;
        }
        if (!c.writable()) {
          return "control register '" + c.asmName() + "' is read only";
        }
      }
      case UIMM, TARGET -> {
        if (value < 0) {
          return "expected a non-negative value, got " + value;
        }
      }
      case IMM -> {}
    }
    return null;
  }

  /** Human name of the operand kind, as used in error messages. */
  public String describe() {
    return switch (this) {
      case XREG -> "scalar register x0..x31";
      case VREG -> "vector register v0..v31";
      case VREG4 -> "vector register group base v0..v28";
      case AREG -> "accumulator acc0..acc7";
      case SPAD -> "scratchpad (act, wgt, out, par)";
      case CSR -> "control register";
      case CSR_W -> "writable control register";
      case QUEUE -> "DMA queue (ld, st)";
      case IMM -> "immediate";
      case UIMM -> "non-negative immediate";
      case SHAMT -> "shift amount 0..31";
      case TARGET -> "label or instruction index";
    };
  }

  /** Assembly text of a legal value. Targets print as numbers here; see {@link Disassembler}. */
  public String format(int value) {
    return switch (this) {
      case XREG, VREG, VREG4, AREG -> prefix + value;
      case SPAD -> Scratchpad.of(value).asmName();
      case CSR, CSR_W -> Csr.byNumber(value).asmName();
      case QUEUE -> DmaQueue.of(value).asmName();
      case IMM, UIMM, SHAMT, TARGET -> Integer.toString(value);
    };
  }
}
