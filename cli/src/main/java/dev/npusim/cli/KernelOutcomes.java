package dev.npusim.cli;

import dev.npusim.analysis.kernel.KernelValidator;
import dev.npusim.golden.cases.CaseFormatException;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.isa.Program;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.simulator.MachineConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/** {@code validate --kernel}: each case through {@link KernelValidator}, as a validate outcome. */
final class KernelOutcomes {
  private KernelOutcomes() {}

  static Function<Path, ValidateCommand.Outcome> checker(
      Path kernel, boolean referenceEngine, MachineConfig config, long maxSteps)
      throws UserError, UsageError {
    if (referenceEngine) {
      throw new UsageError("--kernel runs the kernel on the simulator; drop --engine reference");
    }
    if (maxSteps <= 0) {
      throw new UsageError("--max-steps " + maxSteps + ": must be at least 1");
    }
    Program program = ProgramFiles.load(kernel);
    return file -> {
      // A file that is not a case is one line on stderr, as in validate without --kernel.
      GoldenCase c;
      try {
        c = CaseReader.read(file);
      } catch (CaseFormatException | InputFileException e) {
        return new ValidateCommand.Outcome(
            ValidateCommand.Status.ERROR, String.format("npusim: %s%n", e.getMessage()));
      } catch (IOException e) {
        return new ValidateCommand.Outcome(
            ValidateCommand.Status.ERROR,
            String.format("npusim: %s: cannot read: %s%n", file, AtomicFiles.reason(e)));
      }
      KernelValidator.Outcome o =
          KernelValidator.validate(file.toString(), c, program, config, maxSteps);
      ValidateCommand.Status s =
          switch (o.status()) {
            case PASS -> ValidateCommand.Status.PASS;
            case FAIL -> ValidateCommand.Status.FAIL;
            case SKIP -> ValidateCommand.Status.SKIP;
          };
      return new ValidateCommand.Outcome(s, o.text());
    };
  }
}
