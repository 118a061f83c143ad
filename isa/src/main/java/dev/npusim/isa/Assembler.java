package dev.npusim.isa;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two-pass assembler for the text syntax printed by {@link Opcode#syntax()}.
 *
 * <pre>
 * # comment (also ';' and '//')
 * .equ ROW, 96          # named constant; usable in any immediate
 * top:                  # label: names the next instruction
 *     li   x1, ROW*2
 *     loop x1, end      # labels or instruction indices as targets
 *     vld.s8 v1, act, x5, 32
 * end: halt
 * </pre>
 *
 * Immediates are expressions of integers (decimal, 0x hex, 0b binary), constants, + - * / (integer
 * division, truncating) and parentheses. Every error is reported as {@code file:line:col: reason}.
 */
public final class Assembler {
  private static final Map<String, Opcode> BY_MNEMONIC = new HashMap<>();

  static {
    for (Opcode op : Opcode.values()) {
      BY_MNEMONIC.put(op.mnemonic(), op);
    }
  }

  private final String file;
  private final Map<String, Integer> labels = new LinkedHashMap<>();
  private final Map<String, Long> constants = new HashMap<>();

  private Assembler(String file) {
    this.file = file;
  }

  /** Assembles source text; {@code file} is used in error messages only. */
  public static Program assemble(String source, String file) throws AsmException {
    return new Assembler(file).run(source);
  }

  /** A statement: the text after labels, with its position. */
  private record Statement(int line, int column, String text) {}

  private Program run(String source) throws AsmException {
    String[] lines = source.split("\r?\n", -1);
    List<Statement> statements = new ArrayList<>();
    // Pass 1: labels and constants, so targets may refer forward.
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String text = stripComment(lines[i]);
      int pos = skipSpace(text, 0);
      while (true) {
        int end = scanIdentifier(text, pos);
        int after = skipSpace(text, end);
        if (end > pos && after < text.length() && text.charAt(after) == ':') {
          String name = text.substring(pos, end);
          if (labels.containsKey(name)) {
            throw error(lineNo, pos, "label '" + name + "' is already defined");
          }
          if (BY_MNEMONIC.containsKey(name) || registerLike(name)) {
            throw error(lineNo, pos, "'" + name + "' cannot be a label: it is a reserved name");
          }
          labels.put(name, statements.size());
          pos = skipSpace(text, after + 1);
        } else {
          break;
        }
      }
      if (pos >= text.length()) {
        continue;
      }
      if (text.startsWith(".equ", pos)) {
        defineConstant(lineNo, text, pos);
        continue;
      }
      statements.add(new Statement(lineNo, pos, text.substring(pos)));
    }
    // Pass 2: instructions.
    List<Instruction> out = new ArrayList<>(statements.size());
    for (Statement s : statements) {
      out.add(parseInstruction(s));
    }
    Map<Integer, String> names = new TreeMap<>();
    labels.forEach((name, pc) -> names.putIfAbsent(pc, name));
    for (int pc = 0; pc < out.size(); pc++) {
      String why = Program.checkTarget(out.get(pc), pc, out.size());
      if (why != null) {
        Statement s = statements.get(pc);
        throw error(s.line(), s.column(), why);
      }
    }
    try {
      return Program.of(out, names);
    } catch (ProgramException e) {
      throw new AssertionError("targets were checked above", e);
    }
  }

  private void defineConstant(int lineNo, String text, int pos) throws AsmException {
    int p = skipSpace(text, pos + 4);
    int end = scanIdentifier(text, p);
    if (end == p) {
      throw error(lineNo, p, "expected a constant name after .equ");
    }
    String name = text.substring(p, end);
    p = skipSpace(text, end);
    if (p >= text.length() || text.charAt(p) != ',') {
      throw error(lineNo, p, "expected ',' after the constant name");
    }
    p = skipSpace(text, p + 1);
    if (constants.containsKey(name) || labels.containsKey(name)) {
      throw error(lineNo, pos, "'" + name + "' is already defined");
    }
    constants.put(name, new ExpressionParser(lineNo, text, p, false).parseAll());
  }

  private Instruction parseInstruction(Statement s) throws AsmException {
    String text = s.text();
    int end = 0;
    while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
      end++;
    }
    String mnemonic = text.substring(0, end);
    Opcode op = BY_MNEMONIC.get(mnemonic);
    if (op == null) {
      Opcode lower = BY_MNEMONIC.get(mnemonic.toLowerCase(Locale.ROOT));
      throw error(
          s.line(),
          s.column(),
          "unknown mnemonic '"
              + mnemonic
              + "'"
              + (lower != null ? " (mnemonics are lower case: '" + lower.mnemonic() + "')" : ""));
    }
    List<int[]> spans = splitOperands(text, end, s.line(), s.column());
    List<Operand> spec = op.operands();
    if (spans.size() != spec.size()) {
      int col = spans.size() > spec.size() ? spans.get(spec.size())[0] : text.length();
      throw error(
          s.line(),
          s.column() + col,
          op.mnemonic()
              + " takes "
              + spec.size()
              + " operand(s): "
              + op.syntax()
              + "; got "
              + spans.size());
    }
    int[] values = new int[spec.size()];
    for (int i = 0; i < spec.size(); i++) {
      int[] span = spans.get(i);
      String token = text.substring(span[0], span[1]);
      values[i] = parseOperand(spec.get(i), token, s.line(), s.column() + span[0]);
    }
    return Instruction.of(op, values);
  }

  /**
   * Operand spans [start, end) after the mnemonic, split on commas outside parentheses and trimmed.
   * Unbalanced parentheses are reported here, where they are, rather than as a wrong operand count
   * (issue 12).
   */
  private List<int[]> splitOperands(String text, int from, int line, int column)
      throws AsmException {
    List<int[]> spans = new ArrayList<>();
    int p = skipSpace(text, from);
    if (p >= text.length()) {
      return spans;
    }
    int start = p;
    int depth = 0;
    int outermostOpen = -1;
    for (int i = p; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ',';
      if (c == '(') {
        if (depth == 0) {
          outermostOpen = i;
        }
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth < 0) {
          throw error(line, column + i, "unbalanced ')': no '(' before it");
        }
      }
      if (i == text.length() && depth > 0) {
        throw error(line, column + outermostOpen, "unbalanced '(': no ')' closes it");
      }
      if (c == ',' && depth == 0) {
        int a = skipSpace(text, start);
        int b = i;
        while (b > a && Character.isWhitespace(text.charAt(b - 1))) {
          b--;
        }
        spans.add(new int[] {a, b});
        start = i + 1;
      }
    }
    return spans;
  }

  private int parseOperand(Operand operand, String token, int line, int col) throws AsmException {
    OperandKind kind = operand.kind();
    if (token.isEmpty()) {
      throw error(line, col, "expected " + kind.describe() + " for " + operand.name());
    }
    switch (kind) {
      case XREG, VREG, VREG4, AREG -> {
        int n = registerNumber(kind.prefix(), token);
        if (kind == OperandKind.XREG && token.equals("zero")) {
          n = 0;
        }
        if (n < 0) {
          throw error(line, col, "expected " + kind.describe() + ", got '" + token + "'");
        }
        String why = kind.check(n);
        if (why != null) {
          throw error(
              line,
              col,
              kind == OperandKind.VREG4
                  ? why
                  : "expected " + kind.describe() + ", got '" + token + "'");
        }
        return n;
      }
      case SPAD -> {
        for (Scratchpad sp : Scratchpad.values()) {
          if (sp.asmName().equals(token)) {
            return sp.ordinal();
          }
        }
        throw error(line, col, "expected " + kind.describe() + ", got '" + token + "'");
      }
      case QUEUE -> {
        for (DmaQueue q : DmaQueue.values()) {
          if (q.asmName().equals(token)) {
            return q.ordinal();
          }
        }
        throw error(line, col, "expected " + kind.describe() + ", got '" + token + "'");
      }
      case CSR, CSR_W -> {
        for (Csr c : Csr.values()) {
          if (c.asmName().equals(token)) {
            String why = kind.check(c.number());
            if (why != null) {
              throw error(line, col, why);
            }
            return c.number();
          }
        }
        throw error(line, col, "expected " + kind.describe() + ", got '" + token + "'");
      }
      case IMM, UIMM, SHAMT, TARGET -> {
        long v = new ExpressionParser(line, token, 0, kind == OperandKind.TARGET, col).parseAll();
        long lo =
            switch (kind) {
              case IMM -> Integer.MIN_VALUE;
              default -> 0;
            };
        long hi =
            switch (kind) {
              case IMM -> 0xFFFF_FFFFL; // hex patterns such as 0xFFFFFFFF read as -1
              case SHAMT -> 31;
              default -> Integer.MAX_VALUE;
            };
        if (v < lo || v > hi) {
          String what = kind == OperandKind.IMM ? "immediate" : kind.describe();
          throw error(
              line,
              col,
              what + " " + v + " out of range [" + lo + ", " + hi + "] for " + operand.name());
        }
        return (int) v;
      }
    }
    throw new AssertionError(kind);
  }

  /** Register number for "prefix<n>" with n decimal and no leading zeros, or -1. */
  private static int registerNumber(String prefix, String token) {
    if (!token.startsWith(prefix) || token.length() == prefix.length()) {
      return -1;
    }
    String digits = token.substring(prefix.length());
    if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 3) {
      return -1;
    }
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      return -1;
    }
    return Integer.parseInt(digits);
  }

  private static boolean registerLike(String name) {
    return registerNumber("x", name) >= 0
        || registerNumber("v", name) >= 0
        || registerNumber("acc", name) >= 0;
  }

  private static String stripComment(String line) {
    int cut = line.length();
    int hash = line.indexOf('#');
    int semi = line.indexOf(';');
    int slashes = line.indexOf("//");
    for (int c : new int[] {hash, semi, slashes}) {
      if (c >= 0 && c < cut) {
        cut = c;
      }
    }
    return line.substring(0, cut);
  }

  private static int skipSpace(String s, int p) {
    while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
      p++;
    }
    return p;
  }

  private static int scanIdentifier(String s, int p) {
    if (p >= s.length() || !(Character.isLetter(s.charAt(p)) || s.charAt(p) == '_')) {
      return p;
    }
    int q = p + 1;
    while (q < s.length()
        && (Character.isLetterOrDigit(s.charAt(q)) || s.charAt(q) == '_' || s.charAt(q) == '.')) {
      q++;
    }
    return q;
  }

  private AsmException error(int line, int col0, String reason) {
    return new AsmException(file, line, col0 + 1, reason);
  }

  /**
   * Deepest nesting of parentheses and unary minus in an expression. The parser is recursive; a
   * bound keeps a hostile '(' * 5000 a located error instead of a StackOverflowError (issue 12),
   * and no real immediate comes near it.
   */
  public static final int MAX_EXPRESSION_DEPTH = 64;

  /** Recursive-descent parser for immediates: expr := term (('+'|'-') term)*. */
  private final class ExpressionParser {
    private final int line;
    private final String s;
    private final boolean labelsAllowed;
    private final int columnBase;
    private int p;
    private int depth;

    ExpressionParser(int line, String s, int start, boolean labelsAllowed) {
      this(line, s, start, labelsAllowed, 0);
    }

    ExpressionParser(int line, String s, int start, boolean labelsAllowed, int columnBase) {
      this.line = line;
      this.s = s;
      this.p = start;
      this.labelsAllowed = labelsAllowed;
      this.columnBase = columnBase;
    }

    long parseAll() throws AsmException {
      long v = expr();
      p = skipSpace(s, p);
      if (p < s.length()) {
        throw error(line, columnBase + p, "unexpected '" + s.substring(p) + "' in expression");
      }
      return v;
    }

    private long expr() throws AsmException {
      long v = term();
      while (true) {
        p = skipSpace(s, p);
        if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
          char op = s.charAt(p++);
          long r = term();
          v = op == '+' ? v + r : v - r;
          checkMagnitude(v);
        } else {
          return v;
        }
      }
    }

    private long term() throws AsmException {
      long v = factor();
      while (true) {
        p = skipSpace(s, p);
        if (p < s.length() && (s.charAt(p) == '*' || s.charAt(p) == '/')) {
          char op = s.charAt(p);
          int at = p++;
          long r = factor();
          if (op == '/' && r == 0) {
            throw error(line, columnBase + at, "division by zero");
          }
          v = op == '*' ? v * r : v / r;
          checkMagnitude(v);
        } else {
          return v;
        }
      }
    }

    private long factor() throws AsmException {
      p = skipSpace(s, p);
      if (p >= s.length()) {
        throw error(line, columnBase + p, "expected a number");
      }
      char c = s.charAt(p);
      if (c == '-' || c == '(') {
        if (depth == MAX_EXPRESSION_DEPTH) {
          throw error(
              line,
              columnBase + p,
              "expression nested deeper than " + MAX_EXPRESSION_DEPTH + " levels");
        }
        depth++;
        long v;
        if (c == '-') {
          p++;
          v = -factor();
        } else {
          p++;
          v = expr();
          p = skipSpace(s, p);
          if (p >= s.length() || s.charAt(p) != ')') {
            throw error(line, columnBase + p, "expected ')'");
          }
          p++;
        }
        depth--;
        return v;
      }
      if (Character.isDigit(c)) {
        return number();
      }
      int start = p;
      int end = scanIdentifier(s, p);
      if (end == p) {
        throw error(line, columnBase + p, "expected a number, got '" + s.substring(p) + "'");
      }
      String name = s.substring(start, end);
      p = end;
      if (labelsAllowed && labels.containsKey(name)) {
        return labels.get(name);
      }
      Long k = constants.get(name);
      if (k != null) {
        return k;
      }
      if (labels.containsKey(name)) {
        throw error(
            line, columnBase + start, "'" + name + "' is a label; a number is expected here");
      }
      if (registerLike(name)) {
        throw error(line, columnBase + start, "expected a number, got register '" + name + "'");
      }
      throw error(
          line,
          columnBase + start,
          (labelsAllowed ? "undefined label '" : "undefined constant '") + name + "'");
    }

    private long number() throws AsmException {
      int start = p;
      int radix = 10;
      if (s.startsWith("0x", p) || s.startsWith("0X", p)) {
        radix = 16;
        p += 2;
      } else if (s.startsWith("0b", p) || s.startsWith("0B", p)) {
        radix = 2;
        p += 2;
      }
      int digits = p;
      while (p < s.length() && (Character.digit(s.charAt(p), radix) >= 0 || s.charAt(p) == '_')) {
        p++;
      }
      if (p < s.length() && Character.isLetterOrDigit(s.charAt(p))) {
        throw error(line, columnBase + start, "malformed number '" + token(start) + "'");
      }
      String body = s.substring(digits, p).replace("_", "");
      if (body.isEmpty() || body.length() > 20) {
        throw error(line, columnBase + start, "malformed number '" + token(start) + "'");
      }
      long v;
      try {
        v = Long.parseLong(body, radix);
      } catch (NumberFormatException e) {
        throw error(line, columnBase + start, "number '" + token(start) + "' is too large");
      }
      checkMagnitude(v);
      return v;
    }

    private String token(int start) {
      int e = start;
      while (e < s.length() && (Character.isLetterOrDigit(s.charAt(e)) || s.charAt(e) == '_')) {
        e++;
      }
      return s.substring(start, e);
    }

    private void checkMagnitude(long v) throws AsmException {
      if (Math.abs(v) > (1L << 40)) {
        throw error(line, columnBase + p, "value " + v + " does not fit in 32 bits");
      }
    }
  }
}
