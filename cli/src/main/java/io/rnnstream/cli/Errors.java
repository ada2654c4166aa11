package io.rnnstream.cli;

import io.rnnstream.connectors.kafka.KafkaConnectors;
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
        if (t instanceof ModelException || t instanceof KafkaConnectors.KafkaAccessException) {
            msg = t.getMessage();
        } else if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
            msg = "file not found: " + t.getMessage();
        } else if (t instanceof AccessDeniedException) {
            msg = "permission denied: " + t.getMessage();
        } else if (t instanceof OutOfMemoryError) {
            msg = "out of memory: give Java more with RNNSTREAM_JAVA_OPTS=-Xmx8g, or pass a smaller input";
        } else {
            // A Flink job that failed on a bad option (a -D value, a cluster setting) reports it
            // several wrappers deep; the refusal itself says what to change.
            String refused = refusedOption(t);
            String m = t.getMessage();
            msg = refused != null ? refused + " (the Flink job failed on it; run with --debug for the stack trace)"
                    : t.getClass().getSimpleName() + (m == null ? "" : ": " + m)
                            + " (an unexpected error; run with --debug for the stack trace)";
        }
        return oneLine(msg);
    }

    /**
     * For an exception that wraps an option or argument refused with a message: the outermost such
     * refusal's message (it names the key), with the innermost cause's when that adds to it; else null.
     */
    static String refusedOption(Throwable t) {
        Throwable refusal = null;
        Throwable root = t;
        for (int depth = 0; depth < 32; depth++) {
            boolean refused = root instanceof IllegalArgumentException || root.getClass().getName()
                    .equals("org.apache.flink.configuration.IllegalConfigurationException");
            if (refusal == null && refused && root != t && root.getMessage() != null) {
                refusal = root;
            }
            if (root.getCause() == null || root.getCause() == root) {
                break;
            }
            root = root.getCause();
        }
        if (refusal == null) {
            return null;
        }
        String msg = refusal.getMessage();
        String inner = root.getMessage();
        return root != refusal && inner != null && !msg.contains(inner) ? msg + " " + inner : msg;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
