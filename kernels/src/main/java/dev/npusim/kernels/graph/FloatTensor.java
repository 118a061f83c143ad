package dev.npusim.kernels.graph;

import static com.google.common.base.Preconditions.checkArgument;

import dev.npusim.kernels.TensorShape;
import java.util.Arrays;

/**
 * An immutable NHWC tensor of doubles: the float activations of the graph.
 *
 * <p>Immutable because its array is never written once made: {@link #copyOf} copies in, {@link
 * #toArray} copies out. {@link #adopt} skips the first copy for code that builds a fresh array and
 * hands it over, {@link #sharedValues} the second for code that only reads it (the float reference
 * does both for every layer, which would otherwise cost copies of hundreds of megabytes per image).
 */
public final class FloatTensor {
  private final TensorShape shape;
  private final double[] values;

  private FloatTensor(TensorShape shape, double[] values) {
    checkArgument(
        values.length == shape.elements(),
        "tensor %s needs %s values, got %s",
        shape,
        shape.elements(),
        values.length);
    this.shape = shape;
    this.values = values;
  }

  /** A tensor holding a copy of {@code values} (NHWC order). */
  public static FloatTensor copyOf(TensorShape shape, double[] values) {
    return new FloatTensor(shape, values.clone());
  }

  /**
   * A tensor that takes ownership of {@code values}: the caller must not keep or write the array
   * afterwards.
   */
  public static FloatTensor adopt(TensorShape shape, double[] values) {
    return new FloatTensor(shape, values);
  }

  public TensorShape shape() {
    return shape;
  }

  public int size() {
    return values.length;
  }

  /** Value at a flat NHWC index. */
  public double get(int index) {
    return values[index];
  }

  public double get(int n, int y, int x, int c) {
    return values[shape.index(n, y, x, c)];
  }

  /**
   * The values themselves (NHWC order), not a copy, for code that only reads them during one call:
   * the float reference reads each layer's input this way rather than copying it (about 200 MB per
   * pass of the SSD model). {@link #adopt}'s promise the other way round: the caller must not write
   * the array, nor keep it.
   */
  public double[] sharedValues() {
    return values;
  }

  /** A fresh copy of the values in NHWC order. */
  public double[] toArray() {
    return values.clone();
  }

  /** Largest absolute value (0 for an all-zero tensor). */
  public double maxAbs() {
    double m = 0;
    for (double v : values) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && t.shape.equals(shape) && Arrays.equals(t.values, values);
  }

  @Override
  public int hashCode() {
    return shape.hashCode() * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "FloatTensor" + shape;
  }
}
