package io.rnnstream.connectors;

import java.util.Objects;

/**
 * One raw record as it crosses a source or a sink: the payload text and the record key it came
 * with or goes out with. A Flink POJO (public fields, no-arg constructor), so Flink serializes it
 * with its own PojoSerializer rather than Kryo.
 */
public final class KeyedPayload {
    /** The Kafka record key; null for file sources and for Kafka records without a key. */
    public String key;
    /** The record value as UTF-8 text (JSON for events, outputs and dead letters). */
    public String payload;

    public KeyedPayload() {}

    public KeyedPayload(String key, String payload) {
        this.key = key;
        this.payload = payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyedPayload k && Objects.equals(key, k.key) && Objects.equals(payload, k.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, payload);
    }

    @Override
    public String toString() {
        return (key == null ? "" : key + " → ") + payload;
    }
}
