package dev.npusim.cli.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.npusim.analysis.study.AnalysisResult;

/**
 * The JSON rendering: every figure of {@link AnalysisResult}. Non-finite numbers (an exact layer's
 * infinite SQNR) are written as the strings "Infinity", "-Infinity" and "NaN", since JSON has no
 * such numbers.
 */
public final class JsonReport {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private JsonReport() {}

  public static String render(AnalysisResult r) {
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the analysis", e);
    }
  }
}
