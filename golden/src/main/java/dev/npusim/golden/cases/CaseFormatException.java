package dev.npusim.golden.cases;

/**
 * A case file that is not valid {@code npusim.case.v1}. The message names the file and the JSON
 * field, e.g. {@code cases/x.json: input.data[17]: value 300 is outside int8 [-128, 127]}, so that
 * a reader can go straight to the offending value.
 */
public final class CaseFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String field;
  private final String detail;

  /**
   * @param file the file as the caller named it
   * @param field the JSON path of the offending field ({@code input.data[17]}), or a location such
   *     as {@code line 3, column 7} for malformed JSON
   * @param detail what is wrong with it
   */
  public CaseFormatException(String file, String field, String detail) {
    super(file + ": " + field + ": " + detail);
    this.file = file;
    this.field = field;
    this.detail = detail;
  }

  public String file() {
    return file;
  }

  /** JSON path of the offending field, e.g. {@code requant.multiplier[2]}. */
  public String field() {
    return field;
  }

  /** The message without the file and field. */
  public String detail() {
    return detail;
  }
}
