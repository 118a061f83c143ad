package dev.npusim.models.tflite;

/**
 * A {@code .tflite} file that cannot be read or does not fit what npusim supports. The message is
 * one line naming the file and the place (tensor, operator, buffer or the model's root tables):
 * {@code person.tflite: tensor 12 'conv1/bias': 16 scales for 8 channels}.
 */
public final class ModelFormatException extends RuntimeException {
  private final String file;

  public ModelFormatException(String file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  /** The name of the file the message is about. */
  public String file() {
    return file;
  }
}
