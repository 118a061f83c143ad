package dev.npusim.golden.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npusim.golden.cases.CaseFormatException;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.quant.QuantizedMultiplier;
import org.junit.jupiter.api.Test;

/** Properties of the generator and of what it feeds the reader and writer. */
class CaseGeneratorProperties {

  /** Every generated case is a valid file: the writer's text reads back to the same case. */
  @Test
  void generatedCasesRoundTripThroughWriterAndReader() {
    qt().withExamples(300)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              try {
                assertEquals(c, CaseReader.read("generated.json", CaseWriter.toJson(c)));
              } catch (CaseFormatException e) {
                throw new AssertionError(e.getMessage(), e);
              }
            });
  }

  @Test
  void generationIsDeterministicInSpecAndSeed() {
    qt().withExamples(100)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) ->
                assertEquals(
                    CaseGenerator.generate(spec, seed), CaseGenerator.generate(spec, seed)));
  }

  /**
   * The reader rejects any single input value pushed outside its type, naming {@code
   * input.data[i]}.
   */
  @Test
  void readerRejectsAnyOutOfRangeInputValue() {
    ObjectMapper json = new ObjectMapper();
    qt().withExamples(200)
        .forAll(
            CaseSpecGen.specs(),
            longs().all(),
            integers().between(0, Integer.MAX_VALUE),
            integers().between(1, 1000))
        .checkAssert(
            (spec, seed, position, excess) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              int index = position % c.input().length();
              DataType type = c.layer().inputType();
              long bad = (excess % 2 == 0) ? type.max() + excess : type.min() - excess;
              String text;
              try {
                ObjectNode root = (ObjectNode) json.readTree(CaseWriter.toJson(c));
                ((ArrayNode) root.get("input").get("data")).set(index, bad);
                text = json.writeValueAsString(root);
              } catch (java.io.IOException e) {
                throw new AssertionError(e);
              }
              CaseFormatException e =
                  assertThrows(CaseFormatException.class, () -> CaseReader.read("bad.json", text));
              assertEquals("input.data[" + index + "]", e.field());
              assertTrue(e.detail().contains("value " + bad + " is outside " + type.caseName()));
            });
  }

  /**
   * {@code QuantizeMultiplier}'s one rounding is of {@code q * 2^31} with {@code q} in [0.5, 1), so
   * {@code |M * 2^(shift-31) - real| <= 0.5 * 2^(shift-31) <= real * 2^-31}.
   */
  @Test
  void quantizedMultiplierIsWithinHalfAnLsbOfTheRealValue() {
    qt().forAll(doubles().between(-31, 29.9))
        .checkAssert(
            exponent -> {
              double real = Math.pow(2, exponent);
              QuantizedMultiplier q = QuantizedMultiplier.of(real);
              assertTrue(q.multiplier() >= (1 << 30), q.toString());
              assertTrue(
                  Math.abs(q.realValue() - real) <= real * Math.scalb(1.0, -31), real + " -> " + q);
            });
  }
}
