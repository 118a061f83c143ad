package dev.npusim.golden.export;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.layout.CaseLayout;
import dev.npusim.isa.Program;
import dev.npusim.isa.io.OutputFiles;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.kernels.codegen.MemoryPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Vectors for an RTL testbench, in files Verilog's {@code $readmemh} loads:
 *
 * <ul>
 *   <li>{@code program.hex}: one 64-bit instruction word per line, pc 0 first (when there is a
 *       program);
 *   <li>{@code dram.hex}: the DRAM image before the run, {@code @address} records in words of the
 *       chosen width (little-endian within a word);
 *   <li>{@code expected.hex}: the golden output region, same word width, addressed at the output
 *       region's DRAM address (when there is an expected output);
 *   <li>{@code manifest.json}: what each file holds, widths, addresses and sizes.
 * </ul>
 *
 * One entry per source: {@link #forCase} (a case by the kernel ABI, with an optional kernel that
 * obeys it), {@link #forCompiled} (a case compiled by npusim's own compiler, in that compiler's
 * DRAM layout) and {@link #forProgram} (a program and an optional DRAM image).
 */
public final class ReadmemhExport {
  private final String source;
  private final Program program;
  private final byte[] dram;
  private final int outputAddress;
  private final byte[] expected;
  private final int wordBytes;

  private ReadmemhExport(
      String source,
      Program program,
      byte[] dram,
      int outputAddress,
      byte[] expected,
      int wordBytes) {
    checkNotNull(source, "source");
    checkNotNull(dram, "dram");
    checkArgument(
        wordBytes == 1 || wordBytes == 2 || wordBytes == 4 || wordBytes == 8,
        "word width must be 1, 2, 4 or 8 bytes (8 to 64 bits), got %s bytes",
        wordBytes);
    checkArgument(
        expected == null || outputAddress % wordBytes == 0,
        "output address 0x%s is not aligned to the %s-byte word",
        Integer.toHexString(outputAddress),
        wordBytes);
    this.source = source;
    this.program = program;
    this.dram = dram;
    this.outputAddress = outputAddress;
    this.expected = expected;
    this.wordBytes = wordBytes;
  }

  /**
   * A case laid out by the kernel ABI ({@link CaseLayout}).
   *
   * @param kernel a program that obeys the ABI, or null for data only
   */
  public static ReadmemhExport forCase(GoldenCase c, Program kernel, int wordBytes) {
    CaseLayout layout = CaseLayout.of(c);
    return new ReadmemhExport(
        "case " + c.name() + " (kernel ABI layout)",
        kernel,
        layout.image(),
        layout.output().address(),
        layout.expectedOutput(),
        wordBytes);
  }

  /**
   * A case compiled by npusim's compiler: its program, and its DRAM image (input, and the
   * compiler's reordered constants at {@link MemoryPlan#constAddr}). Input and output sit where the
   * kernel ABI puts them.
   */
  public static ReadmemhExport forCompiled(CompiledLayer compiled, GoldenCase c, int wordBytes) {
    MemoryPlan plan = compiled.plan();
    byte[] image = new byte[(int) plan.dramBytes()];
    byte[] input = compiled.encodeInput(c.input());
    System.arraycopy(input, 0, image, plan.inputAddr(), input.length);
    compiled
        .constants()
        .writeTo((b, off, len) -> System.arraycopy(b, off, image, plan.constAddr(), len));
    byte[] expected = compiled.encodeInput(c.expectedOutput());
    return new ReadmemhExport(
        "case " + c.name() + " compiled (" + compiled.kernel() + ")",
        compiled.program(),
        image,
        plan.outputAddr(),
        expected,
        wordBytes);
  }

  /**
   * A program alone.
   *
   * @param dram the DRAM image to load before the run (may be empty)
   */
  public static ReadmemhExport forProgram(
      String name, Program program, byte[] dram, int wordBytes) {
    checkNotNull(program, "program");
    return new ReadmemhExport(name, program, dram.clone(), 0, null, wordBytes);
  }

  /** The file names this export writes, in order. */
  public List<String> files() {
    List<String> f = new ArrayList<>();
    if (program != null) {
      f.add("program.hex");
    }
    f.add("dram.hex");
    if (expected != null) {
      f.add("expected.hex");
    }
    f.add("manifest.json");
    return f;
  }

  public String programHex() {
    checkArgument(program != null, "no program to export");
    return Readmemh.words64(program.encode());
  }

  public String dramHex() {
    return Readmemh.image(dram, 0, wordBytes);
  }

  public String expectedHex() {
    checkArgument(expected != null, "no expected output to export");
    return Readmemh.image(expected, outputAddress, wordBytes);
  }

  public String manifestJson() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("format", "npusim.readmemh.v1");
    root.put("source", source);
    root.put("byte_order", "little-endian within a word");
    ObjectNode files = root.putObject("files");
    if (program != null) {
      ObjectNode p = files.putObject("program.hex");
      p.put("word_bits", 64);
      p.put("words", program.size());
      p.put("addressing", "one instruction per line, pc 0 first");
    }
    ObjectNode d = files.putObject("dram.hex");
    d.put("word_bits", 8 * wordBytes);
    d.put("bytes", dram.length);
    d.put("words", (dram.length + wordBytes - 1) / wordBytes);
    d.put("addressing", "@ records are word addresses (byte address / " + wordBytes + ")");
    d.put("zero_words", "omitted; clear the memory before $readmemh");
    if (expected != null) {
      ObjectNode e = files.putObject("expected.hex");
      e.put("word_bits", 8 * wordBytes);
      e.put("byte_address", outputAddress);
      e.put("word_address", outputAddress / wordBytes);
      e.put("bytes", expected.length);
      e.put(
          "compare",
          "the DRAM output region after the run, bytes ["
              + outputAddress
              + ", "
              + ((long) outputAddress + expected.length)
              + ")");
    }
    try {
      return mapper.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** Writes every file of {@link #files()} into {@code directory}, each whole or not at all. */
  public List<Path> writeTo(Path directory) throws IOException {
    List<Path> written = new ArrayList<>();
    for (String name : files()) {
      String text =
          switch (name) {
            case "program.hex" -> programHex();
            case "dram.hex" -> dramHex();
            case "expected.hex" -> expectedHex();
            default -> manifestJson();
          };
      Path p = directory.resolve(name);
      OutputFiles.write(p, text);
      written.add(p);
    }
    return written;
  }
}
