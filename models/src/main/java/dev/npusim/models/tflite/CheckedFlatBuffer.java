package dev.npusim.models.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Read access to a FlatBuffer in which every offset, vtable, vector and string is checked against
 * the buffer's bounds before it is followed, so that a damaged file gives a located {@link
 * ModelFormatException} instead of an {@code IndexOutOfBoundsException} or a garbage read.
 *
 * <p>The layout is the FlatBuffers binary format: a table starts with a signed 32-bit offset back
 * to its vtable; the vtable holds its own byte size, the table's inline size and one 16-bit offset
 * per field id (0 for an absent field); offsets to tables, vectors and strings are unsigned 32-bit
 * and relative to where they are stored; a vector is a 32-bit length followed by its elements.
 */
final class CheckedFlatBuffer {
  /** A table whose vtable has been checked; {@code where} names it in messages. */
  record Table(int position, int vtable, int vtableSize, int inlineSize, String where) {}

  /** A vector whose elements lie within the buffer. */
  record Vector(int start, int length, int elementSize) {
    int position(int i) {
      return start + i * elementSize;
    }
  }

  private static final int SIZEOF_INT = 4;
  private static final int SIZEOF_SHORT = 2;
  private static final int IDENTIFIER_LENGTH = 4;

  private final ByteBuffer bytes;
  private final String file;

  CheckedFlatBuffer(String file, byte[] data) {
    this.file = file;
    this.bytes = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  ModelFormatException error(String where, String message) {
    return new ModelFormatException(file, where.isEmpty() ? message : where + ": " + message);
  }

  int size() {
    return bytes.limit();
  }

  /** True if bytes 4..7 spell {@code identifier}; the caller has checked the size. */
  boolean hasIdentifier(String identifier) {
    byte[] expected = identifier.getBytes(StandardCharsets.US_ASCII);
    if (size() < SIZEOF_INT + IDENTIFIER_LENGTH || expected.length != IDENTIFIER_LENGTH) {
      return false;
    }
    for (int i = 0; i < IDENTIFIER_LENGTH; i++) {
      if (bytes.get(SIZEOF_INT + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  String identifierText() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < IDENTIFIER_LENGTH && 4 + i < size(); i++) {
      int b = bytes.get(4 + i) & 0xff;
      s.append(b >= 0x20 && b < 0x7f ? Character.toString(b) : String.format("\\x%02x", b));
    }
    return s.toString();
  }

  /** The root table, whose offset is the buffer's first word. */
  Table root(String where) {
    long offset = unsignedInt(0, where, "root offset");
    return table(offset, where);
  }

  private void require(long position, long length, String where, String what) {
    if (position < 0 || length < 0 || position + length > size()) {
      throw error(
          where,
          String.format(
              "%s at byte %d (%d bytes) lies past the end of the file (%d bytes)",
              what, position, length, size()));
    }
  }

  private long unsignedInt(long position, String where, String what) {
    require(position, SIZEOF_INT, where, what);
    return Integer.toUnsignedLong(bytes.getInt((int) position));
  }

  private Table table(long position, String where) {
    require(position, SIZEOF_INT, where, "table");
    long vtable = position - bytes.getInt((int) position);
    require(vtable, 2 * SIZEOF_SHORT, where, "vtable");
    int vtableSize = Short.toUnsignedInt(bytes.getShort((int) vtable));
    int inlineSize = Short.toUnsignedInt(bytes.getShort((int) vtable + 2));
    if (vtableSize < 4 || vtableSize % 2 != 0) {
      throw error(where, "vtable at byte " + vtable + " has invalid size " + vtableSize);
    }
    require(vtable, vtableSize, where, "vtable");
    require(position, inlineSize, where, "table");
    return new Table((int) position, (int) vtable, vtableSize, inlineSize, where);
  }

  /** Position of field {@code id}'s inline value, or -1 if absent; checked to hold {@code size}. */
  private int field(Table t, int id, int size, String name) {
    int slot = 4 + 2 * id;
    if (slot + 2 > t.vtableSize()) {
      return -1;
    }
    int offset = Short.toUnsignedInt(bytes.getShort(t.vtable() + slot));
    if (offset == 0) {
      return -1;
    }
    if (offset + size > t.inlineSize()) {
      throw error(t.where(), "field '" + name + "' lies outside its table");
    }
    return t.position() + offset;
  }

  byte byteField(Table t, int id, String name, byte missing) {
    int p = field(t, id, 1, name);
    return p < 0 ? missing : bytes.get(p);
  }

  boolean boolField(Table t, int id, String name) {
    return byteField(t, id, name, (byte) 0) != 0;
  }

  int intField(Table t, int id, String name, int missing) {
    int p = field(t, id, 4, name);
    return p < 0 ? missing : bytes.getInt(p);
  }

  long longField(Table t, int id, String name, long missing) {
    int p = field(t, id, 8, name);
    return p < 0 ? missing : bytes.getLong(p);
  }

  float floatField(Table t, int id, String name, float missing) {
    int p = field(t, id, 4, name);
    return p < 0 ? missing : bytes.getFloat(p);
  }

  private long target(Table t, int id, String name) {
    int p = field(t, id, 4, name);
    if (p < 0) {
      return -1;
    }
    return p + unsignedInt(p, t.where(), "offset of '" + name + "'");
  }

  /** The sub-table in field {@code id}, or null if absent. */
  Table tableField(Table t, int id, String name, String where) {
    long target = target(t, id, name);
    return target < 0 ? null : table(target, where);
  }

  /** The vector in field {@code id}, or null if absent. */
  Vector vectorField(Table t, int id, String name, int elementSize) {
    long target = target(t, id, name);
    return target < 0 ? null : vectorAt(target, t.where(), name, elementSize);
  }

  private Vector vectorAt(long position, String where, String name, int elementSize) {
    long length = unsignedInt(position, where, "length of '" + name + "'");
    require(position + 4, length * elementSize, where, "vector '" + name + "'");
    return new Vector((int) position + 4, (int) length, elementSize);
  }

  /** Element {@code i} of a vector of tables. */
  Table tableAt(Vector v, int i, String where) {
    long p = v.position(i);
    return table(p + unsignedInt(p, where, "table offset"), where);
  }

  String stringField(Table t, int id, String name) {
    long target = target(t, id, name);
    if (target < 0) {
      return null;
    }
    Vector v = vectorAt(target, t.where(), name, 1);
    byte[] text = new byte[v.length()];
    bytes.get(v.start(), text);
    return new String(text, StandardCharsets.UTF_8);
  }

  int[] ints(Vector v) {
    int[] out = new int[v.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.getInt(v.position(i));
    }
    return out;
  }

  long[] longs(Vector v) {
    long[] out = new long[v.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.getLong(v.position(i));
    }
    return out;
  }

  float[] floats(Vector v) {
    float[] out = new float[v.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.getFloat(v.position(i));
    }
    return out;
  }

  /** A copy of {@code length} bytes at {@code position}, checked against the bounds. */
  byte[] slice(long position, long length, String where, String what) {
    require(position, length, where, what);
    if (length > Integer.MAX_VALUE - 8) {
      throw error(where, what + " of " + length + " bytes is too large");
    }
    byte[] out = new byte[(int) length];
    bytes.get((int) position, out);
    return out;
  }
}
