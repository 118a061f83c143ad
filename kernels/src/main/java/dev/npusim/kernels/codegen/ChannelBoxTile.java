package dev.npusim.kernels.codegen;

import java.util.List;

/**
 * A tile of a kernel whose lanes map to channels (depthwise convolution, pooling): channel tile
 * {@code ct}, batch {@code b}, and the output box of {@code rows} rows from {@code y0} and {@code
 * cols} columns from {@code x0}. Channel tile {@code ct} holds channels {@code c0 .. c0+cn-1}: all
 * tiles are {@code cMax} wide except possibly the last. Its input depends on all four coordinates,
 * so a change of any one reloads the input.
 */
abstract class ChannelBoxTile implements TilePipeline.Tile {
  final int ct;
  final int b;
  final int y0;
  final int rows;
  final int x0;
  final int cols;
  final int c0;
  final int cn;

  /**
   * @param cMax channels per channel tile
   * @param channels channels of the layer's input
   */
  ChannelBoxTile(int ct, int b, int y0, int rows, int x0, int cols, int cMax, int channels) {
    this.ct = ct;
    this.b = b;
    this.y0 = y0;
    this.rows = rows;
    this.x0 = x0;
    this.cols = cols;
    this.c0 = ct * cMax;
    this.cn = Math.min(cMax, channels - c0);
  }

  @Override
  public final Object inputKey() {
    return List.of(ct, b, y0, x0);
  }
}
