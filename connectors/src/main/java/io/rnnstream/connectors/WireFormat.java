package io.rnnstream.connectors;

import java.util.Locale;

/**
 * How events arrive and outputs leave on Kafka: JSON text (the default: readable, any producer can write
 * it) or Avro binary ({@link AvroRecords}, the schemas in docs/KAFKA.md: no decimal text to parse or
 * print, float32 as its four bytes). Dead letters are JSON either way (docs/KAFKA.md says why).
 */
public enum WireFormat {
    JSON, AVRO;

    /** "json" or "avro", as {@code --format} takes it. */
    public static WireFormat parse(String s) {
        if (s != null) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "json":
                    return JSON;
                case "avro":
                    return AVRO;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("--format must be json or avro, not '" + s + "'");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
