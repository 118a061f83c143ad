package dev.npusim.tests.cost;

import dev.npusim.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the npusim command line in-process and captures what it prints. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.execute(args, o, e);
    }
    return new Cli(code, out.toString(), err.toString());
  }
}
