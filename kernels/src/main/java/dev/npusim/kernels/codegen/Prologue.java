package dev.npusim.kernels.codegen;

import dev.npusim.isa.Csr;
import dev.npusim.kernels.DataType;
import dev.npusim.kernels.QuantizedLayer;
import dev.npusim.kernels.Requantization;

/**
 * Control-register setup shared by all kernels: zero points, activation clamp, output type and
 * requantization kind. The rounding mode and accumulator mode are left at the machine's reset
 * values, so a machine configured to round differently shows its effect on the same program.
 */
final class Prologue {
  private Prologue() {}

  static void emit(Emitter e, QuantizedLayer layer) {
    e.comment(
        "semantics "
            + layer.semantics().caseName()
            + ": zero points in "
            + layer.inputZeroPoint()
            + " out "
            + layer.outputZeroPoint()
            + ", clamp ["
            + layer.activationMin()
            + ", "
            + layer.activationMax()
            + "]");
    e.csrwi(Csr.ZX, layer.inputZeroPoint());
    e.csrwi(Csr.ZO, layer.outputZeroPoint());
    e.csrwi(Csr.AMIN, layer.activationMin());
    e.csrwi(Csr.AMAX, layer.activationMax());
    e.csrwi(Csr.OTYPE, layer.outputType() == DataType.UINT8 ? 1 : 0);
    e.csrwi(Csr.RQMODE, layer.requant() instanceof Requantization.FloatScale ? 1 : 0);
  }
}
