package io.rnnstream.cli;

import io.rnnstream.model.ModelException;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns any exception into the one line the user sees after {@code error: }. */
final class Errors {
    private Errors() {}

    static String oneLine(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String msg;
        if (t instanceof ModelException) {
            msg = t.getMessage();
        } else if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
            msg = "file not found: " + t.getMessage();
        } else if (t instanceof AccessDeniedException) {
            msg = "permission denied: " + t.getMessage();
        } else if (t instanceof OutOfMemoryError) {
            msg = "out of memory: give Java more with RNNSTREAM_JAVA_OPTS=-Xmx8g, or pass a smaller input";
        } else {
            String m = t.getMessage();
            msg = t.getClass().getSimpleName() + (m == null ? "" : ": " + m)
                    + " (an unexpected error; run with --debug for the stack trace)";
        }
        return oneLine(msg);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
