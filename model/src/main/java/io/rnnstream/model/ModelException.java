package io.rnnstream.model;

/**
 * A model that cannot be read, checked or run, with a message a user can act on. The message is
 * always one line: text quoted from a file (a layer name, an activation, an op) may hold any
 * character, and a refusal that spans lines breaks logs and the CLI's one-line errors (found twice
 * by fuzzing, each time through a different field), so control characters become '?' here, once,
 * rather than at every place that quotes the file.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(oneLine(message));
    }

    public ModelException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c)) {
                if (b == null) {
                    b = new StringBuilder(message.length()).append(message, 0, i);
                }
                b.append('?');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? message : b.toString();
    }
}
