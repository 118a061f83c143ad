package dev.npusim.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.npusim.isa.Assembler;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.isa.Csr.RoundingMode;
import dev.npusim.isa.Program;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The datapath against exact models written with BigInteger / BigDecimal from the definitions in
 * case-format.md, over the whole int32 range (and the int8 range where that is the domain).
 */
class DatapathProperties {
  static final BigInteger TWO_30 = BigInteger.ONE.shiftLeft(30);
  static final BigInteger TWO_31 = BigInteger.ONE.shiftLeft(31);

  /** Integers biased toward the edges where rounding and saturation live. */
  static Gen<Integer> int32() {
    return integers()
        .all()
        .mix(
            Generate.pick(
                Arrays.asList(
                    Integer.MIN_VALUE,
                    Integer.MIN_VALUE + 1,
                    -1,
                    0,
                    1,
                    Integer.MAX_VALUE,
                    1 << 30,
                    -(1 << 30),
                    (1 << 30) + 1)),
            20);
  }

  /** floor(a*b/2^31 + 1/2): TFLite's nudge rounds half up; INT_MIN^2 saturates. */
  static int srdhmModel(int a, int b) {
    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
      return Integer.MAX_VALUE;
    }
    BigInteger p = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).add(TWO_30);
    return floorDiv(p, TWO_31).intValueExact();
  }

  static BigInteger floorDiv(BigInteger n, BigInteger d) {
    BigInteger[] qr = n.divideAndRemainder(d);
    return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
  }

  static int divModel(int x, int e, java.math.RoundingMode mode) {
    BigDecimal q = new BigDecimal(x).divide(new BigDecimal(BigInteger.ONE.shiftLeft(e)));
    return q.setScale(0, mode).intValueExact();
  }

  @Test
  void saturatingRoundingDoublingHighMul() {
    qt().withExamples(100_000)
        .forAll(int32(), int32())
        .checkAssert(
            (a, b) ->
                assertEquals(
                    srdhmModel(a, b),
                    Datapath.saturatingRoundingDoublingHighMul(a, b),
                    a + "*" + b));
  }

  @Test
  void divideByPowerOfTwoInEveryMode() {
    qt().withExamples(100_000)
        .forAll(int32(), integers().between(0, 31))
        .checkAssert(
            (x, e) -> {
              assertEquals(
                  divModel(x, e, java.math.RoundingMode.HALF_UP), // half away from zero
                  Datapath.roundingDivideByPowerOfTwo(x, e));
              assertEquals(
                  divModel(x, e, java.math.RoundingMode.HALF_EVEN),
                  Datapath.roundingDivideByPowerOfTwoHalfEven(x, e));
              assertEquals(
                  divModel(x, e, java.math.RoundingMode.FLOOR),
                  Datapath.truncatingDivideByPowerOfTwo(x, e));
            });
  }

  @Test
  void multiplyByQuantizedMultiplier() {
    Gen<Integer> multipliers =
        integers().between(1 << 30, Integer.MAX_VALUE).mix(Generate.constant(0), 5);
    qt().withExamples(100_000)
        .forAll(int32(), multipliers, integers().between(-31, 31))
        .checkAssert(
            (x, m, shift) -> {
              int left = Math.max(shift, 0);
              int right = Math.max(-shift, 0);
              int shifted = BigInteger.valueOf(x).shiftLeft(left).intValue(); // low 32 bits: wraps
              int expected =
                  divModel(srdhmModel(shifted, m), right, java.math.RoundingMode.HALF_UP);
              assertEquals(
                  expected,
                  Datapath.multiplyByQuantizedMultiplier(x, m, shift, RoundingMode.TFLITE),
                  x + " " + m + " " + shift);
            });
  }

  @Test
  void requantizeFloat32() {
    Gen<Float> scales =
        integers().between(1, 0x7f7fffff).map(Float::intBitsToFloat); // all positive finite floats
    qt().withExamples(100_000)
        .forAll(int32(), scales)
        .checkAssert(
            (acc, scale) -> {
              // float(acc) * scale is exact in double; one rounding to float32 follows.
              double exact = (double) (float) (int) acc * (double) scale;
              float product = (float) exact;
              // An infinite float32 product (scales near Float.MAX_VALUE) is beyond any bound.
              double finite = Float.isInfinite(product) ? Math.signum(product) * 0x1p40 : product;
              BigDecimal rounded =
                  new BigDecimal(finite).setScale(0, java.math.RoundingMode.HALF_EVEN);
              // Clamped to [-2^31, 2^31] before conversion (ONNX Runtime clamps in float).
              BigDecimal high = BigDecimal.valueOf(1L << 31);
              BigDecimal low = high.negate();
              long expected =
                  rounded.compareTo(high) > 0
                      ? 1L << 31
                      : rounded.compareTo(low) < 0 ? -(1L << 31) : rounded.longValue();
              assertEquals(expected, Datapath.requantizeFloat32(acc, scale));
            });
  }

  @Test
  void wrapAndSaturate() {
    qt().withExamples(50_000)
        .forAll(
            integers().between(-(1 << 30), 1 << 30).map(i -> (long) i * 12345L),
            integers().between(16, 48))
        .checkAssert(
            (v, bits) -> {
              BigInteger mod = BigInteger.ONE.shiftLeft(bits);
              BigInteger half = BigInteger.ONE.shiftLeft(bits - 1);
              BigInteger w = BigInteger.valueOf(v).add(half).mod(mod).subtract(half);
              assertEquals(w.longValueExact(), Datapath.wrap(v, bits));
              long max = half.longValueExact() - 1;
              long min = -half.longValueExact();
              assertEquals(Math.max(min, Math.min(max, v)), Datapath.saturate(v, bits));
            });
  }

  /**
   * Overflow is counted exactly when the exact sum leaves the configured width, in both modes: a
   * bias followed by a run of lane-wise MACs, against a BigInteger model of the accumulator.
   */
  @Test
  void overflowIsCountedExactlyAtEveryWidth() throws Exception {
    Program program =
        Assembler.assemble(
            """
            li   x1, 1
            li   x2, 4096
            dma.cfg x1, x2, x0, x0
            dma.ld act, x0, x0
            li   x3, 0x1000
            li   x2, 16
            dma.cfg x1, x2, x0, x0
            dma.ld par, x0, x3
            dma.wait ld, 0
            csrwi zx, -128
            vbias acc0, x0
            li   x5, 0
            li   x6, 2048
            li   x7, 64
            loop x7, end
            vld.s8 v1, act, x5, 4
            vld.s8 v2, act, x6, 4
            vmac acc0, v1, v2
            end:
            halt
            """,
            "overflow.s");
    Gen<byte[]> data =
        integers()
            .between(0, Integer.MAX_VALUE)
            .map(
                seed -> {
                  byte[] b = new byte[4096 + 16];
                  new java.util.Random(seed).nextBytes(b);
                  return b;
                });
    qt().withExamples(300)
        .forAll(data, integers().between(16, 48), Generate.booleans(), integers().between(-30, 30))
        .checkAssert(
            (bytes, bits, saturate, biasExp) -> {
              MachineConfig cfg =
                  MachineConfig.defaults()
                      .withLanes(4)
                      .withDram(1 << 16)
                      .withAccumulator(
                          bits, saturate ? AccumulatorMode.SATURATE : AccumulatorMode.WRAP);
              Machine m = new Machine(cfg);
              byte[] act = Arrays.copyOf(bytes, 4096);
              int[] bias = new int[4];
              java.nio.ByteBuffer pb =
                  java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
              java.util.Random r = new java.util.Random(bytes[4096]);
              for (int l = 0; l < 4; l++) {
                // Biases from tiny to near the int32 limits.
                bias[l] =
                    (int)
                        Math.max(
                            Integer.MIN_VALUE,
                            Math.min(
                                Integer.MAX_VALUE,
                                (long) (r.nextGaussian() * Math.pow(2, Math.abs(biasExp)))));
                pb.putInt(bias[l]);
              }
              m.writeDram(0, act);
              m.writeDram(0x1000, pb.array());
              RunResult result;
              try {
                result = m.run(program, 100_000);
              } catch (SimulationFault f) {
                throw new AssertionError(f.getMessage(), f);
              }
              BigInteger max = BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
              BigInteger min = BigInteger.ONE.shiftLeft(bits - 1).negate();
              long overflows = 0;
              long[] expected = new long[4];
              for (int l = 0; l < 4; l++) {
                BigInteger acc = BigInteger.valueOf(bias[l]);
                // bias load
                if (acc.compareTo(max) > 0 || acc.compareTo(min) < 0) {
                  overflows++;
                  acc = saturate ? (acc.signum() > 0 ? max : min) : wrapModel(acc, bits);
                }
                for (int i = 0; i < 64; i++) {
                  int x = act[4 * i + l] + 128;
                  int w = act[2048 + 4 * i + l];
                  acc = acc.add(BigInteger.valueOf((long) x * w));
                  if (acc.compareTo(max) > 0 || acc.compareTo(min) < 0) {
                    overflows++;
                    acc = saturate ? (acc.signum() > 0 ? max : min) : wrapModel(acc, bits);
                  }
                }
                expected[l] = acc.longValueExact();
              }
              assertEquals(Arrays.toString(expected), Arrays.toString(m.acc(0)));
              assertEquals(overflows, result.accumulatorOverflows());
            });
  }

  static BigInteger wrapModel(BigInteger v, int bits) {
    BigInteger mod = BigInteger.ONE.shiftLeft(bits);
    BigInteger half = BigInteger.ONE.shiftLeft(bits - 1);
    return v.add(half).mod(mod).subtract(half);
  }
}
