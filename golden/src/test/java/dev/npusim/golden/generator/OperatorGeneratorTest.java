package dev.npusim.golden.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npusim.golden.cases.AddCase;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.CaseWriter;
import dev.npusim.golden.cases.OperatorCase;
import dev.npusim.golden.cases.PoolCase;
import dev.npusim.golden.cases.SoftmaxCase;
import dev.npusim.golden.generator.CaseSpec.Activation;
import dev.npusim.golden.generator.CaseSpec.Distribution;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.PoolLayer;
import dev.npusim.kernels.TensorShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated pooling, ADD and softmax cases: deterministic in the seed, valid for every combination
 * of the generator's ranges (the record constructors check them), written and read back unchanged.
 */
class OperatorGeneratorTest {

  static List<OperatorCase> sample() {
    List<OperatorCase> cases = new ArrayList<>();
    long seed = 1;
    for (PoolLayer.Kind kind : PoolLayer.Kind.values()) {
      for (DataType type : DataType.values()) {
        for (Padding padding :
            List.of(Padding.same(), Padding.valid(), Padding.explicit(1, 2, 0, 1))) {
          for (Distribution d : Distribution.values()) {
            Activation a = Activation.values()[(int) (seed % 3)];
            PoolSpec spec =
                new PoolSpec(kind, type, new TensorShape(1, 7, 6, 5), 3, 2, 2, 1, padding, d, a);
            cases.add(CaseGenerator.generate(spec, seed++));
          }
        }
      }
    }
    for (DataType type : DataType.values()) {
      for (AddSpec.Scales scales : AddSpec.Scales.values()) {
        for (Distribution d : Distribution.values()) {
          Activation a = Activation.values()[(int) (seed % 3)];
          cases.add(
              CaseGenerator.generate(
                  new AddSpec(type, new TensorShape(2, 3, 3, 7), d, scales, a), seed++));
        }
      }
    }
    for (SoftmaxSpec.Scales scales : SoftmaxSpec.Scales.values()) {
      for (Distribution d : Distribution.values()) {
        cases.add(
            CaseGenerator.generate(
                new SoftmaxSpec(new TensorShape(1, 2, 3, 10), d, scales, 1.0f), seed++));
        cases.add(
            CaseGenerator.generate(
                new SoftmaxSpec(new TensorShape(1, 1, 1, 33), d, scales, 0.5f), seed++));
      }
    }
    return cases;
  }

  @Test
  void everyGeneratedCaseRoundTrips() throws Exception {
    for (OperatorCase c : sample()) {
      String json = CaseWriter.toJson(c);
      assertEquals(c, CaseReader.readOperator(c.name(), json), json);
    }
  }

  @Test
  void writtenFilesReadBack(@TempDir Path dir) throws Exception {
    for (OperatorCase c : sample().subList(0, 5)) {
      Path file = CaseWriter.writeInto(c, dir);
      assertEquals(c, CaseReader.readOperator(file));
    }
  }

  @Test
  void theSeedFixesTheCase() {
    AddSpec spec =
        new AddSpec(
            DataType.INT8,
            new TensorShape(1, 4, 4, 8),
            Distribution.UNIFORM,
            AddSpec.Scales.WIDE,
            Activation.NONE);
    assertEquals(CaseGenerator.generate(spec, 5), CaseGenerator.generate(spec, 5));
    assertNotEquals(CaseGenerator.generate(spec, 5), CaseGenerator.generate(spec, 6));
    assertEquals("add-tflite-int8-seed5", CaseGenerator.generate(spec, 5).name());
  }

  @Test
  void extremeDataIsExtreme() {
    PoolCase max =
        CaseGenerator.generate(
            new PoolSpec(
                PoolLayer.Kind.MAX,
                DataType.UINT8,
                new TensorShape(1, 4, 4, 3),
                2,
                2,
                2,
                2,
                Padding.valid(),
                Distribution.ALL_MAX,
                Activation.NONE),
            1);
    assertTrue(max.input().stream().allMatch(v -> v == 255));
    assertTrue(max.expectedOutput().stream().allMatch(v -> v == 255));
    SoftmaxCase flat =
        CaseGenerator.generate(
            new SoftmaxSpec(
                new TensorShape(1, 1, 1, 4), Distribution.ALL_MIN, SoftmaxSpec.Scales.WIDE, 1f),
            1);
    // Four equal logits: 1/4 each, 64/256, whatever the scale: -128 + 64.
    assertTrue(flat.expectedOutput().stream().allMatch(v -> v == -64), flat.toString());
  }

  @Test
  void wideAddScalesReachBothEndsOfTheShifts() {
    int minShift = 0;
    int maxShift = -31;
    for (int seed = 0; seed < 200; seed++) {
      AddCase c =
          CaseGenerator.generate(
              new AddSpec(
                  DataType.INT8,
                  new TensorShape(1, 1, 1, 1),
                  Distribution.UNIFORM,
                  AddSpec.Scales.WIDE,
                  Activation.NONE),
              seed);
      minShift = Math.min(minShift, Math.min(c.layer().input2Shift(), c.layer().outputShift()));
      maxShift = Math.max(maxShift, c.layer().outputShift());
    }
    assertTrue(minShift <= -25, "smallest shift " + minShift);
    assertTrue(maxShift >= -3, "largest output shift " + maxShift);
  }

  @Test
  void impossibleSpecsAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new PoolSpec(
                    PoolLayer.Kind.AVERAGE,
                    DataType.INT8,
                    new TensorShape(1, 2, 2, 1),
                    3,
                    3,
                    1,
                    1,
                    Padding.valid(),
                    Distribution.UNIFORM,
                    Activation.NONE));
    assertTrue(e.getMessage().contains("exceeds padded input"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SoftmaxSpec(
                    new TensorShape(1, 1, 1, 4),
                    Distribution.UNIFORM,
                    SoftmaxSpec.Scales.TYPICAL,
                    100f));
    assertTrue(e.getMessage().contains("use beta in (2^-20, 64)"), e.getMessage());
  }
}
