package dev.npusim.simulator;

/** A commit log that cannot be read: the message names the file and the line. */
public final class TraceFormatException extends Exception {
  public TraceFormatException(String message) {
    super(message);
  }
}
