package dev.npusim.kernels.codegen;

/**
 * A layer that cannot be compiled for a target: the message names the machine field that is too
 * small (for example {@code scratchpads.wgt}) and what would fit.
 */
public final class CompileException extends Exception {
  private final String field;

  public CompileException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
