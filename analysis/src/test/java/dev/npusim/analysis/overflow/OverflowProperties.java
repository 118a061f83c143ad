package dev.npusim.analysis.overflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.npusim.analysis.engine.LayerRunner;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.generator.CaseGenerator;
import dev.npusim.golden.generator.CaseSpecGen;
import dev.npusim.golden.reference.IntegerReference;
import dev.npusim.isa.Csr.AccumulatorMode;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.codegen.CompiledLayer;
import dev.npusim.simulator.MachineConfig;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bound against data, over random layers of every op and all three semantics (CaseSpecGen: any
 * padding, stride, dilation, depth multiplier, type mix, per-channel zero points and biases up to
 * the int32 limits). Accumulators come from the integer reference in {@code golden}, which shares
 * no code with {@link ExactBound}; overflow counts from the simulator are checked against {@link
 * NarrowAccumulatorModel}.
 */
class OverflowProperties {
  /** Small DRAM: the test layers are tiny, and every run allocates a fresh machine. */
  private static final MachineConfig MACHINE = MachineConfig.defaults().withDram(1 << 20);

  @Test
  void noInputExceedsTheBound() {
    qt().withExamples(300)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) -> {
              GoldenCase c = CaseGenerator.generate(spec, seed);
              QuantizedLayer layer = c.layer();
              LayerBound bound = ExactBound.of(layer);
              for (ImmutableIntArray input :
                  ImmutableList.of(c.input(), extremes(layer, new SplittableRandom(seed)))) {
                ImmutableLongArray acc = IntegerReference.accumulators(layer, input).exact();
                for (int i = 0; i < acc.length(); i++) {
                  AccumulatorRange r = bound.channels().get(i % layer.output().c()).range();
                  long v = acc.get(i);
                  assertTrue(
                      v >= r.accMin() && v <= r.accMax(),
                      "output " + i + ": accumulator " + v + " outside " + r);
                  assertTrue(AccumulatorRange.bitsFor(v) <= bound.minSafeBits());
                }
              }
            });
  }

  @Test
  void theWitnessOfEveryExtremeReachesItExactly() {
    qt().withExamples(300)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) -> {
              QuantizedLayer layer = CaseGenerator.generate(spec, seed).layer();
              LayerBound bound = ExactBound.of(layer);
              for (ChannelBound ch : bound.channels()) {
                for (Extreme e : ImmutableList.of(ch.min(), ch.max())) {
                  Witness w = Witness.reaching(layer, e);
                  long reached =
                      IntegerReference.accumulators(layer, w.input())
                          .exact()
                          .get(w.outputIndex(layer));
                  assertEquals(e.accumulator(), reached, e.describe());
                }
              }
              assertEquals(bound.minSafeBits(), bound.worst().bits());
            });
  }

  @Test
  void simulatorOverflowCountsAgreeWithABigIntegerModelOneBitTooNarrow() {
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger examples = new AtomicInteger();
    qt().withExamples(120)
        .forAll(CaseSpecGen.specs(), longs().all())
        .checkAssert(
            (spec, seed) -> {
              examples.incrementAndGet();
              GoldenCase c = CaseGenerator.generate(spec, seed);
              QuantizedLayer layer = c.layer();
              LayerBound bound = ExactBound.of(layer);
              Witness witness = Witness.reaching(layer, bound.worst());
              WitnessRun run = run(layer, bound, witness);
              int narrow = bound.minSafeBits() - 1;
              if (run instanceof WitnessRun.NotRun notRun) {
                assertTrue(narrow < 16 || narrow > 47, notRun.reason());
                return;
              }
              ran.incrementAndGet();
              WitnessRun.Ran r = (WitnessRun.Ran) run;
              assertEquals(narrow, r.narrowBits());
              int[] x = witness.input().toArray();
              long wrap = NarrowAccumulatorModel.overflows(layer, x, narrow, false);
              long saturate = NarrowAccumulatorModel.overflows(layer, x, narrow, true);
              assertEquals(wrap, r.wrapOverflows(), "wrap mode at " + narrow + " bits");
              assertEquals(saturate, r.saturateOverflows(), "saturate mode at " + narrow + " bits");
              // The witness's own accumulator ends outside the narrow width, so it overflows at
              // least once in either mode; at the safe width its partial sums need exactly the
              // bound.
              assertTrue(wrap >= 1 && saturate >= 1);
              assertEquals(bound.minSafeBits(), r.observedBits());
              // Real (random) data: the simulator's watermark never exceeds the bound.
              int observed = observedBits(layer, c.input());
              assertTrue(
                  observed <= bound.minSafeBits(),
                  "observed " + observed + " > bound " + bound.minSafeBits());
            });
    // Most random layers need 17 to 48 bits (products alone reach 2^16); make sure the simulator
    // part was not skipped wholesale.
    assertTrue(ran.get() * 2 > examples.get(), ran + " of " + examples + " witnesses ran");
  }

  private static WitnessRun run(QuantizedLayer layer, LayerBound bound, Witness witness) {
    try {
      return WitnessSimulator.run(layer, bound, witness, MACHINE);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static int observedBits(QuantizedLayer layer, ImmutableIntArray input) {
    try {
      CompiledLayer compiled = LayerRunner.compile(layer, MACHINE);
      return WitnessSimulator.run(
              compiled, input, MACHINE.withAccumulator(48, AccumulatorMode.WRAP), true)
          .accumulatorBitsNeeded();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Every element its type's minimum or maximum at random: the largest accumulators. */
  private static ImmutableIntArray extremes(QuantizedLayer layer, SplittableRandom random) {
    DataType t = layer.inputType();
    int[] x = new int[Math.toIntExact(layer.input().elements())];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextBoolean() ? t.min() : t.max();
    }
    return ImmutableIntArray.copyOf(x);
  }
}
