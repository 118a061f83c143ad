package dev.npusim.simulator;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.isa.Csr;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Operand;
import dev.npusim.isa.OperandKind;
import dev.npusim.isa.Program;
import dev.npusim.isa.ProgramException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A program can never crash or hang the simulator: random valid programs either halt or stop with a
 * typed {@link SimulationFault}; nothing else may escape (no index exception, no arithmetic
 * exception, no endless run).
 */
class RandomProgramProperties {
  private static final Opcode[] OPCODES = Opcode.values();

  /** Operand values biased so that many accesses land in range and many programs do real work. */
  static int operand(OperandKind kind, Random r, int pc, int length, int lanes) {
    return switch (kind) {
      case XREG, VREG -> r.nextInt(32);
      case VREG4 -> r.nextInt(29);
      case AREG -> r.nextInt(8);
      case SPAD -> r.nextInt(4);
      case QUEUE -> r.nextInt(2);
      case CSR -> Csr.values()[r.nextInt(Csr.values().length)].number();
      case CSR_W -> {
        Csr c;
        do {
          c = Csr.values()[r.nextInt(Csr.values().length)];
        } while (!c.writable());
        yield c.number();
      }
      case IMM ->
          switch (r.nextInt(4)) {
            case 0 -> r.nextInt();
            case 1 -> r.nextInt(64) - 16;
            case 2 -> r.nextInt(4096);
            default -> r.nextInt(9) - 4;
          };
      case UIMM ->
          r.nextInt(4) == 0 ? r.nextInt(Integer.MAX_VALUE) : r.nextInt(Math.max(1, lanes / 4));
      case SHAMT -> r.nextInt(32);
      case TARGET -> r.nextInt(length);
    };
  }

  static Program randomProgram(long seed, int lanes) {
    Random r = new Random(seed);
    int length = 2 + r.nextInt(40);
    List<Instruction> insns = new ArrayList<>();
    for (int pc = 0; pc < length; pc++) {
      Opcode op = OPCODES[r.nextInt(OPCODES.length)];
      if (op == Opcode.HALT && r.nextInt(4) != 0) {
        op = Opcode.NOP; // keep programs running for a while
      }
      List<Operand> spec = op.operands();
      int[] values = new int[spec.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = operand(spec.get(i).kind(), r, pc, length, lanes);
      }
      if (op == Opcode.LOOP) {
        values[1] = pc + 2 + r.nextInt(Math.max(1, length - pc - 1));
        if (values[1] > length) {
          op = Opcode.NOP;
          values = new int[0];
        }
      }
      insns.add(Instruction.of(op, values));
    }
    try {
      return Program.of(insns);
    } catch (ProgramException e) {
      throw new AssertionError("generator made an invalid program: " + e.getMessage(), e);
    }
  }

  @Test
  void randomProgramsHaltOrFaultWithAType() {
    MachineConfig cfg = MachineConfig.defaults().withLanes(8).withDram(1 << 16);
    Machine machine = new Machine(cfg);
    qt().withExamples(3_000)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Program p = randomProgram(seed, cfg.lanes());
              try {
                machine.run(p, 20_000);
              } catch (SimulationFault expected) {
                // typed fault: fine
              } catch (RuntimeException bug) {
                throw new AssertionError("simulator threw " + bug + " on\n" + p, bug);
              }
            });
  }

  @Test
  void tracedRunsBehaveLikeFastRuns() {
    MachineConfig cfg = MachineConfig.defaults().withLanes(8).withDram(1 << 16);
    Machine fast = new Machine(cfg);
    Machine traced = new Machine(cfg);
    qt().withExamples(500)
        .forAll(integers().all())
        .checkAssert(
            seed -> {
              Program p = randomProgram(seed, cfg.lanes());
              String a = outcome(fast, p, null);
              String b = outcome(traced, p, new StringBuilder());
              org.junit.jupiter.api.Assertions.assertEquals(a, b, p.toString());
            });
  }

  private static String outcome(Machine m, Program p, StringBuilder trace) {
    m.clearDram();
    try {
      RunResult r = m.run(p, 5_000, trace, null);
      return "halt steps="
          + r.steps()
          + " cycles="
          + r.cycles()
          + " macs="
          + r.macs()
          + " ovf="
          + r.accumulatorOverflows()
          + " sat="
          + r.outputSaturations()
          + " x="
          + java.util.Arrays.toString(java.util.stream.IntStream.range(0, 32).map(m::x).toArray())
          + " acc0="
          + java.util.Arrays.toString(m.acc(0))
          + " out="
          + java.util.Arrays.hashCode(m.scratchpad(dev.npusim.isa.Scratchpad.OUT))
          + " dram="
          + java.util.Arrays.hashCode(m.readDram(0, 1 << 16));
    } catch (SimulationFault f) {
      return "fault " + f.getMessage() + " steps=" + f.steps();
    }
  }
}
