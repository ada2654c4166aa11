package io.rnnstream.model;

/**
 * A model that cannot be read, built or run, with a message meant for the user: it says what is
 * wrong and, where it can, what to do next. The CLI prints it as one line.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
