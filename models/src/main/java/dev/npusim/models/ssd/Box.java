package dev.npusim.models.ssd;

/**
 * An axis-aligned box as the SSD head writes it: {@code [yMin, xMin, yMax, xMax]}, in the unit
 * coordinates of the 512x512 input canvas unless said otherwise (MODEL.md).
 */
public record Box(double yMin, double xMin, double yMax, double xMax) {

  public double height() {
    return yMax - yMin;
  }

  public double width() {
    return xMax - xMin;
  }

  /** Area, 0 for an empty or inverted box. */
  public double area() {
    return Math.max(0, height()) * Math.max(0, width());
  }

  /** Intersection over union; 0 when the union is empty. */
  public double iou(Box o) {
    double ih = Math.min(yMax, o.yMax) - Math.max(yMin, o.yMin);
    double iw = Math.min(xMax, o.xMax) - Math.max(xMin, o.xMin);
    double inter = ih > 0 && iw > 0 ? ih * iw : 0;
    double union = area() + o.area() - inter;
    return union > 0 ? inter / union : 0;
  }

  /** This box with y scaled by {@code sy} and x by {@code sx}. */
  public Box scaled(double sy, double sx) {
    return new Box(yMin * sy, xMin * sx, yMax * sy, xMax * sx);
  }

  @Override
  public String toString() {
    return String.format("[y %.4f..%.4f, x %.4f..%.4f]", yMin, yMax, xMin, xMax);
  }
}
