package dev.npusim.kernels.codegen;

import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.isa.Program;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;

/**
 * A layer compiled for a target: the program, where everything lives in DRAM, and the constant
 * bytes (reordered weights, parameters, zero-point rows) to place at {@link MemoryPlan#constAddr}
 * before the run. The input goes at {@link MemoryPlan#inputAddr} as NHWC bytes; the output appears
 * at {@link MemoryPlan#outputAddr}.
 *
 * @param kernel which kernel the compiler chose
 * @param tiles how many tiles the layer was split into
 * @param plannedLoadBytes bytes the program moves from DRAM, as planned by the compiler
 * @param plannedStoreBytes bytes the program moves to DRAM
 */
public record CompiledLayer(
    QuantizedLayer layer,
    CompilerTarget target,
    Program program,
    MemoryPlan plan,
    ImmutableConstants constants,
    String kernel,
    int tiles,
    long plannedLoadBytes,
    long plannedStoreBytes) {

  /** The constant bytes; immutable (copied in and out). */
  public static final class ImmutableConstants {
    private final byte[] bytes;

    ImmutableConstants(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    public byte[] toByteArray() {
      return bytes.clone();
    }

    /** Hands the bytes to a sink without copying them (the sink must not keep or change them). */
    public void writeTo(ByteSink sink) {
      sink.write(bytes, 0, bytes.length);
    }

    public int length() {
      return bytes.length;
    }
  }

  static CompiledLayer of(
      QuantizedLayer layer,
      CompilerTarget target,
      Emitter e,
      int inputAddr,
      int outputAddr,
      DramImage constants,
      String kernel,
      int tiles) {
    byte[] c = constants.toByteArray();
    MemoryPlan plan =
        new MemoryPlan(
            inputAddr,
            (int) layer.input().elements(),
            outputAddr,
            (int) layer.output().elements(),
            constants.base(),
            c.length);
    return new CompiledLayer(
        layer,
        target,
        e.build(),
        plan,
        new ImmutableConstants(c),
        kernel,
        tiles,
        e.ldBytes,
        e.stBytes);
  }

  /** Receives bytes, e.g. to place them in a simulated DRAM. */
  public interface ByteSink {
    void write(byte[] bytes, int offset, int length);
  }

  /** The input tensor as the bytes the program expects (NHWC, two's complement or unsigned). */
  public byte[] encodeInput(ImmutableIntArray input) {
    return encodeInput(input.toArray());
  }

  /** See {@link #encodeInput(ImmutableIntArray)}. */
  public byte[] encodeInput(int[] input) {
    byte[] b = new byte[input.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) input[i];
    }
    return b;
  }

  /** The output bytes read back from DRAM as values of the output type. */
  public int[] decodeOutput(byte[] bytes) {
    int[] out = new int[bytes.length];
    boolean unsigned = layer.outputType() == DataType.UINT8;
    for (int i = 0; i < out.length; i++) {
      out[i] = unsigned ? bytes[i] & 0xFF : bytes[i];
    }
    return out;
  }
}
