package dev.npusim.kernels;

import static com.google.common.base.Preconditions.checkArgument;

/** An NHWC activation shape. Fully-connected tensors [N, C] are [N, 1, 1, C]. */
public record TensorShape(int n, int h, int w, int c) {
  public TensorShape {
    checkArgument(n > 0 && h > 0 && w > 0 && c > 0, "shape dimensions must be positive: %s", this);
  }

  public long elements() {
    return (long) n * h * w * c;
  }

  /** Flat row-major index of (b, y, x, ch). */
  public int index(int b, int y, int x, int ch) {
    return ((b * h + y) * w + x) * c + ch;
  }

  /** NHWC coordinate of a flat index, as "[b, y, x, c]". */
  public String coordinate(int index) {
    int ch = index % c;
    int rest = index / c;
    int x = rest % w;
    rest /= w;
    int y = rest % h;
    int b = rest / h;
    return "[" + b + ", " + y + ", " + x + ", " + ch + "]";
  }

  @Override
  public String toString() {
    return "[" + n + ", " + h + ", " + w + ", " + c + "]";
  }
}
