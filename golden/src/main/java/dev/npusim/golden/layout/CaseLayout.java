package dev.npusim.golden.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.export.Readmemh;
import dev.npusim.isa.io.OutputFiles;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;
import dev.npusim.kernels.TensorShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A golden case laid out in DRAM by the kernel ABI ({@code docs/kernel-abi.md}): the input at
 * address 0 and the output right after it, as the compiler places them, then the filter in the
 * case's own layout and the per-channel parameters, one region each, every region on a 64-byte
 * boundary. Per-tensor parameters are expanded to one entry per output channel, so a kernel reads
 * channel {@code oc}'s values at the same offset whatever the case.
 *
 * <pre>{@code
 * CaseLayout layout = CaseLayout.of(goldenCase);
 * layout.checkFits(machine.dramSize(), "case.json");   // LayoutException if it does not
 * layout.writeTo(dir);                                  // dram.bin, dram.hex, layout.json
 * }</pre>
 */
public final class CaseLayout {
  /** Every region starts on this boundary: the compiler's {@code DramImage.ALIGNMENT}. */
  public static final int ALIGNMENT = 64;

  /** Value of the {@code format} field of {@code layout.json}. */
  public static final String FORMAT = "npusim.layout.v1";

  private final GoldenCase goldenCase;
  private final ImmutableList<Region> regions;
  private final byte[] image;

  private CaseLayout(GoldenCase goldenCase, ImmutableList<Region> regions, byte[] image) {
    this.goldenCase = goldenCase;
    this.regions = regions;
    this.image = image;
  }

  /** Lays a case out by the ABI. */
  public static CaseLayout of(GoldenCase c) {
    QuantizedLayer layer = c.layer();
    TensorShape in = layer.input();
    TensorShape out = layer.output();
    int oc = out.c();
    List<Region> regions = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    long[] next = {0};
    class Placer {
      void place(String name, String dtype, List<Integer> shape, byte[] bytes) {
        long at = aligned(next[0]);
        long end = at + bytes.length;
        if (end > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "case " + c.name() + ": region " + name + " would end past 2^31 bytes of DRAM");
        }
        regions.add(new Region(name, (int) at, bytes.length, dtype, ImmutableList.copyOf(shape)));
        contents.add(bytes);
        next[0] = end;
      }
    }
    Placer p = new Placer();
    p.place("input", layer.inputType().caseName(), dims(in), bytes(c.input().toArray()));
    p.place("output", layer.outputType().caseName(), dims(out), new byte[(int) out.elements()]);
    List<Integer> filterShape =
        switch (layer.kind()) {
          case CONV2D -> List.of(oc, layer.kernelH(), layer.kernelW(), in.c());
          case DEPTHWISE_CONV2D -> List.of(1, layer.kernelH(), layer.kernelW(), oc);
          case FULLY_CONNECTED -> List.of(oc, in.c());
        };
    p.place("filter", layer.filterType().caseName(), filterShape, bytes(layer.filter().toArray()));
    int[] bias = new int[oc];
    int[] multiplier = new int[oc];
    int[] shift = new int[oc];
    int[] zw = new int[oc];
    Requantization rq = layer.requant();
    for (int ch = 0; ch < oc; ch++) {
      bias[ch] = layer.biasOf(ch);
      zw[ch] = layer.filterZeroPoint(ch);
      if (rq instanceof Requantization.Q31 q) {
        multiplier[ch] = q.multiplier(ch);
        shift[ch] = q.shift(ch);
      } else {
        multiplier[ch] = Float.floatToRawIntBits(((Requantization.FloatScale) rq).scale(ch));
      }
    }
    boolean q31 = rq instanceof Requantization.Q31;
    p.place("bias", "int32", List.of(oc), int32s(bias));
    p.place(
        q31 ? "multiplier" : "scale", q31 ? "int32" : "float32", List.of(oc), int32s(multiplier));
    p.place("shift", "int32", List.of(oc), int32s(shift));
    p.place("filter_zero_point", layer.filterType().caseName(), List.of(oc), bytes(zw));
    byte[] image = new byte[(int) next[0]];
    for (int i = 0; i < regions.size(); i++) {
      byte[] b = contents.get(i);
      System.arraycopy(b, 0, image, regions.get(i).address(), b.length);
    }
    return new CaseLayout(c, ImmutableList.copyOf(regions), image);
  }

  public GoldenCase goldenCase() {
    return goldenCase;
  }

  /** Every region, in address order. */
  public ImmutableList<Region> regions() {
    return regions;
  }

  /** The region of this name. */
  public Optional<Region> region(String name) {
    return regions.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  public Region input() {
    return region("input").orElseThrow();
  }

  public Region output() {
    return region("output").orElseThrow();
  }

  /** Bytes of DRAM the layout needs: the end of its last region. */
  public int dramBytes() {
    return image.length;
  }

  /**
   * The DRAM image from address 0 to {@link #dramBytes()}: every region filled in, the output
   * region and the gaps zero. A copy.
   */
  public byte[] image() {
    return image.clone();
  }

  /** The expected output region: the case's expected output as bytes. */
  public byte[] expectedOutput() {
    return bytes(goldenCase.expectedOutput().toArray());
  }

  /**
   * @param file names the case in the message
   * @throws LayoutException if a machine with {@code dramBytes} of DRAM cannot hold the layout
   */
  public void checkFits(int dramBytes, String file) throws LayoutException {
    if (image.length > dramBytes) {
      Region last = regions.get(regions.size() - 1);
      Region largest = regions.stream().max((a, b) -> Integer.compare(a.bytes(), b.bytes())).get();
      throw new LayoutException(
          String.format(
              "%s: the kernel ABI layout needs %,d bytes of DRAM (its last region, %s, ends at"
                  + " 0x%x; the largest, %s, is %,d bytes), the machine has %,d",
              file,
              (long) image.length,
              last.name(),
              last.end(),
              largest.name(),
              largest.bytes(),
              (long) dramBytes));
    }
  }

  /** The content of {@code layout.json}. */
  public String layoutJson() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    QuantizedLayer l = goldenCase.layer();
    root.put("format", FORMAT);
    root.put("case", goldenCase.name());
    root.put("abi", "docs/kernel-abi.md");
    root.put("alignment", ALIGNMENT);
    root.put("dram_bytes", image.length);
    ObjectNode layer = root.putObject("layer");
    layer.put("op", l.kind().caseName());
    layer.put("semantics", l.semantics().caseName());
    layer.put("input_type", l.inputType().caseName());
    layer.put("filter_type", l.filterType().caseName());
    layer.put("output_type", l.outputType().caseName());
    layer.putArray("kernel").add(l.kernelH()).add(l.kernelW());
    layer.putArray("stride").add(l.strideH()).add(l.strideW());
    layer.putArray("dilation").add(l.dilationH()).add(l.dilationW());
    layer.putArray("padding").add(l.padTop()).add(l.padBottom()).add(l.padLeft()).add(l.padRight());
    layer.put("depth_multiplier", l.depthMultiplier());
    layer.put("has_bias", l.bias() != null);
    layer.put("per_channel", l.requant().size() > 1 || l.filterZeroPoints().length() > 1);
    // The control registers a kernel sets in its prologue (the ABI leaves them at reset).
    ObjectNode csr = root.putObject("csr");
    csr.put("zx", l.inputZeroPoint());
    csr.put("zo", l.outputZeroPoint());
    csr.put("amin", l.activationMin());
    csr.put("amax", l.activationMax());
    csr.put("otype", l.outputType() == DataType.UINT8 ? 1 : 0);
    csr.put("rqmode", l.requant() instanceof Requantization.FloatScale ? 1 : 0);
    ArrayNode rs = root.putArray("regions");
    for (Region r : regions) {
      ObjectNode o = rs.addObject();
      o.put("name", r.name());
      o.put("address", r.address());
      o.put("address_hex", String.format("0x%x", r.address()));
      o.put("bytes", r.bytes());
      o.put("dtype", r.dtype());
      ArrayNode shape = o.putArray("shape");
      r.shape().forEach(shape::add);
    }
    try {
      return mapper.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code dram.bin} (the image), {@code dram.hex} ({@code $readmemh}, 32-bit words) and
   * {@code layout.json} into {@code directory}, each whole or not at all.
   */
  public void writeTo(Path directory) throws IOException {
    writeTo(directory, 4);
  }

  /** As {@link #writeTo(Path)}, with {@code dram.hex} in words of {@code wordBytes} bytes. */
  public void writeTo(Path directory, int wordBytes) throws IOException {
    OutputFiles.write(directory.resolve("dram.bin"), image);
    OutputFiles.write(directory.resolve("dram.hex"), Readmemh.image(image, 0, wordBytes));
    OutputFiles.write(directory.resolve("layout.json"), layoutJson());
  }

  /** {@code a} rounded up to {@link #ALIGNMENT}. */
  static long aligned(long a) {
    return (a + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  private static List<Integer> dims(TensorShape s) {
    return List.of(s.n(), s.h(), s.w(), s.c());
  }

  private static byte[] bytes(int[] values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static byte[] int32s(int[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }
}
