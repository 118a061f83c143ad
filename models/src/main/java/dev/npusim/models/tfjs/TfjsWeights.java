package dev.npusim.models.tfjs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.npusim.isa.io.InputFileException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a TensorFlow.js weights manifest and its binary shards, by full name.
 *
 * <p>Format (MODEL.md): the manifest is a JSON array of groups {@code {paths, weights}}; a group's
 * binary is its {@code paths} concatenated, holding its {@code weights} back to back in manifest
 * order. Each weight has a {@code name}, a {@code shape}, a {@code dtype} and an optional {@code
 * quantization {dtype, scale, min}}:
 *
 * <ul>
 *   <li>quantized ({@code uint8}: 1 byte, {@code uint16}: 2 bytes little endian, per element):
 *       value {@code = q * scale + min}, computed in double; an {@code int32} tensor is then
 *       rounded to the nearest integer. (TensorFlow.js stores the dequantized value as float32,
 *       which differs by at most 2^-24 relative; the double keeps {@code (v - min) / scale} an
 *       exact integer, handy for studying the original 8-bit codes.)
 *   <li>unquantized {@code float32} / {@code int32}: 4 bytes little endian each (the SSD anchors
 *       {@code Output/extra_dim}).
 * </ul>
 *
 * <p>The sizes the manifest implies must add up to the binary's size exactly: a short or long
 * binary, or a manifest whose shapes do not match it, is rejected with one message naming the
 * files, the tensor and the byte counts.
 */
public final class TfjsWeights {

  /** How a tensor was quantized for storage. */
  public record Quantization(String dtype, double scale, double min) {}

  /**
   * One stored tensor.
   *
   * @param shape TensorFlow's shape as stored ({@code []} for a scalar)
   * @param dtype the logical type, {@code float32} or {@code int32}
   * @param quantization null for a tensor stored unquantized
   * @param values the dequantized values in row-major order (integers for int32)
   */
  public record WeightTensor(
      String name,
      ImmutableIntArray shape,
      String dtype,
      Quantization quantization,
      ImmutableDoubleArray values) {

    /** Shape as "[a, b, c]". */
    public String shapeText() {
      return shape.toString();
    }

    /** The values of an int32 tensor as ints. */
    public ImmutableIntArray ints() {
      if (!dtype.equals("int32")) {
        throw new IllegalStateException(name + " is " + dtype + ", not int32");
      }
      ImmutableIntArray.Builder b = ImmutableIntArray.builder(values.length());
      for (int i = 0; i < values.length(); i++) {
        b.add((int) values.get(i));
      }
      return b.build();
    }
  }

  private final String manifestName;
  private final ImmutableMap<String, WeightTensor> tensors;

  private TfjsWeights(String manifestName, ImmutableMap<String, WeightTensor> tensors) {
    this.manifestName = manifestName;
    this.tensors = tensors;
  }

  /** How the manifest was named when read (path or classpath location), for messages. */
  public String manifestName() {
    return manifestName;
  }

  /** Tensor names in storage order. */
  public ImmutableList<String> names() {
    return tensors.keySet().asList();
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** The tensor of this full name; a missing one is an error in the manifest. */
  public WeightTensor tensor(String name) throws InputFileException {
    WeightTensor t = tensors.get(name);
    if (t == null) {
      throw new InputFileException(manifestName + ": no tensor named '" + name + "'");
    }
    return t;
  }

  /** Reads a manifest and the binaries it names from the same source. */
  public static TfjsWeights read(ModelSource source, String manifestFile)
      throws InputFileException {
    String where = source.describe(manifestFile);
    JsonNode root;
    try (InputStream in = source.open(manifestFile)) {
      root = new ObjectMapper().readTree(in);
    } catch (JsonProcessingException e) {
      throw new InputFileException(
          where
              + ": not valid JSON: "
              + dev.npusim.isa.io.JsonErrorText.plain(e.getOriginalMessage()),
          e);
    } catch (InputFileException e) {
      throw e; // InputFiles' own message names the file and what it is
    } catch (IOException e) {
      throw new InputFileException(where + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isArray() || root.isEmpty()) {
      throw new InputFileException(where + ": expected a JSON array of weight groups");
    }
    Map<String, WeightTensor> all = new LinkedHashMap<>();
    for (int g = 0; g < root.size(); g++) {
      readGroup(source, where, root.get(g), "[" + g + "]", all);
    }
    return new TfjsWeights(where, ImmutableMap.copyOf(all));
  }

  /** One manifest entry before its bytes are read. */
  private record Entry(
      String name,
      int[] shape,
      String dtype,
      Quantization quantization,
      int elements,
      int bytesPerElement,
      String field) {
    long bytes() {
      return (long) elements * bytesPerElement;
    }

    String describe() {
      String type = quantization == null ? dtype : dtype + " stored as " + quantization.dtype();
      return "tensor '" + name + "' (" + type + " " + ImmutableIntArray.copyOf(shape) + ")";
    }
  }

  private static void readGroup(
      ModelSource source, String where, JsonNode group, String path, Map<String, WeightTensor> out)
      throws InputFileException {
    JsonNode paths = require(group, "paths", where, path);
    JsonNode weights = require(group, "weights", where, path);
    if (!paths.isArray() || paths.isEmpty()) {
      throw new InputFileException(where + ": " + path + ".paths must be a non-empty array");
    }
    if (!weights.isArray()) {
      throw new InputFileException(where + ": " + path + ".weights must be an array");
    }
    List<Entry> entries = new ArrayList<>();
    long expected = 0;
    for (int i = 0; i < weights.size(); i++) {
      Entry e = parseEntry(weights.get(i), where, path + ".weights[" + i + "]");
      if (out.containsKey(e.name()) || entries.stream().anyMatch(x -> x.name().equals(e.name()))) {
        throw new InputFileException(
            where + ": " + e.field() + ".name: tensor '" + e.name() + "' appears twice");
      }
      entries.add(e);
      expected += e.bytes();
    }
    List<String> files = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      if (!paths.get(i).isTextual()) {
        throw new InputFileException(where + ": " + path + ".paths[" + i + "] must be a string");
      }
      files.add(paths.get(i).asText());
    }
    String binName = String.join(" + ", files.stream().map(source::describe).toList());
    byte[] bin = readAll(source, files);
    checkSizes(where, binName, bin.length, expected, entries);
    ByteBuffer buf = ByteBuffer.wrap(bin).order(ByteOrder.LITTLE_ENDIAN);
    for (Entry e : entries) {
      out.put(e.name(), decode(e, buf));
    }
  }

  /** Checks the byte counts before decoding anything, so the message can name the culprit. */
  private static void checkSizes(
      String where, String binName, long actual, long expected, List<Entry> entries)
      throws InputFileException {
    if (actual == expected) {
      return;
    }
    if (actual > expected) {
      throw new InputFileException(
          String.format(
              "%s: %d bytes, but the %d tensors of %s take %d bytes: %d bytes after the last"
                  + " tensor%s are unaccounted for (oversized file or manifest shapes too small)",
              binName,
              actual,
              entries.size(),
              where,
              expected,
              actual - expected,
              entries.isEmpty() ? "" : " '" + entries.get(entries.size() - 1).name() + "'"));
    }
    long offset = 0;
    for (Entry e : entries) {
      if (offset + e.bytes() > actual) {
        throw new InputFileException(
            String.format(
                "%s: truncated: %s needs bytes %d..%d (%d bytes) but the file has %d bytes; %s"
                    + " expects %d bytes in total (%d missing)",
                binName,
                e.describe(),
                offset,
                offset + e.bytes(),
                e.bytes(),
                actual,
                where,
                expected,
                expected - actual));
      }
      offset += e.bytes();
    }
    throw new AssertionError("sizes differ but every tensor fits");
  }

  private static Entry parseEntry(JsonNode w, String where, String field)
      throws InputFileException {
    JsonNode nameNode = require(w, "name", where, field);
    if (!nameNode.isTextual() || nameNode.asText().isEmpty()) {
      throw new InputFileException(where + ": " + field + ".name must be a non-empty string");
    }
    String name = nameNode.asText();
    String at = where + ": " + field + " ('" + name + "')";
    JsonNode shapeNode = require(w, "shape", where, field);
    if (!shapeNode.isArray()) {
      throw new InputFileException(at + ".shape must be an array of integers");
    }
    int[] shape = new int[shapeNode.size()];
    long elements = 1;
    for (int d = 0; d < shape.length; d++) {
      JsonNode dim = shapeNode.get(d);
      if (!dim.isIntegralNumber() || dim.asLong() < 0 || dim.asLong() > Integer.MAX_VALUE) {
        throw new InputFileException(
            at + ".shape[" + d + "] = " + dim + " is not a non-negative integer");
      }
      shape[d] = dim.asInt();
      elements *= shape[d];
      if (elements > Integer.MAX_VALUE) {
        throw new InputFileException(at + ".shape " + shapeNode + " has too many elements");
      }
    }
    JsonNode dtypeNode = require(w, "dtype", where, field);
    String dtype = dtypeNode.asText();
    if (!dtype.equals("float32") && !dtype.equals("int32")) {
      throw new InputFileException(
          at + ".dtype: unsupported dtype '" + dtype + "' (supported: float32, int32)");
    }
    JsonNode q = w.get("quantization");
    if (q == null || q.isNull()) {
      return new Entry(name, shape, dtype, null, (int) elements, 4, field);
    }
    String qType = require(q, "dtype", where, field + ".quantization").asText();
    int qBytes =
        switch (qType) {
          case "uint8" -> 1;
          case "uint16" -> 2;
          default ->
              throw new InputFileException(
                  at
                      + ".quantization.dtype: unsupported dtype '"
                      + qType
                      + "' (supported: uint8, uint16)");
        };
    double scale = number(q, "scale", at + ".quantization");
    double min = number(q, "min", at + ".quantization");
    return new Entry(
        name, shape, dtype, new Quantization(qType, scale, min), (int) elements, qBytes, field);
  }

  private static WeightTensor decode(Entry e, ByteBuffer buf) {
    double[] v = new double[e.elements()];
    Quantization q = e.quantization();
    boolean isInt = e.dtype().equals("int32");
    boolean bytes = q != null && q.dtype().equals("uint8");
    for (int i = 0; i < v.length; i++) {
      double x;
      if (q == null) {
        // Not a ?: expression: that would promote the int to float and lose low bits.
        if (isInt) {
          x = buf.getInt();
        } else {
          x = buf.getFloat();
        }
      } else {
        int code = bytes ? buf.get() & 0xff : buf.getShort() & 0xffff;
        x = code * q.scale() + q.min();
        if (isInt) {
          x = Math.round(x);
        }
      }
      v[i] = x;
    }
    return new WeightTensor(
        e.name(),
        ImmutableIntArray.copyOf(e.shape()),
        e.dtype(),
        q,
        ImmutableDoubleArray.copyOf(v));
  }

  private static byte[] readAll(ModelSource source, List<String> files) throws InputFileException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String f : files) {
      try (InputStream in = source.open(f)) {
        in.transferTo(all);
      } catch (InputFileException e) {
        throw e;
      } catch (IOException e) {
        throw new InputFileException(source.describe(f) + ": cannot read: " + e.getMessage(), e);
      }
    }
    return all.toByteArray();
  }

  private static JsonNode require(JsonNode node, String key, String where, String path)
      throws InputFileException {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || v.isNull()) {
      throw new InputFileException(where + ": " + path + "." + key + " is missing");
    }
    return v;
  }

  private static double number(JsonNode node, String key, String at) throws InputFileException {
    JsonNode v = node.get(key);
    if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new InputFileException(at + "." + key + " must be a finite number, got " + v);
    }
    return v.asDouble();
  }
}
