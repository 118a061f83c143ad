package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.cost.CostException;
import dev.npusim.isa.io.InputFileException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code npusim} command. Errors in the user's input are one line on stderr with exit code 1;
 * usage errors exit with 2; {@code --debug} adds the stack trace.
 */
@Command(
    name = "npusim",
    mixinStandardHelpOptions = true,
    version = "npusim 0.1.0",
    description = "Bit-exact instruction-level simulator of an 8-bit NPU datapath.",
    subcommands = {
      AsmCommand.class,
      DisasmCommand.class,
      RunCommand.class,
      RunModelCommand.class,
      IsaCommand.class,
      AnalyzeCommand.class,
      ValidateCommand.class,
      GoldenCommand.class,
      EstimateCommand.class,
      SweepCommand.class,
      ExportCommand.class,
      TraceDiffCommand.class,
      OverflowCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Shared by every subcommand. */
  static final class Debug {
    @Option(
        names = "--debug",
        description = "Print stack traces of errors.",
        scope = CommandLine.ScopeType.INHERIT)
    boolean debug;
  }

  @CommandLine.Mixin Debug debug;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the command line and returns the exit code (for tests). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length == 0
        || (args[0].startsWith("-")
            && !java.util.List.of("-h", "--help", "-V", "--version").contains(args[0]))) {
      // With no command, npusim runs its main job, the analysis: `npusim --html r.html`.
      String[] withCommand = new String[args.length + 1];
      withCommand[0] = "analyze";
      System.arraycopy(args, 0, withCommand, 1, args.length);
      args = withCommand;
    }
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("npusim: " + ex.getMessage());
          CommandLine c = ex.getCommandLine();
          err.println(
              "Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parseResult) -> {
          if (ex instanceof UserError
              || ex instanceof AnalysisException
              || ex instanceof CostException
              || ex instanceof InputFileException) {
            err.println("npusim: " + ex.getMessage());
            if (debug) {
              ex.printStackTrace(err);
            }
            return 1;
          }
          err.println("npusim: internal error: " + ex);
          if (debug) {
            ex.printStackTrace(err);
          } else {
            err.println("(run again with --debug for the stack trace, and please report it)");
          }
          return 3;
        });
    return cl.execute(args);
  }
}
