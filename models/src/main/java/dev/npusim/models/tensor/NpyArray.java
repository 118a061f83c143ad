package dev.npusim.models.tensor;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.isa.io.InputFileException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array of int8 or float32 values in C order, read from the format's public
 * description (NEP 1, "A simple file format for NumPy arrays"): the magic {@code \x93NUMPY}, a
 * major and minor version byte, the header length (2 bytes little-endian in version 1, 4 bytes in
 * versions 2 and 3), then a Python dict literal with {@code descr}, {@code fortran_order} and
 * {@code shape}, then the data.
 *
 * @param type the element type
 * @param shape the dimensions, outermost first
 * @param ints the values if int8, else null
 * @param floats the values if float32 (each exactly as in the file, widened to double), else null
 */
public record NpyArray(
    Type type, ImmutableIntArray shape, ImmutableIntArray ints, ImmutableDoubleArray floats) {
  /** The element types read. */
  public enum Type {
    INT8("|i1"),
    FLOAT32("<f4");

    private final String descr;

    Type(String descr) {
      this.descr = descr;
    }

    /** NumPy's little-endian type string. */
    public String descr() {
      return descr;
    }
  }

  public NpyArray {
    checkArgument((ints == null) != (floats == null), "exactly one of ints and floats");
    checkArgument((type == Type.INT8) == (ints != null), "%s values", type);
  }

  public long elements() {
    long n = 1;
    for (int i = 0; i < shape.length(); i++) {
      n *= shape.get(i);
    }
    return n;
  }

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /**
   * Parses a whole {@code .npy} file.
   *
   * @param name the file name, for messages
   * @throws InputFileException naming the file and the header field or the size that is wrong
   */
  public static NpyArray parse(String name, byte[] bytes) throws InputFileException {
    if (bytes.length < 10) {
      throw new InputFileException(
          name + ": " + bytes.length + " bytes, too short for a .npy file");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new InputFileException(name + ": not a .npy file (no \\x93NUMPY magic)");
      }
    }
    int major = bytes[6];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength;
    int headerStart;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(b.getShort(8));
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new InputFileException(name + ": truncated .npy header");
      }
      headerLength = Integer.toUnsignedLong(b.getInt(8));
      headerStart = 12;
    } else {
      throw new InputFileException(
          name + ": .npy format version " + major + " (versions 1, 2 and 3 are read)");
    }
    if (headerStart + headerLength > bytes.length) {
      throw new InputFileException(
          name
              + ": header of "
              + headerLength
              + " bytes runs past the end of the "
              + bytes.length
              + "-byte file");
    }
    String header =
        new String(
            bytes,
            headerStart,
            (int) headerLength,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Type type = type(name, find(name, DESCR, header, "descr"));
    if (find(name, FORTRAN, header, "fortran_order").equals("True")) {
      throw new InputFileException(
          name + ": fortran_order is True; only C-order arrays are read (numpy.ascontiguousarray)");
    }
    ImmutableIntArray shape = shape(name, find(name, SHAPE, header, "shape"));
    long elements = 1;
    for (int i = 0; i < shape.length(); i++) {
      elements *= shape.get(i);
    }
    int dataStart = (int) (headerStart + headerLength);
    long elementBytes = type == Type.INT8 ? 1 : 4;
    long available = bytes.length - dataStart;
    if (available != elements * elementBytes) {
      throw new InputFileException(
          name
              + ": "
              + available
              + " bytes of data, shape "
              + shapeText(shape)
              + " of "
              + type.name().toLowerCase(java.util.Locale.ROOT)
              + " needs "
              + elements * elementBytes);
    }
    ByteBuffer data = b.position(dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (type == Type.INT8) {
      ImmutableIntArray.Builder v = ImmutableIntArray.builder((int) elements);
      for (int i = 0; i < elements; i++) {
        v.add(data.get(i));
      }
      return new NpyArray(type, shape, v.build(), null);
    }
    ImmutableDoubleArray.Builder v = ImmutableDoubleArray.builder((int) elements);
    for (int i = 0; i < elements; i++) {
      v.add(data.getFloat(4 * i));
    }
    return new NpyArray(type, shape, null, v.build());
  }

  private static String find(String name, Pattern p, String header, String field)
      throws InputFileException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new InputFileException(name + ": .npy header has no valid '" + field + "': " + header);
    }
    return m.group(1);
  }

  private static Type type(String name, String descr) throws InputFileException {
    return switch (descr) {
      case "|i1", "<i1", ">i1", "i1" -> Type.INT8;
      case "<f4" -> Type.FLOAT32;
      default ->
          throw new InputFileException(
              name
                  + ": dtype '"
                  + descr
                  + "' is not int8 ('|i1') or little-endian float32 ('<f4')");
    };
  }

  private static ImmutableIntArray shape(String name, String text) throws InputFileException {
    ImmutableIntArray.Builder dims = ImmutableIntArray.builder();
    long elements = 1;
    for (String part : text.split(",")) {
      String d = part.trim();
      if (d.isEmpty()) {
        continue;
      }
      int v;
      try {
        v = Integer.parseInt(d);
      } catch (NumberFormatException e) {
        throw new InputFileException(name + ": shape (" + text + "): '" + d + "' is not a size");
      }
      if (v < 0) {
        throw new InputFileException(name + ": shape (" + text + ") has a negative size");
      }
      elements *= v;
      if (elements > Integer.MAX_VALUE) {
        throw new InputFileException(name + ": shape (" + text + ") holds over 2^31 elements");
      }
      dims.add(v);
    }
    return dims.build();
  }

  /** The shape as NumPy prints it: {@code (1, 96, 96, 1)}, {@code (5,)}. */
  public static String shapeText(ImmutableIntArray shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length(); i++) {
      s.append(i > 0 ? ", " : "").append(shape.get(i));
    }
    return s.append(shape.length() == 1 ? ",)" : ")").toString();
  }
}
