package dev.npusim.cli;

import dev.npusim.golden.cases.CaseFormatException;
import dev.npusim.golden.cases.CaseReader;
import dev.npusim.golden.cases.GoldenCase;
import dev.npusim.isa.io.InputFileException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Loads a golden-vector case file for a command, with a one-line message for a bad one. */
final class CaseFiles {
  private CaseFiles() {}

  static GoldenCase load(Path file) throws UserError {
    try {
      return CaseReader.read(file);
    } catch (CaseFormatException e) {
      throw new UserError(e.getMessage());
    } catch (NoSuchFileException e) {
      throw new UserError(file + ": no such file");
    } catch (InputFileException e) {
      throw new UserError(e.getMessage());
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + AtomicFiles.reason(e));
    }
  }
}
