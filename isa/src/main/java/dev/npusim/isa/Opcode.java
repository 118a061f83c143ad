package dev.npusim.isa;

import static dev.npusim.isa.CycleClass.*;
import static dev.npusim.isa.EnergyEvent.*;
import static dev.npusim.isa.EnergyTerm.perByte;
import static dev.npusim.isa.EnergyTerm.perInstruction;
import static dev.npusim.isa.EnergyTerm.perLane;

import java.util.List;
import java.util.Optional;

/**
 * Every instruction of the machine, defined in one place: mnemonic, opcode byte, operands and where
 * they sit in the word, timing class, energy events, a one-line description and an example that the
 * tests assemble, encode, decode and disassemble.
 *
 * <p>The semantics of each constant is one arm of the exhaustive {@code switch} in the simulator's
 * {@code Executor}; adding a constant here without semantics there does not compile.
 *
 * <p>Notation: {@code L} is the machine's lane count, {@code vl} the {@code vl} control register,
 * {@code l} a lane index in {@code [0, vl)}, {@code zx} the input zero point, {@code zw[l]} the
 * per-lane filter zero point, {@code M[l]}, {@code S[l]} the per-lane requantization multiplier and
 * shift.
 */
public enum Opcode {
  // ---------------------------------------------------------------- scalar
  NOP("nop", 0x01, SCALAR, Operands.none(), List.of(), "no operation", "nop"),
  HALT(
      "halt",
      0x02,
      CycleClass.HALT,
      Operands.none(),
      List.of(),
      "stop; the run ends once every queued DMA transfer has completed",
      "halt"),
  LI(
      "li",
      0x03,
      SCALAR,
      Operands.of(Operands.xd(), Operands.imm("imm")),
      scalar(),
      "xd = imm",
      "li x5, -1024"),
  ADD(
      "add",
      0x10,
      SCALAR,
      Operands.rrr(),
      scalar(),
      "xd = xa + xb (32-bit wrap)",
      "add x3, x1, x2"),
  SUB(
      "sub",
      0x11,
      SCALAR,
      Operands.rrr(),
      scalar(),
      "xd = xa - xb (32-bit wrap)",
      "sub x3, x1, x2"),
  MUL(
      "mul",
      0x12,
      SCALAR,
      Operands.rrr(),
      scalar(),
      "xd = low 32 bits of xa * xb",
      "mul x3, x1, x2"),
  AND("and", 0x13, SCALAR, Operands.rrr(), scalar(), "xd = xa & xb", "and x3, x1, x2"),
  OR("or", 0x14, SCALAR, Operands.rrr(), scalar(), "xd = xa | xb", "or x3, x1, x2"),
  XOR("xor", 0x15, SCALAR, Operands.rrr(), scalar(), "xd = xa ^ xb", "xor x3, x1, x2"),
  SLL("sll", 0x16, SCALAR, Operands.rrr(), scalar(), "xd = xa << (xb & 31)", "sll x3, x1, x2"),
  SRL(
      "srl",
      0x17,
      SCALAR,
      Operands.rrr(),
      scalar(),
      "xd = xa >>> (xb & 31), logical",
      "srl x3, x1, x2"),
  SRA(
      "sra",
      0x18,
      SCALAR,
      Operands.rrr(),
      scalar(),
      "xd = xa >> (xb & 31), arithmetic",
      "sra x3, x1, x2"),
  SLT(
      "slt",
      0x19,
      SCALAR,
      Operands.rrr(),
      scalar(),
      "xd = 1 if xa < xb (signed) else 0",
      "slt x3, x1, x2"),
  ADDI(
      "addi",
      0x20,
      SCALAR,
      Operands.rri(),
      scalar(),
      "xd = xa + imm (32-bit wrap)",
      "addi x3, x3, 64"),
  MULI(
      "muli",
      0x21,
      SCALAR,
      Operands.rri(),
      scalar(),
      "xd = low 32 bits of xa * imm",
      "muli x4, x2, 96"),
  ANDI("andi", 0x22, SCALAR, Operands.rri(), scalar(), "xd = xa & imm", "andi x4, x2, 31"),
  SLLI("slli", 0x23, SCALAR, Operands.rrs(), scalar(), "xd = xa << shamt", "slli x4, x2, 5"),
  SRLI(
      "srli",
      0x24,
      SCALAR,
      Operands.rrs(),
      scalar(),
      "xd = xa >>> shamt, logical",
      "srli x4, x2, 5"),
  SRAI(
      "srai",
      0x25,
      SCALAR,
      Operands.rrs(),
      scalar(),
      "xd = xa >> shamt, arithmetic",
      "srai x4, x2, 5"),

  // ---------------------------------------------------------------- control flow
  BEQ(
      "beq",
      0x30,
      BRANCH,
      Operands.branch(),
      scalar(),
      "if xa == xb then pc = target",
      "beq x1, x2, 0"),
  BNE(
      "bne",
      0x31,
      BRANCH,
      Operands.branch(),
      scalar(),
      "if xa != xb then pc = target",
      "bne x1, x0, 0"),
  BLT(
      "blt",
      0x32,
      BRANCH,
      Operands.branch(),
      scalar(),
      "if xa < xb (signed) then pc = target",
      "blt x1, x2, 0"),
  BGE(
      "bge",
      0x33,
      BRANCH,
      Operands.branch(),
      scalar(),
      "if xa >= xb (signed) then pc = target",
      "bge x1, x2, 0"),
  J("j", 0x34, BRANCH, Operands.of(Operands.target("target")), scalar(), "pc = target", "j 0"),
  LOOP(
      "loop",
      0x35,
      CycleClass.LOOP,
      Operands.of(Operands.xreg("xa", Slot.S1), Operands.target("end")),
      scalar(),
      "zero-overhead hardware loop: run the body [pc+1, end) xa times (unsigned; 0 skips it);"
          + " loops nest up to the machine's loop depth",
      "loop x7, 3"),

  // ---------------------------------------------------------------- control registers
  CSRR(
      "csrr",
      0x38,
      CycleClass.CSR,
      Operands.of(Operands.xd(), new Operand(OperandKind.CSR, Slot.S2, "csr")),
      scalar(),
      "xd = csr",
      "csrr x1, lanes"),
  CSRW(
      "csrw",
      0x39,
      CycleClass.CSR,
      Operands.of(new Operand(OperandKind.CSR_W, Slot.S1, "csr"), Operands.xreg("xa", Slot.S2)),
      scalar(),
      "csr = xa; an illegal value for the register faults",
      "csrw zx, x3"),
  CSRWI(
      "csrwi",
      0x3A,
      CycleClass.CSR,
      Operands.of(new Operand(OperandKind.CSR_W, Slot.S1, "csr"), Operands.imm("imm")),
      scalar(),
      "csr = imm; an illegal value for the register faults",
      "csrwi amin, -128"),
  VSETZW(
      "vsetzw",
      0x3B,
      CycleClass.CSR,
      Operands.of(Operands.vreg("vs", Slot.S1)),
      List.of(perLane(REGISTER_BYTE, 2)),
      "zw[l] = vs[l]: per-lane filter zero points",
      "vsetzw v7"),

  // ---------------------------------------------------------------- vector memory
  VLD_S8(
      "vld.s8",
      0x40,
      VLOAD,
      Operands.load(),
      vload(),
      "vd[l] = sext(spad[xa + l]) for l < vl, 0 above; then xa += inc",
      "vld.s8 v1, act, x5, 32"),
  VLD_U8(
      "vld.u8",
      0x41,
      VLOAD,
      Operands.load(),
      vload(),
      "vd[l] = zext(spad[xa + l]) for l < vl, 0 above; then xa += inc",
      "vld.u8 v1, wgt, x6, 0"),
  VLDS_S8(
      "vlds.s8",
      0x42,
      VLOAD,
      Operands.stridedLoad(),
      vload(),
      "vd[l] = sext(spad[xa + l*xs]) for l < vl, 0 above; then xa += inc",
      "vlds.s8 v2, act, x5, x9, 1"),
  VLDS_U8(
      "vlds.u8",
      0x43,
      VLOAD,
      Operands.stridedLoad(),
      vload(),
      "vd[l] = zext(spad[xa + l*xs]) for l < vl, 0 above; then xa += inc",
      "vlds.u8 v2, act, x5, x9, 1"),
  VBC_S8(
      "vbc.s8",
      0x44,
      VLOAD,
      Operands.load(),
      List.of(perInstruction(SPAD_READ_BYTE, 1), perLane(REGISTER_BYTE, 1)),
      "vd[l] = sext(spad[xa]) for l < vl, 0 above: broadcast one byte; then xa += inc",
      "vbc.s8 v3, act, x5, 1"),
  VBC_U8(
      "vbc.u8",
      0x45,
      VLOAD,
      Operands.load(),
      List.of(perInstruction(SPAD_READ_BYTE, 1), perLane(REGISTER_BYTE, 1)),
      "vd[l] = zext(spad[xa]) for l < vl, 0 above: broadcast one byte; then xa += inc",
      "vbc.u8 v3, act, x5, 1"),
  VST(
      "vst",
      0x48,
      VSTORE,
      Operands.of(
          Operands.vreg("vs", Slot.S1),
          Operands.spad(Slot.S2),
          Operands.xreg("xa", Slot.S3),
          Operands.imm("inc")),
      vstore(),
      "spad[xa + l] = low 8 bits of vs[l] for l < vl; then xa += inc",
      "vst v4, out, x8, 32"),
  VSTS(
      "vsts",
      0x49,
      VSTORE,
      Operands.of(
          Operands.vreg("vs", Slot.S1),
          Operands.spad(Slot.S2),
          Operands.xreg("xa", Slot.S3),
          Operands.xreg("xs", Slot.S4),
          Operands.imm("inc")),
      vstore(),
      "spad[xa + l*xs] = low 8 bits of vs[l] for l < vl; then xa += inc",
      "vsts v4, out, x8, x9, 1"),

  // ---------------------------------------------------------------- multiply-accumulate
  VMAC(
      "vmac",
      0x50,
      MAC,
      Operands.of(Operands.accd(), Operands.vreg("va", Slot.S2), Operands.vreg("vb", Slot.S3)),
      List.of(perLane(MAC8, 1), perLane(ACC_ADD, 1), perLane(REGISTER_BYTE, 10)),
      "accd[l] += (va[l] - zx) * (vb[l] - zw[l]): lane-wise, for depthwise convolution",
      "vmac acc0, v1, v2"),
  VMAC_E(
      "vmac.e",
      0x51,
      MAC,
      Operands.of(
          Operands.accd(),
          Operands.vreg("va", Slot.S2),
          Operands.uimm("lane"),
          Operands.vreg("vb", Slot.S3)),
      List.of(perLane(MAC8, 1), perLane(ACC_ADD, 1), perLane(REGISTER_BYTE, 10)),
      "accd[l] += (va[lane] - zx) * (vb[l] - zw[l]): one input broadcast to every output lane",
      "vmac.e acc1, v1, 3, v2"),
  VDOT4(
      "vdot4",
      0x52,
      MAC,
      Operands.of(
          Operands.accd(),
          Operands.vreg("va", Slot.S2),
          Operands.uimm("group"),
          new Operand(OperandKind.VREG4, Slot.S3, "vb")),
      List.of(perLane(MAC8, 4), perLane(ACC_ADD, 1), perLane(REGISTER_BYTE, 12)),
      "accd[l] += sum over k<4 of (va[4*group+k] - zx) * (v(b+k)[l] - zw[l]):"
          + " 4-way dot product per lane, for pointwise convolution",
      "vdot4 acc2, v1, 0, v8"),
  VCLR(
      "vclr",
      0x58,
      ACC,
      Operands.of(Operands.accd()),
      List.of(perLane(REGISTER_BYTE, 4)),
      "accd[l] = 0 for every lane",
      "vclr acc0"),
  VBIAS(
      "vbias",
      0x59,
      ACC,
      Operands.of(Operands.accd(), Operands.xreg("xa", Slot.S2)),
      List.of(perLane(SPAD_READ_BYTE, 4), perLane(ACC_ADD, 1), perLane(REGISTER_BYTE, 4)),
      "accd[l] = int32 little-endian at par[xa + 4l] for l < vl, 0 above (overflow-checked"
          + " at the accumulator width)",
      "vbias acc0, x10"),

  // ---------------------------------------------------------------- pooling
  VACC(
      "vacc",
      0x5A,
      ACC,
      Operands.of(Operands.accd(), Operands.vreg("va", Slot.S2)),
      List.of(perLane(ACC_ADD, 1), perLane(REGISTER_BYTE, 9)),
      "accd[l] += va[l] - zx for l < vl (overflow-checked at the accumulator width): lane-wise"
          + " accumulate, for average pooling (TFLite sums the raw values: zx = 0)",
      "vacc acc0, v1"),
  VMAX(
      "vmax",
      0x5B,
      ACC,
      Operands.of(
          Operands.vreg("vd", Slot.S1), Operands.vreg("va", Slot.S2), Operands.vreg("vb", Slot.S3)),
      List.of(perLane(REGISTER_BYTE, 3)),
      "vd[l] = max(va[l], vb[l]) for l < vl: lane-wise maximum, for max pooling",
      "vmax v1, v1, v2"),
  VCLAMP(
      "vclamp",
      0x5C,
      ACC,
      Operands.of(Operands.vreg("vd", Slot.S1), Operands.vreg("va", Slot.S2)),
      List.of(perLane(REGISTER_BYTE, 2)),
      "vd[l] = sat8(clamp(va[l], amin, amax)) per otype for l < vl; clamp hits and saturations"
          + " counted as by vrq: the fused activation of max pooling",
      "vclamp v1, v1"),

  // ---------------------------------------------------------------- requantization
  RQLD(
      "rqld",
      0x60,
      VLOAD,
      Operands.of(Operands.xreg("xm", Slot.S1), Operands.xreg("xs", Slot.S2)),
      List.of(perLane(SPAD_READ_BYTE, 8), perLane(REGISTER_BYTE, 8)),
      "M[l] = int32 at par[xm + 4l], S[l] = int32 at par[xs + 4l] for l < vl"
          + " (in float32 mode M[l] holds the scale's bits)",
      "rqld x11, x12"),
  VRQ(
      "vrq",
      0x61,
      CycleClass.REQUANT,
      Operands.of(Operands.vreg("vd", Slot.S1), new Operand(OperandKind.AREG, Slot.S2, "acca")),
      List.of(perLane(EnergyEvent.REQUANT, 1), perLane(REGISTER_BYTE, 5)),
      "vd[l] = sat8(clamp(zo + requantize(acca[l], M[l], S[l]), amin, amax)) per rmode,"
          + " rqmode and otype",
      "vrq v4, acc0"),
  VAVG(
      "vavg",
      0x62,
      CycleClass.REQUANT,
      Operands.of(
          Operands.vreg("vd", Slot.S1),
          new Operand(OperandKind.AREG, Slot.S2, "acca"),
          Operands.xreg("xn", Slot.S3)),
      List.of(perLane(EnergyEvent.REQUANT, 1), perLane(REGISTER_BYTE, 5)),
      "vd[l] = sat8(clamp(a > 0 ? (a + n/2) / n : (a - n/2) / n, amin, amax)) per otype, a ="
          + " acca[l] as int32, n = xn, divisions truncating: TFLite's average-pool rounding;"
          + " n < 1 faults",
      "vavg v4, acc0, x9"),
  VSADD(
      "vsadd",
      0x63,
      CycleClass.REQUANT,
      Operands.of(
          Operands.accd(),
          Operands.vreg("va", Slot.S2),
          Operands.xreg("xm", Slot.S3),
          Operands.xreg("xs", Slot.S4),
          Operands.imm("z")),
      List.of(perLane(EnergyEvent.REQUANT, 1), perLane(ACC_ADD, 1), perLane(REGISTER_BYTE, 9)),
      "accd[l] += requantize((va[l] - z) * 2^20, xm, xs) per rmode for l < vl: one input of"
          + " TFLite's 8-bit ADD rescaled (left_shift 20, input multiplier and shift);"
          + " z in [-128, 255], xs in [-31, 31]",
      "vsadd acc0, v1, x11, x12, -3"),

  // ---------------------------------------------------------------- DMA
  DMA_CFG(
      "dma.cfg",
      0x70,
      CycleClass.DMA,
      Operands.of(
          Operands.xreg("xrows", Slot.S1),
          Operands.xreg("xbytes", Slot.S2),
          Operands.xreg("xdstride", Slot.S3),
          Operands.xreg("xsstride", Slot.S4)),
      scalar(),
      "set the shape of later transfers: rows of bytes each, row strides in DRAM and scratchpad",
      "dma.cfg x1, x2, x3, x4"),
  DMA_LD(
      "dma.ld",
      0x71,
      CycleClass.DMA,
      Operands.dma(),
      List.of(perByte(DRAM_BYTE, 1), perByte(SPAD_WRITE_BYTE, 1)),
      "queue a 2-D transfer DRAM[xdram..] -> spad[xspad..] on the ld queue",
      "dma.ld act, x5, x6"),
  DMA_ST(
      "dma.st",
      0x72,
      CycleClass.DMA,
      Operands.dma(),
      List.of(perByte(SPAD_READ_BYTE, 1), perByte(DRAM_BYTE, 1)),
      "queue a 2-D transfer spad[xspad..] -> DRAM[xdram..] on the st queue",
      "dma.st out, x5, x6"),
  DMA_WAIT(
      "dma.wait",
      0x73,
      WAIT,
      Operands.of(new Operand(OperandKind.QUEUE, Slot.S1, "queue"), Operands.uimm("n")),
      List.of(),
      "stall until at most n transfers of the queue are outstanding; the rest become visible",
      "dma.wait ld, 0");

  private static final Opcode[] BY_CODE = new Opcode[256];

  static {
    for (Opcode op : values()) {
      if (BY_CODE[op.code] != null) {
        throw new ExceptionInInitializerError(
            "opcode byte reused: " + op + " and " + BY_CODE[op.code]);
      }
      BY_CODE[op.code] = op;
    }
  }

  private final String mnemonic;
  private final int code;
  private final CycleClass cycleClass;
  private final List<Operand> operands;
  private final List<EnergyTerm> energy;
  private final String doc;
  private final String example;

  Opcode(
      String mnemonic,
      int code,
      CycleClass cycleClass,
      List<Operand> operands,
      List<EnergyTerm> energy,
      String doc,
      String example) {
    this.mnemonic = mnemonic;
    this.code = code;
    this.cycleClass = cycleClass;
    this.operands = operands;
    this.energy = energy;
    this.doc = doc;
    this.example = example;
  }

  public String mnemonic() {
    return mnemonic;
  }

  /** The opcode byte, bits 63..56 of the word. */
  public int code() {
    return code;
  }

  public CycleClass cycleClass() {
    return cycleClass;
  }

  /** Operands in assembly order. */
  public List<Operand> operands() {
    return operands;
  }

  /** Energy events per execution, in addition to one instruction fetch. */
  public List<EnergyTerm> energy() {
    return energy;
  }

  public String doc() {
    return doc;
  }

  /** An assembly line using this instruction, assembled by the round-trip tests. */
  public String example() {
    return example;
  }

  /** Assembly syntax, e.g. {@code add xd, xa, xb}. */
  public String syntax() {
    StringBuilder sb = new StringBuilder(mnemonic);
    for (int i = 0; i < operands.size(); i++) {
      sb.append(i == 0 ? " " : ", ").append(operands.get(i).name());
    }
    return sb.toString();
  }

  /** Bits of the word this opcode defines: the opcode byte and every operand field. */
  public long usedBits() {
    long m = Slot.OPCODE_MASK;
    for (Operand o : operands) {
      m |= o.slot().mask();
    }
    return m;
  }

  /** Word pattern with only the opcode byte set; see {@link #usedBits()}. */
  public long match() {
    return ((long) code) << Slot.OPCODE_SHIFT;
  }

  /** Index of the operand of this kind, or -1. */
  public int indexOf(OperandKind kind) {
    for (int i = 0; i < operands.size(); i++) {
      if (operands.get(i).kind() == kind) {
        return i;
      }
    }
    return -1;
  }

  /** True for branches, jumps and loops, whose immediate is a target. */
  public boolean hasTarget() {
    return indexOf(OperandKind.TARGET) >= 0;
  }

  /**
   * Scratchpad whose bytes this instruction reads or writes: its spad operand, or the parameter
   * scratchpad for {@link #VBIAS} and {@link #RQLD}; empty if it touches none.
   */
  public Optional<Scratchpad> fixedScratchpad() {
    return this == VBIAS || this == RQLD ? Optional.of(Scratchpad.PAR) : Optional.empty();
  }

  /** The opcode with this byte, or null. */
  public static Opcode byCode(int code) {
    return code >= 0 && code < 256 ? BY_CODE[code] : null;
  }

  private static List<EnergyTerm> scalar() {
    return List.of(perInstruction(SCALAR_OP, 1));
  }

  private static List<EnergyTerm> vload() {
    return List.of(perLane(SPAD_READ_BYTE, 1), perLane(REGISTER_BYTE, 1));
  }

  private static List<EnergyTerm> vstore() {
    return List.of(perLane(REGISTER_BYTE, 1), perLane(SPAD_WRITE_BYTE, 1));
  }
}
