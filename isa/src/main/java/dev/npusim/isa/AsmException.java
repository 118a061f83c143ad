package dev.npusim.isa;

/**
 * An assembly error at a position: {@code file:line:col: reason}. Lines and columns count from 1.
 */
public final class AsmException extends Exception {
  private final String file;
  private final int line;
  private final int column;
  private final String reason;

  public AsmException(String file, int line, int column, String reason) {
    super(file + ":" + line + ":" + column + ": " + reason);
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public String reason() {
    return reason;
  }
}
