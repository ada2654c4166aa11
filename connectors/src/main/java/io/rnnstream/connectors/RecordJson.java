package io.rnnstream.connectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.BufferRecycler;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes the stream's records as one-line JSON.
 *
 * <p>Every float is written as the shortest decimal that reads back to the same float32 (e.g.
 * {@code 0.1}, {@code 1.0E-5}; both are valid JSON numbers). A non-finite
 * value, which JSON cannot hold as a number, is written as the string "NaN", "Infinity" or
 * "-Infinity".
 */
public final class RecordJson {
    /**
     * Schubfach (Jackson's fast writer): the shortest decimal that reads back to the same float32, as Java
     * 19+'s Float.toString writes it, without Java 17's slower and sometimes longer FloatingDecimal.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    /*
     * The output's field names, quoted once: Jackson then copies them instead of checking each character
     * for escapes on every record (881 → 803 ns per output record; docs/BENCHMARKS.md, session 21).
     */
    private static final SerializableString KEY = new SerializedString("key");
    private static final SerializableString STEP = new SerializedString("step");
    private static final SerializableString OUTPUT = new SerializedString("output");
    private static final SerializableString LABEL = new SerializedString("label");
    private static final SerializableString FINAL = new SerializedString("final");
    private static final SerializableString DECISION = new SerializedString("decision");
    private static final SerializableString MODEL = new SerializedString("model");
    private static final SerializableString HIDDEN = new SerializedString("hidden");
    private static final SerializableString REASON = new SerializedString("reason");

    private RecordJson() {}

    /**
     * {@code {"key","step","output","label","final","decision","model"[,"hidden"][,"reason"]}}; label is
     * the class name when the model has one, else the class index, and absent when the head does not
     * classify.
     */
    public static String output(OutputRecord r) {
        // Jackson's own pooled buffers and an unsynchronized writer (StringWriter locks on every write).
        BufferRecycler br = JSON._getBufferRecycler();
        try {
            SegmentedStringWriter w = new SegmentedStringWriter(br);
            try (JsonGenerator g = JSON.createGenerator(w)) {
                write(g, r);
            }
            return w.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            br.releaseToPool();
        }
    }

    /**
     * {@link #output}'s text as the UTF-8 bytes that go on the wire. The common record (every string in it
     * printable ASCII) is written straight into bytes ({@link OutputJsonFastPath}); any other through
     * Jackson's text. The bytes are the same either way.
     */
    public static byte[] outputUtf8(OutputRecord r) {
        byte[] b = OutputJsonFastPath.write(r);
        return b != null ? b : output(r).getBytes(StandardCharsets.UTF_8);
    }

    private static void write(JsonGenerator g, OutputRecord r) throws IOException {
        g.writeStartObject();
        g.writeFieldName(KEY);
        g.writeString(r.key);
        g.writeFieldName(STEP);
        g.writeNumber(r.step);
        g.writeFieldName(OUTPUT);
        floats(g, r.output);
        if (r.labelName != null) {
            g.writeFieldName(LABEL);
            g.writeString(r.labelName);
        } else if (r.labelIndex != OutputRecord.NO_LABEL) {
            g.writeFieldName(LABEL);
            g.writeNumber(r.labelIndex);
        }
        g.writeFieldName(FINAL);
        g.writeBoolean(r.last);
        g.writeFieldName(DECISION);
        g.writeBoolean(r.decision);
        g.writeFieldName(MODEL);
        g.writeString(r.model);
        if (r.hidden != null) {
            g.writeFieldName(HIDDEN);
            floats(g, r.hidden);
        }
        if (r.reason != null) {
            g.writeFieldName(REASON);
            g.writeString(r.reason);
        }
        g.writeEndObject();
    }

    /** {@code {"raw","error"[,"key"]}}. */
    public static String deadLetter(DeadLetter d) {
        return deadLetter(d, false);
    }

    /**
     * {@code {"raw","error"[,"key"]}}, or {@code {"raw_base64","error"[,"key"]}} when the input was binary
     * ({@link WireFormat#AVRO}): the raw field's name says how to get the record's bytes back.
     */
    public static String deadLetter(DeadLetter d, boolean rawIsBase64) {
        StringWriter w = new StringWriter(64 + (d.raw == null ? 0 : d.raw.length()));
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField(rawIsBase64 ? "raw_base64" : "raw", d.raw);
            g.writeStringField("error", d.error);
            if (d.key != null) {
                g.writeStringField("key", d.key);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** An event in the input format (what {@link EventParser} reads back to an equal event). */
    public static String event(Event e) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("key", e.key);
            if (e.hasStep()) {
                g.writeNumberField("step", e.step);
            }
            if (e.hasTs()) {
                g.writeNumberField("ts", e.ts);
            }
            g.writeFieldName("features");
            floats(g, e.features);
            if (e.end) {
                g.writeBooleanField("end", true);
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return w.toString();
    }

    private static void floats(JsonGenerator g, float[] v) throws IOException {
        if (v == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (float f : v) {
            if (Float.isFinite(f)) {
                g.writeNumber(f);
            } else {
                g.writeString(Float.toString(f));
            }
        }
        g.writeEndArray();
    }
}
