package dev.npusim.cli;

import dev.npusim.isa.AsmException;
import dev.npusim.isa.Assembler;
import dev.npusim.isa.Program;
import dev.npusim.isa.ProgramBinary;
import dev.npusim.isa.ProgramException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

  static byte[] read(Path file) throws UserError {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UserError(file + ": no such file");
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + e.getMessage());
    }
  }
}
