package dev.npusim.cli;

import dev.npusim.isa.AsmException;
import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.isa.ProgramBinary;
import dev.npusim.isa.ProgramException;
import dev.npusim.isa.io.InputFileException;
import dev.npusim.isa.io.InputFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Loads programs: assembly text ({@code .s}, {@code .asm}) or binary words ({@code .bin}). */
final class ProgramFiles {
  private ProgramFiles() {}

  static Program load(Path file) throws UserError {
    byte[] bytes = read(file);
    String name = file.getFileName().toString();
    if (name.endsWith(".bin")) {
      try {
        return ProgramBinary.read(bytes);
      } catch (ProgramException e) {
        throw new UserError(file + ": " + e.getMessage());
      }
    }
    try {
      return Assembler.assemble(new String(bytes, StandardCharsets.UTF_8), file.toString());
    } catch (AsmException e) {
      throw new UserError(e.getMessage());
    }
  }

  /** The whole file, through the bounded input layer (regular files only, size limit). */
  static byte[] read(Path file) throws UserError {
    try {
      return InputFiles.readAllBytes(file);
    } catch (InputFileException e) {
      throw new UserError(e.getMessage());
    }
  }
}
