package dev.npusim.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * Compares two commit logs ({@code docs/commit-log.md}) record by record and reports the first
 * divergence, with both sides' records and the instructions retired before it, the way an RTL core
 * is checked against Spike's commit log.
 *
 * <p>Compared: {@code pc}, {@code word}, the {@code writes} in order, and a final {@code fault}
 * record. Not compared unless asked: {@code cycle} and the DMA {@code start}/{@code complete}
 * cycles, because npusim's timing is a first-order model that an RTL need not match; and {@code
 * mnemonic}/{@code insn}, which follow from {@code word}.
 *
 * <pre>{@code
 * TraceDiff.Result r = TraceDiff.compare(Path.of("sim.jsonl"), Path.of("rtl.jsonl"), false);
 * System.out.print(r.render());            // exit 0 if r.agree(), 1 otherwise
 * }</pre>
 */
public final class TraceDiff {
  /** How many records before the divergence {@link Result#render} shows. */
  public static final int CONTEXT = 4;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TraceDiff() {}

  /**
   * The first divergence.
   *
   * @param index 0-based record index (= line number - 1 on both sides)
   * @param what which part differs, in words
   * @param a the record of the first log, or empty if it ended
   * @param b the record of the second log, or empty if it ended
   * @param before up to {@link #CONTEXT} records before it (equal on both sides, from the first)
   */
  public record Divergence(
      long index,
      String what,
      Optional<String> a,
      Optional<String> b,
      ImmutableList<String> before) {}

  /**
   * @param records records compared (equal ones, plus the divergent one if any)
   */
  public record Result(String nameA, String nameB, long records, Optional<Divergence> divergence) {
    public boolean agree() {
      return divergence.isEmpty();
    }

    /** What {@code trace-diff} prints. */
    public String render() {
      if (divergence.isEmpty()) {
        return String.format("%s and %s agree: %,d records%n", nameA, nameB, records);
      }
      Divergence d = divergence.get();
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              "first divergence at record %,d (line %d of both): %s%n",
              d.index() + 1, d.index() + 1, d.what()));
      if (!d.before().isEmpty()) {
        sb.append("after these agreeing records:\n");
        long first = d.index() - d.before().size();
        for (int i = 0; i < d.before().size(); i++) {
          sb.append(String.format("  %6d  %s%n", first + i + 1, summary(d.before().get(i))));
        }
      }
      sb.append(String.format("%s:%n  %s%n", nameA, d.a().orElse("(end of log)")));
      sb.append(String.format("%s:%n  %s%n", nameB, d.b().orElse("(end of log)")));
      return sb.toString();
    }
  }

  /**
   * Compares two commit log files.
   *
   * @param compareTiming also compare {@code cycle} and DMA {@code start}/{@code complete}
   * @throws TraceFormatException for a line that is not a commit record: {@code file:line: why}
   */
  public static Result compare(Path a, Path b, boolean compareTiming)
      throws IOException, TraceFormatException {
    try (BufferedReader ra = Files.newBufferedReader(a, StandardCharsets.UTF_8);
        BufferedReader rb = Files.newBufferedReader(b, StandardCharsets.UTF_8)) {
      return compare(a.toString(), ra, b.toString(), rb, compareTiming);
    }
  }

  /** As {@link #compare(Path, Path, boolean)}, on readers named for the messages. */
  public static Result compare(
      String nameA, BufferedReader a, String nameB, BufferedReader b, boolean compareTiming)
      throws IOException, TraceFormatException {
    Lines la = new Lines(nameA, a);
    Lines lb = new Lines(nameB, b);
    Deque<String> recent = new ArrayDeque<>();
    long index = 0;
    while (true) {
      String textA = la.next();
      String textB = lb.next();
      if (textA == null && textB == null) {
        return new Result(nameA, nameB, index, Optional.empty());
      }
      JsonNode na = textA == null ? null : la.parse(textA);
      JsonNode nb = textB == null ? null : lb.parse(textB);
      String what;
      if (na == null) {
        what = nameA + " ends after " + index + " records, " + nameB + " goes on";
      } else if (nb == null) {
        what = nameB + " ends after " + index + " records, " + nameA + " goes on";
      } else {
        what = difference(normalize(na, compareTiming), normalize(nb, compareTiming));
      }
      if (what != null) {
        return new Result(
            nameA,
            nameB,
            index + 1,
            Optional.of(
                new Divergence(
                    index,
                    what,
                    Optional.ofNullable(textA),
                    Optional.ofNullable(textB),
                    ImmutableList.copyOf(recent))));
      }
      recent.addLast(textA);
      if (recent.size() > CONTEXT) {
        recent.removeFirst();
      }
      index++;
    }
  }

  /** The record with the fields that are not compared removed. */
  private static JsonNode normalize(JsonNode n, boolean compareTiming) {
    ObjectNode o = ((ObjectNode) n).deepCopy();
    o.remove("mnemonic");
    o.remove("insn");
    if (!compareTiming) {
      o.remove("cycle");
      JsonNode writes = o.get("writes");
      if (writes != null) {
        for (JsonNode w : writes) {
          if (w instanceof ObjectNode wo) {
            wo.remove("start");
            wo.remove("complete");
          }
        }
      }
    }
    if (o.has("fault")) {
      // The reason text is npusim's own wording; the kind and the pc are what an RTL reports.
      o.remove("reason");
      o.remove("retired");
    }
    return o;
  }

  /** What differs between two normalized records, or null. */
  private static String difference(JsonNode a, JsonNode b) {
    if (a.equals(b)) {
      return null;
    }
    if (a.has("fault") != b.has("fault")) {
      return a.has("fault") ? "the first log faults here" : "the second log faults here";
    }
    for (String key : new String[] {"fault", "pc", "word", "cycle"}) {
      if (!a.path(key).equals(b.path(key))) {
        return key + " " + a.path(key) + " vs " + b.path(key);
      }
    }
    JsonNode wa = a.path("writes");
    JsonNode wb = b.path("writes");
    int n = Math.max(wa.size(), wb.size());
    for (int i = 0; i < n; i++) {
      JsonNode x = wa.path(i);
      JsonNode y = wb.path(i);
      if (!x.equals(y)) {
        if (x.isMissingNode()) {
          return "write " + (i + 1) + " only in the second log: " + y;
        }
        if (y.isMissingNode()) {
          return "write " + (i + 1) + " only in the first log: " + x;
        }
        return "write " + (i + 1) + " differs: " + x + " vs " + y;
      }
    }
    Iterator<String> names = a.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (!a.path(k).equals(b.path(k))) {
        return k + " " + a.path(k) + " vs " + b.path(k);
      }
    }
    return "fields differ";
  }

  private static String summary(String recordText) {
    try {
      JsonNode n = JSON.readTree(recordText);
      if (n.has("fault")) {
        return "fault " + n.path("fault").asText() + " at pc " + n.path("pc").asText();
      }
      return String.format(
          "pc %-6s %s", n.path("pc").asText(), n.path("insn").asText(n.path("word").asText()));
    } catch (JsonProcessingException e) {
      return recordText;
    }
  }

  /** Lines of one log, checked as they are read. */
  private static final class Lines {
    private final String name;
    private final BufferedReader reader;
    private long line;

    Lines(String name, BufferedReader reader) {
      this.name = name;
      this.reader = reader;
    }

    /** The next non-empty line, or null at the end. */
    String next() throws IOException {
      String s;
      do {
        s = reader.readLine();
        line++;
      } while (s != null && s.isBlank());
      return s;
    }

    JsonNode parse(String text) throws TraceFormatException {
      JsonNode n;
      try {
        n = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        String why = e.getOriginalMessage();
        boolean truncated = why != null && why.contains("end-of-input");
        throw new TraceFormatException(
            name
                + ":"
                + line
                + ": "
                + (truncated
                    ? "truncated record (the line ends inside the JSON object)"
                    : "not a JSON object: " + firstLine(why)));
      }
      if (n == null || !n.isObject()) {
        throw new TraceFormatException(name + ":" + line + ": expected a JSON object per line");
      }
      if (n.has("fault")) {
        require(n, "pc", true);
        return n;
      }
      require(n, "pc", true);
      require(n, "word", false);
      if (!n.path("writes").isArray()) {
        throw new TraceFormatException(name + ":" + line + ": record has no \"writes\" array");
      }
      for (JsonNode w : n.path("writes")) {
        if (!w.isObject() || !w.path("kind").isTextual()) {
          throw new TraceFormatException(
              name + ":" + line + ": every write must be an object with a \"kind\", got " + w);
        }
      }
      return n;
    }

    private void require(JsonNode n, String field, boolean integer) throws TraceFormatException {
      JsonNode f = n.get(field);
      if (f == null
          || (integer ? !f.canConvertToLong() || !f.isIntegralNumber() : !f.isTextual())) {
        throw new TraceFormatException(
            name
                + ":"
                + line
                + ": record has no "
                + (integer ? "integer" : "string")
                + " \""
                + field
                + "\"");
      }
    }

    private static String firstLine(String s) {
      if (s == null) {
        return "malformed";
      }
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    }
  }
}
