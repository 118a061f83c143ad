package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.study.TensorDump;
import dev.npusim.cli.analysis.Npy;
import dev.npusim.kernels.graph.FloatTensor;
import java.nio.file.Path;

/**
 * {@code analyze --dump DIR}: each tensor as a .npy file under DIR (float32, or int8/int32 as an
 * imported model stores it), written whole.
 */
final class NpyDump implements TensorDump {
  private final Path dir;

  NpyDump(Path dir) {
    this.dir = dir;
  }

  @Override
  public void write(String name, FloatTensor t) throws AnalysisException {
    var s = t.shape();
    try {
      AtomicFiles.write(
          dir.resolve(name), Npy.float32(new int[] {s.n(), s.h(), s.w(), s.c()}, t.toArray()));
    } catch (UserError e) {
      throw new AnalysisException(e.getMessage(), e);
    }
  }

  @Override
  public void writeIntegers(String name, int[] shape, int[] values, boolean int32)
      throws AnalysisException {
    try {
      AtomicFiles.write(
          dir.resolve(name), int32 ? Npy.int32(shape, values) : Npy.int8(shape, values));
    } catch (UserError e) {
      throw new AnalysisException(e.getMessage(), e);
    }
  }
}
