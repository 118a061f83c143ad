package dev.npusim.cli;

import dev.npusim.analysis.AnalysisException;
import dev.npusim.analysis.cost.CostException;
import dev.npusim.analysis.overflow.AccumulatorWidthException;
import dev.npusim.golden.cases.CaseFormatException;
import dev.npusim.golden.layout.LayoutException;
import dev.npusim.isa.AsmException;
import dev.npusim.isa.DecodeException;
import dev.npusim.isa.ProgramException;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import dev.npusim.kernels.codegen.CompileException;
import dev.npusim.models.tflite.ModelFormatException;
import dev.npusim.simulator.MachineConfigException;
import dev.npusim.simulator.SimulationFault;
import dev.npusim.simulator.TraceFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code npusim} command. Exit codes (README, "Exit codes"): 0 success; 1 bad input or a fault,
 * one line on stderr; 2 usage, whether picocli's parser or a command's own check found it; 3 only
 * for a bug in npusim, with a request to report it. {@code --debug} (before or after the command
 * name) adds the stack trace.
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

  /** Shared by every subcommand: the input size limit, the same as -Dnpusim.max-input-bytes. */
  static final class InputLimit {
    @Option(
        names = "--max-input-bytes",
        paramLabel = "N",
        description =
            "Refuse input files larger than N bytes (default "
                + InputFiles.DEFAULT_MAX_BYTES
                + ", or -D"
                + InputFiles.MAX_BYTES_PROPERTY
                + ").",
        scope = CommandLine.ScopeType.INHERIT)
    Long maxInputBytes;
  }

  @CommandLine.Mixin InputLimit inputLimit;

  /** Options taken before the command name; those with a value take the next argument too. */
  private static final Map<String, Boolean> GLOBAL_OPTIONS =
      Map.of("--debug", false, "--max-input-bytes", true);

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
    args = withDefaultCommand(args);
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.registerConverter(Path.class, Main::path);
    boolean debug = Arrays.asList(args).contains("--debug");
    cl.setParameterExceptionHandler((ex, a) -> usage(ex.getMessage(), ex.getCommandLine(), err));
    cl.setExecutionStrategy(Main::executeWithInputLimit);
    cl.setExecutionExceptionHandler(
        (ex, c, parseResult) -> {
          if (ex instanceof UsageError) {
            return usage(ex.getMessage(), c, err);
          }
          String message = userErrorMessage(ex);
          int code = 1;
          if (message == null) {
            message = "internal error: " + ex;
            code = 3;
          }
          err.println("npusim: " + message);
          if (debug) {
            ex.printStackTrace(err);
          } else if (code == 3) {
            err.println(
                "(a bug in npusim: run again with --debug for the stack trace, and please"
                    + " report it)");
          }
          return code;
        });
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli passes Errors through; this one the user can act on (issue 12).
      err.println("npusim: " + userErrorMessage(e));
      if (debug) {
        e.printStackTrace(err);
      }
      return 1;
    }
  }

  /**
   * With no command, npusim runs its main job, the analysis: {@code npusim --html r.html}. Global
   * options ({@code --debug}, {@code --max-input-bytes N}) may come before a command name, as the
   * usage line shows, without hiding it.
   */
  private static String[] withDefaultCommand(String[] args) {
    int i = 0;
    while (i < args.length) {
      String a = args[i];
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      Boolean takesValue = GLOBAL_OPTIONS.get(name);
      if (takesValue == null) {
        break;
      }
      i += takesValue && !a.contains("=") ? 2 : 1;
    }
    if (i < args.length
        && (!args[i].startsWith("-")
            || List.of("-h", "--help", "-V", "--version").contains(args[i]))) {
      return args; // a command (or an unknown word picocli reports), or help
    }
    String[] withCommand = new String[args.length + 1];
    withCommand[0] = "analyze";
    System.arraycopy(args, 0, withCommand, 1, args.length);
    return withCommand;
  }

  /**
   * Runs the parsed command with {@code --max-input-bytes} (given anywhere on the line) in force
   * for every file read through {@link InputFiles}, and the previous limit restored afterwards.
   */
  private static int executeWithInputLimit(CommandLine.ParseResult parseResult) {
    Long limit = null;
    for (CommandLine.ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
      if (pr.hasMatchedOption("--max-input-bytes")) {
        limit = pr.matchedOptionValue("--max-input-bytes", null);
      }
    }
    if (limit == null) {
      return new CommandLine.RunLast().execute(parseResult);
    }
    if (limit < 1) {
      throw new CommandLine.ParameterException(
          parseResult.commandSpec().commandLine(),
          "--max-input-bytes " + limit + ": must be at least 1");
    }
    String previous = System.getProperty(InputFiles.MAX_BYTES_PROPERTY);
    System.setProperty(InputFiles.MAX_BYTES_PROPERTY, Long.toString(limit));
    try {
      return new CommandLine.RunLast().execute(parseResult);
    } finally {
      if (previous == null) {
        System.clearProperty(InputFiles.MAX_BYTES_PROPERTY);
      } else {
        System.setProperty(InputFiles.MAX_BYTES_PROPERTY, previous);
      }
    }
  }

  /** A file or folder argument; an empty one would name the working directory (issue 12). */
  private static Path path(String s) {
    if (s.isEmpty()) {
      throw new CommandLine.TypeConversionException("an empty name is not a file name");
    }
    try {
      return Path.of(s);
    } catch (InvalidPathException e) {
      throw new CommandLine.TypeConversionException("'" + s + "' is not a file name");
    }
  }

  private static int usage(String message, CommandLine c, PrintWriter err) {
    err.println("npusim: " + message);
    err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
    return 2;
  }

  /**
   * The one line for an error in the user's input (a file, an option, a program under simulation),
   * or null if {@code ex} is a bug. Every reader's and checker's own error type is the user's.
   */
  static String userErrorMessage(Throwable ex) {
    if (ex instanceof UserError
        || ex instanceof AnalysisException
        || ex instanceof CostException
        || ex instanceof InputFileException
        || ex instanceof CaseFormatException
        || ex instanceof LayoutException
        || ex instanceof ModelFormatException
        || ex instanceof MachineConfigException
        || ex instanceof AsmException
        || ex instanceof ProgramException
        || ex instanceof DecodeException
        || ex instanceof CompileException
        || ex instanceof AccumulatorWidthException
        || ex instanceof SimulationFault
        || ex instanceof TraceFormatException) {
      return ex.getMessage();
    }
    if (ex instanceof IOException io) {
      return AtomicFiles.describe(io);
    }
    if (ex instanceof UncheckedIOException u) {
      return AtomicFiles.describe(u.getCause());
    }
    if (ex instanceof OutOfMemoryError) {
      return "out of Java heap memory; give the JVM more, e.g."
          + " java -Xmx4g -jar cli/target/npusim.jar ...";
    }
    return null;
  }
}
