package dev.npusim.analysis.overflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The accumulator analysis of a set of layers.
 *
 * @param accBits the width asked about ({@code --acc-bits}), if any
 */
public record OverflowReport(
    ImmutableList<LayerReport> layers, Optional<AccumulatorWidth> accBits) {

  /**
   * The {@code --json} document of issue 10: {@code {"layers": [{"name", "min_safe_bits",
   * "observed_bits" (or null), "channels": [{"acc_min", "acc_max"}, ...]}, ...]}}, where the
   * extremes are exact (bias included) and {@code min_safe_bits} is the smallest two's-complement
   * width holding every channel's range.
   */
  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ArrayNode layerNodes = root.putArray("layers");
    for (LayerReport l : layers) {
      ObjectNode n = layerNodes.addObject();
      n.put("name", l.name());
      n.put("min_safe_bits", l.minSafeBits());
      if (l.observedBits().isPresent()) {
        n.put("observed_bits", l.observedBits().getAsInt());
      } else {
        n.putNull("observed_bits");
      }
      ArrayNode channels = n.putArray("channels");
      for (AccumulatorRange r : l.bound().ranges()) {
        ObjectNode c = channels.addObject();
        c.put("acc_min", r.accMin());
        c.put("acc_max", r.accMax());
      }
    }
    return root;
  }

  /** {@link #toJson()} as indented text, ending in a newline. */
  public String toJsonText() {
    try {
      return new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(toJson())
          + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
