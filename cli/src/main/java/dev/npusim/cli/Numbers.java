package dev.npusim.cli;

/** Parses decimal or 0x-hexadecimal numbers from options. */
final class Numbers {
  private Numbers() {}

  static long parse(String s, String where) throws UserError {
    String t = s.strip().replace("_", "");
    try {
      if (t.startsWith("0x") || t.startsWith("0X")) {
        return Long.parseLong(t.substring(2), 16);
      }
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new UserError(where + ": '" + s + "' is not a number");
    }
  }
}
