package dev.npusim.isa.io;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's syntax-error messages in the user's terms. Jackson suggests parser features to enable
 * ({@code enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow}) and prints redacted source
 * descriptions; a user of npusim cannot enable either, so this says what is wrong with the text
 * instead (issue 12). Depends on no JSON library: it rewrites the message string.
 */
public final class JsonErrorText {
  private static final Pattern NON_NUMERIC = Pattern.compile("Non-standard token '([^']*)'.*");
  private static final Pattern COMMENT =
      Pattern.compile("Unexpected character \\('/' \\(code 47\\)\\).*comment.*");
  private static final Pattern END_INSIDE =
      Pattern.compile(
          "Unexpected end-of-input: expected close marker for (Object|Array)"
              + " \\(start marker at .*line: (\\d+), column: (\\d+)\\]\\).*");
  private static final Pattern ENABLE = Pattern.compile("[:;,]?\\s*enable `[^`]*` to allow");
  private static final Pattern SOURCE = Pattern.compile("\\s*\\[Source: [^\\]]*\\]");
  private static final Pattern FEATURE = Pattern.compile("`[A-Za-z]+(?:\\.[A-Za-z_]+)+`");

  private JsonErrorText() {}

  /** {@code original} (Jackson's {@code getOriginalMessage()}) without parser-feature advice. */
  public static String plain(String original) {
    if (original == null || original.isBlank()) {
      return "malformed JSON";
    }
    String m = original.strip();
    Matcher nonNumeric = NON_NUMERIC.matcher(m);
    if (nonNumeric.matches()) {
      return "'" + nonNumeric.group(1) + "' is not a JSON number (JSON has no NaN or Infinity)";
    }
    if (COMMENT.matcher(m).matches()) {
      return "unexpected '/': JSON has no comments";
    }
    Matcher end = END_INSIDE.matcher(m);
    if (end.matches()) {
      return String.format(
          "the text ends inside the %s opened at line %s, column %s",
          end.group(1).equals("Object") ? "object" : "array", end.group(2), end.group(3));
    }
    m = ENABLE.matcher(m).replaceAll("");
    m = SOURCE.matcher(m).replaceAll("");
    m = FEATURE.matcher(m).replaceAll("a parser option");
    return m;
  }
}
