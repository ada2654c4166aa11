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
    /** The record value as UTF-8 text (JSON for events, outputs and dead letters); null when {@link #value} holds it. */
    public String payload;
    /**
     * The record value as bytes: a binary format's ({@link WireFormat#AVRO}), JSON as the Kafka source read
     * it (events), or JSON the job wrote straight into UTF-8 (its outputs); null when {@link #payload} holds it. Bytes are not decoded to text
     * and back: that would be neither lossless nor free.
     */
    public byte[] value;

    public KeyedPayload() {}

    public KeyedPayload(String key, String payload) {
        this.key = key;
        this.payload = payload;
    }

    /** A binary record. */
    public static KeyedPayload binary(String key, byte[] value) {
        KeyedPayload p = new KeyedPayload(key, null);
        p.value = value;
        return p;
    }

    /** The value as it goes on the wire. */
    public byte[] bytes() {
        return value != null ? value : payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyedPayload k && Objects.equals(key, k.key) && Objects.equals(payload, k.payload)
                && java.util.Arrays.equals(value, k.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, payload) * 31 + java.util.Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return (key == null ? "" : key + " → ") + (value == null ? payload : isJson(value)
                ? new String(value, java.nio.charset.StandardCharsets.UTF_8) : AvroRecords.rawText(value));
    }

    /** A JSON object's bytes; an Avro record never starts so (its first field, the key's length, cannot be -62). */
    private static boolean isJson(byte[] v) {
        return v.length > 0 && v[0] == '{';
    }
}
