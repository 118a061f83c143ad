package dev.npusim.golden.reference;

import dev.npusim.golden.cases.AddCase;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.golden.cases.OperatorCase;
import dev.npusim.golden.cases.PoolCase;
import dev.npusim.golden.cases.SoftmaxCase;
import dev.npusim.kernels.AddLayer;
import dev.npusim.kernels.PoolLayer;

/**
 * The integer reference's output for a case of any op: {@link IntegerReference} for the layers,
 * {@link PoolingReference}, {@link AddReference} and {@link SoftmaxReference} for the others. Only
 * the operators' parameters are carried over from the case; the arithmetic is the references' own.
 */
public final class OperatorReference {
  private OperatorReference() {}

  /** The output {@code c}'s input gives under the integer reference. */
  public static int[] run(OperatorCase c) {
    if (c instanceof GoldenCase layer) {
      return IntegerReference.run(layer.layer(), layer.input());
    }
    if (c instanceof PoolCase pool) {
      return pool(pool.layer(), pool.input().toArray());
    }
    if (c instanceof AddCase add) {
      return add(add.layer(), add.input1().toArray(), add.input2().toArray());
    }
    SoftmaxCase s = (SoftmaxCase) c;
    return SoftmaxReference.softmax(s.parameters(), s.input().toArray(), s.depth());
  }

  /** TFLite's pooling of {@code input} with the layer's geometry and clamp. */
  public static int[] pool(PoolLayer l, int[] input) {
    PoolingReference.Parameters p =
        new PoolingReference.Parameters(
            l.input(),
            l.output(),
            l.filterH(),
            l.filterW(),
            l.strideH(),
            l.strideW(),
            l.padTop(),
            l.padLeft(),
            l.activationMin(),
            l.activationMax());
    return l.kind() == PoolLayer.Kind.MAX
        ? PoolingReference.max(p, input)
        : PoolingReference.average(p, input);
  }

  /**
   * TFLite's ADD with the layer's parameters (offsets are minus the zero points), its inputs
   * broadcast by their shapes.
   */
  public static int[] add(AddLayer l, int[] input1, int[] input2) {
    AddReference.Parameters p =
        new AddReference.Parameters(
            AddLayer.LEFT_SHIFT,
            -l.input1ZeroPoint(),
            l.input1Multiplier(),
            l.input1Shift(),
            -l.input2ZeroPoint(),
            l.input2Multiplier(),
            l.input2Shift(),
            l.outputZeroPoint(),
            l.outputMultiplier(),
            l.outputShift(),
            l.activationMin(),
            l.activationMax());
    var a = l.input1Shape();
    var b = l.input2Shape();
    return AddReference.add(
        p,
        new int[] {a.n(), a.h(), a.w(), a.c()},
        input1,
        new int[] {b.n(), b.h(), b.w(), b.c()},
        input2);
  }
}
