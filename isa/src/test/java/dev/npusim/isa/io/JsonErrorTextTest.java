package dev.npusim.isa.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The messages are Jackson 2.22's, copied from its output for the inputs named. */
class JsonErrorTextTest {
  @Test
  void nonNumericNumbersAreExplainedWithoutFeatureNames() {
    // {"a": NaN}
    assertEquals(
        "'NaN' is not a JSON number (JSON has no NaN or Infinity)",
        JsonErrorText.plain(
            "Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to"
                + " allow"));
  }

  @Test
  void plusSignsLoseTheAdvice() {
    // {"a": +1}
    assertEquals(
        "Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers"
            + " to have plus signs",
        JsonErrorText.plain(
            "Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow"
                + " numbers to have plus signs: enable"
                + " `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow"));
  }

  @Test
  void commentsAndTruncation() {
    // // c\n{}
    assertEquals(
        "unexpected '/': JSON has no comments",
        JsonErrorText.plain(
            "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not"
                + " recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)"));
    // {"a": 1
    assertEquals(
        "the text ends inside the object opened at line 1, column 1",
        JsonErrorText.plain(
            "Unexpected end-of-input: expected close marker for Object (start marker at [Source:"
                + " REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1,"
                + " column: 1])"));
  }

  @Test
  void plainMessagesPassThrough() {
    assertEquals("Duplicate field 'a'", JsonErrorText.plain("Duplicate field 'a'"));
    assertEquals("malformed JSON", JsonErrorText.plain(null));
  }
}
