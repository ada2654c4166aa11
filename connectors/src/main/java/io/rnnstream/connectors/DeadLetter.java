package io.rnnstream.connectors;

import java.util.Objects;

/**
 * An input the stream could not apply, with why. A Flink POJO, like {@link Event}.
 */
public class DeadLetter {
    /** The original payload (or, for an event built in code, its JSON form). */
    public String raw;
    /** Why it was not applied, one line. */
    public String error;
    /** The event's key when it was known, else null. */
    public String key;

    public DeadLetter() {}

    public DeadLetter(String raw, String error, String key) {
        this.raw = raw;
        this.error = error;
        this.key = key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d && Objects.equals(raw, d.raw) && Objects.equals(error, d.error)
                && Objects.equals(key, d.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(raw, error, key);
    }

    @Override
    public String toString() {
        return RecordJson.deadLetter(this);
    }
}
