package io.rnnstream.connectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes the stream's records as one-line JSON.
 *
 * <p>Every float is written as {@link Float#toString(float)}: the shortest decimal that reads back to
 * the same float32 (e.g. {@code 0.1}, {@code 1.0E-5}; both are valid JSON numbers). A non-finite
 * value, which JSON cannot hold as a number, is written as the string "NaN", "Infinity" or
 * "-Infinity".
 */
public final class RecordJson {
    private static final JsonFactory JSON = new JsonFactory();

    private RecordJson() {}

    /**
     * {@code {"key","step","output","label","final","decision","model"[,"hidden"][,"reason"]}}; label is
     * the class name when the model has one, else the class index, and absent when the head does not
     * classify.
     */
    public static String output(OutputRecord r) {
        StringWriter w = new StringWriter(64 + 12 * (r.output == null ? 0 : r.output.length));
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("key", r.key);
            g.writeNumberField("step", r.step);
            g.writeFieldName("output");
            floats(g, r.output);
            if (r.labelName != null) {
                g.writeStringField("label", r.labelName);
            } else if (r.labelIndex != OutputRecord.NO_LABEL) {
                g.writeNumberField("label", r.labelIndex);
            }
            g.writeBooleanField("final", r.last);
            g.writeBooleanField("decision", r.decision);
            g.writeStringField("model", r.model);
            if (r.hidden != null) {
                g.writeFieldName("hidden");
                floats(g, r.hidden);
            }
            if (r.reason != null) {
                g.writeStringField("reason", r.reason);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** {@code {"raw","error"[,"key"]}}. */
    public static String deadLetter(DeadLetter d) {
        StringWriter w = new StringWriter(64 + (d.raw == null ? 0 : d.raw.length()));
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("raw", d.raw);
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
                g.writeNumber(Float.toString(f));
            } else {
                g.writeString(Float.toString(f));
            }
        }
        g.writeEndArray();
    }
}
