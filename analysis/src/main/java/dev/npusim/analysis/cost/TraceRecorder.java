package dev.npusim.analysis.cost;

import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.isa.DmaQueue;
import dev.npusim.isa.Instruction;
import dev.npusim.isa.Opcode;
import dev.npusim.isa.Scratchpad;
import dev.npusim.simulator.Machine;
import dev.npusim.simulator.MachineConfig;
import dev.npusim.simulator.RunResult;

/**
 * Records one run's activity per engine for a trace viewer, compactly: the issue slot as
 * back-to-back busy intervals merged into one slice, stalls as their own slices by cause, and every
 * DMA transfer on its queue.
 *
 * <p>Where a stall sits follows the simulator: an instruction's interval is its stall (waiting on
 * {@code dma.wait}, a full queue or a bank conflict) followed by its issue cycles ({@link
 * MachineConfig#issueCycles}); the drain at halt comes after the last instruction. So the busy
 * slices add up to cycles minus stalls, and each queue's slices to its busy cycles.
 */
public final class TraceRecorder implements Machine.Timeline {
  /** Why the issue slot waited. */
  public enum Stall {
    DMA_WAIT_LD("stall: dma.wait ld"),
    DMA_WAIT_ST("stall: dma.wait st"),
    QUEUE_FULL("stall: dma queue full"),
    BANK_CONFLICT("stall: bank conflict"),
    DRAIN("stall: dma drain at halt");

    private final String label;

    Stall(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * A finished recording, cycles relative to the start of the run.
   *
   * @param busy pairs of [start, end) of the issue slot's busy slices
   * @param stalls triples of start, end, {@link Stall} ordinal
   * @param transfers sextuples of queue ordinal, scratchpad ordinal, start, end, bytes, pc
   */
  public record Recording(
      ImmutableLongArray busy, ImmutableLongArray stalls, ImmutableLongArray transfers) {}

  private final MachineConfig config;
  private final ImmutableLongArray.Builder busy = ImmutableLongArray.builder();
  private final ImmutableLongArray.Builder stalls = ImmutableLongArray.builder();
  private final ImmutableLongArray.Builder transfers = ImmutableLongArray.builder();
  private long busyStart = -1;
  private long busyEnd = -1;

  public TraceRecorder(MachineConfig config) {
    this.config = config;
  }

  @Override
  public void dmaTransfer(
      DmaQueue queue, Scratchpad spad, int pc, long start, long end, long bytes) {
    transfers.add(queue.ordinal()).add(spad.ordinal()).add(start).add(end).add(bytes).add(pc);
  }

  @Override
  public void instruction(int pc, Instruction insn, long start, long cycles) {
    Opcode op = insn.opcode();
    long stall = cycles - config.issueCycles(op);
    if (stall > 0) {
      closeBusy();
      stalls.add(start).add(start + stall).add(cause(insn).ordinal());
    }
    long s = start + Math.max(0, stall);
    long e = start + cycles;
    if (e > s) {
      if (busyEnd == s) {
        busyEnd = e;
      } else {
        closeBusy();
        busyStart = s;
        busyEnd = e;
      }
    }
  }

  private static Stall cause(Instruction insn) {
    return switch (insn.opcode()) {
      case DMA_WAIT ->
          insn.operand(0) == DmaQueue.LD.ordinal() ? Stall.DMA_WAIT_LD : Stall.DMA_WAIT_ST;
      case DMA_LD, DMA_ST -> Stall.QUEUE_FULL;
      default -> Stall.BANK_CONFLICT;
    };
  }

  private void closeBusy() {
    if (busyEnd > busyStart) {
      busy.add(busyStart).add(busyEnd);
    }
    busyStart = -1;
    busyEnd = -1;
  }

  /** Closes the recording once the run has ended, adding the drain at halt. */
  public Recording finish(RunResult run) {
    closeBusy();
    long drain = run.stalls().dmaDrain();
    if (drain > 0) {
      stalls.add(run.cycles() - drain).add(run.cycles()).add(Stall.DRAIN.ordinal());
    }
    return new Recording(busy.build(), stalls.build(), transfers.build());
  }
}
