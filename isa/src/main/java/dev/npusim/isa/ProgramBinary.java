package dev.npusim.isa;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code .bin} program format: the encoded words, each 8 bytes little-endian, nothing else. An
 * RTL testbench can load it with {@code $readmemh} after a hex dump.
 */
public final class ProgramBinary {
  private ProgramBinary() {}

  public static byte[] write(Program program) {
    long[] words = program.encode();
    ByteBuffer buf = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long w : words) {
      buf.putLong(w);
    }
    return buf.array();
  }

  /**
   * Decodes a binary image.
   *
   * @throws ProgramException naming the word index (the pc) and the reason
   */
  public static Program read(byte[] bytes) throws ProgramException {
    if (bytes.length % 8 != 0) {
      throw new ProgramException(
          bytes.length / 8,
          "file is " + bytes.length + " bytes, not a whole number of 8-byte instruction words");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Instruction> out = new ArrayList<>(bytes.length / 8);
    for (int pc = 0; pc < bytes.length / 8; pc++) {
      try {
        out.add(Encoding.decode(buf.getLong()));
      } catch (DecodeException e) {
        throw new ProgramException(pc, "illegal instruction " + e.getMessage());
      }
    }
    return Program.of(out);
  }
}
