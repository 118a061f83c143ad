package dev.npusim.kernels.codegen;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import dev.npusim.isa.Program;
import dev.npusim.kernels.DataType;

/**
 * A pooling or ADD layer compiled for a target: the program, where its tensors live in DRAM, and
 * the constant bytes to place at {@link #constAddr} before the run. Each input goes at its address
 * in {@link #inputAddrs} as NHWC bytes (one input for pooling, two for ADD); the output appears at
 * {@link #outputAddr}. The counterpart of {@link CompiledLayer} for layers without weights.
 *
 * @param kernel which kernel the compiler chose
 * @param tiles how many tiles the layer was split into
 * @param plannedLoadBytes bytes the program moves from DRAM, as planned by the compiler
 * @param plannedStoreBytes bytes the program moves to DRAM
 */
public record CompiledOperator(
    Program program,
    DataType type,
    ImmutableList<Integer> inputAddrs,
    ImmutableList<Integer> inputBytes,
    int outputAddr,
    int outputBytes,
    int constAddr,
    CompiledLayer.ImmutableConstants constants,
    String kernel,
    int tiles,
    long plannedLoadBytes,
    long plannedStoreBytes) {

  public CompiledOperator {
    checkArgument(!inputAddrs.isEmpty(), "at least one input");
    checkArgument(
        inputBytes.size() == inputAddrs.size(),
        "%s input sizes for %s inputs",
        inputBytes.size(),
        inputAddrs.size());
    checkArgument(
        inputBytes.stream().allMatch(b -> b > 0) && outputBytes > 0, "tensors must be non-empty");
  }

  /** DRAM bytes the layer needs: the end of its highest region. */
  public long dramBytes() {
    long end = Math.max((long) outputAddr + outputBytes, (long) constAddr + constants.length());
    for (int i = 0; i < inputAddrs.size(); i++) {
      end = Math.max(end, (long) inputAddrs.get(i) + inputBytes.get(i));
    }
    return end;
  }

  /**
   * Input {@code input}'s values as the bytes the program expects (two's complement or unsigned).
   */
  public byte[] encodeInput(int input, int[] values) {
    checkArgument(
        values.length == inputBytes.get(input),
        "input %s has %s values, expected %s",
        input + 1,
        values.length,
        inputBytes.get(input));
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** The output bytes read back from DRAM as values of the layer's type. */
  public int[] decodeOutput(byte[] bytes) {
    int[] out = new int[bytes.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = type == DataType.UINT8 ? bytes[i] & 0xFF : bytes[i];
    }
    return out;
  }

  static CompiledOperator of(
      Emitter e,
      DataType type,
      ImmutableList<Integer> inputAddrs,
      ImmutableList<Integer> inputBytes,
      int outputAddr,
      int outputBytes,
      DramImage constants,
      String kernel,
      int tiles) {
    return new CompiledOperator(
        e.build(),
        type,
        inputAddrs,
        inputBytes,
        outputAddr,
        outputBytes,
        constants.base(),
        new CompiledLayer.ImmutableConstants(constants.toByteArray()),
        kernel,
        tiles,
        e.ldBytes,
        e.stBytes);
  }
}
