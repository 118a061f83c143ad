package dev.npusim.cli;

import dev.npusim.analysis.kernel.KernelValidator;
import dev.npusim.isa.Program;
import dev.npusim.simulator.MachineConfig;
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
      KernelValidator.Outcome o = KernelValidator.validate(file, program, config, maxSteps);
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
