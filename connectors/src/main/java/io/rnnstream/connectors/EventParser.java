package io.rnnstream.connectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Reads one input event from its JSON text. Never throws on bad input: a bad event comes back as a
 * {@link Result} with its {@link DeadLetter}.
 *
 * <p>Each feature is the float32 nearest the JSON number's decimal, as {@link Float#parseFloat} gives:
 * a double rounded again to float32 could land one float32 away from what Keras reads. The common shape
 * is read by {@link EventJsonFastPath} (2.5× faster, exact); everything else, and every refusal, by
 * Jackson.
 */
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

    /**
     * The largest event read, in characters: an event is one timestep (28 floats for MNIST rows are
     * ~350 bytes), and a larger one would only be copied whole into a dead letter that the Kafka
     * sink then could not write (its default max.request.size is 1 MiB).
     */
    public static final int MAX_EVENT_CHARS = 256 * 1024;

    /** How much of a refused event's text its dead letter keeps when the event is too large. */
    static final int RAW_KEPT_CHARS = 1024;

    private final int featureCount;
    /** The common shape without Jackson's tokenizer; null when the feature count is open. */
    private final EventJsonFastPath fast;

    /** @param featureCount D, the features every event must carry; 0 or less accepts any count */
    public EventParser(int featureCount) {
        this.featureCount = featureCount;
        this.fast = featureCount > 0 ? new EventJsonFastPath(featureCount) : null;
    }

    public int featureCount() {
        return featureCount;
    }

    /** Either a parsed event or a dead letter. */
    public record Result(Event event, DeadLetter deadLetter) {
        public boolean ok() {
            return event != null;
        }
    }

    /** Why an event is rejected; carries the key when it was read before the problem. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message, null, false, false);
        }
    }

    public Result parse(String raw) {
        return parse(raw, null);
    }

    /**
     * @param recordKey the key the record came with (a Kafka record key), used only when the JSON
     *     has no {@code key} field; null when there is none
     */
    public Result parse(String raw, String recordKey) {
        return parse(raw, recordKey, true);
    }

    /** @param fastPath whether the common shape may be read without Jackson (false: tests hold the two paths equal) */
    Result parse(String raw, String recordKey, boolean fastPath) {
        if (raw == null || raw.isBlank()) {
            return bad(raw, "empty line: expected a JSON event object", null);
        }
        if (raw.length() > MAX_EVENT_CHARS) {
            return bad(raw.substring(0, RAW_KEPT_CHARS) + "…", "event too large: " + raw.length()
                    + " characters, the limit is " + MAX_EVENT_CHARS + " (one event is one timestep)", recordKey);
        }
        Event e = fastPath && fast != null ? fast.read(raw) : null;
        if (e == null) {
            e = new Event();
            Result bad = readWithJackson(raw, e);
            if (bad != null) {
                return bad;
            }
        }
        e.raw = raw;
        return checked(e, recordKey);
    }

    /**
     * The event in a record's value as it came, UTF-8 ({@link Event#rawUtf8}): the common shape is read
     * straight off the bytes, and only a value that needs Jackson, or is refused, is made into text. The
     * result is {@link #parse(String, String)}'s for the value's text.
     */
    public Result parse(byte[] utf8, String recordKey) {
        if (utf8 != null && fast != null && utf8.length <= MAX_EVENT_CHARS) {
            Event e = fast.read(utf8);
            if (e != null) {
                e.rawUtf8 = utf8;
                return checked(e, recordKey);
            }
        }
        return parse(utf8 == null ? null : new String(utf8, StandardCharsets.UTF_8), recordKey);
    }

    /** The checks every read event meets, whichever way it was read; its text only for a dead letter. */
    private Result checked(Event e, String recordKey) {
        if (e.key == null && recordKey != null && !recordKey.isEmpty()) {
            e.key = recordKey;
        }
        if (e.key == null) {
            return bad(e.rawText(), "missing \"key\": every event needs the key of its sequence", null);
        }
        if (e.features == null) {
            return bad(e.rawText(), "missing \"features\": expected an array of " + countText() + " numbers", e.key);
        }
        if (featureCount > 0 && e.features.length != featureCount) {
            return bad(e.rawText(), wrongCount(featureCount, e.features.length), e.key);
        }
        return new Result(e, null);
    }

    /** Reads {@code raw}'s fields into {@code e}; null when it is a JSON object, else its dead letter. */
    private Result readWithJackson(String raw, Event e) {
        try (JsonParser p = JSON.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return bad(raw, "not a JSON object: expected {\"key\": ..., \"features\": [...]}", null);
            }
            try {
                readFields(p, e);
                if (p.nextToken() != null) {
                    throw new Bad("trailing content after the JSON object");
                }
            } catch (Bad b) {
                return bad(raw, b.getMessage(), e.key);
            }
        } catch (JsonProcessingException ex) {
            return bad(raw, "malformed JSON: " + oneLine(ex.getOriginalMessage()), e.key);
        } catch (IOException ex) {
            return bad(raw, "unreadable event: " + oneLine(ex.getMessage()), e.key);
        }
        return null;
    }

    /**
     * Why the step kernel cannot take {@code e}, or null when it can: the parser's own checks, for events
     * that never met the parser (built in code, or from a user's own records).
     */
    public static String whyNotSteppable(Event e, int featureCount) {
        if (e.features == null) {
            return "missing \"features\": expected an array of " + featureCount + " numbers";
        }
        if (e.features.length != featureCount) {
            return wrongCount(featureCount, e.features.length);
        }
        for (int i = 0; i < featureCount; i++) {
            if (!Float.isFinite(e.features[i])) {
                return "feature " + i + " is " + e.features[i];
            }
        }
        if (e.step < Event.NO_STEP) {
            return "\"step\" must be a non-negative integer, not " + e.step;
        }
        return null;
    }

    static String wrongCount(int expected, long got) {
        return "wrong feature count: the model expects " + expected + " features per step, the event has " + got;
    }

    private void readFields(JsonParser p, Event e) throws IOException, Bad {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "key" -> e.key = readKey(p, v);
                case "step" -> e.step = readStep(p, v);
                case "ts" -> e.ts = readTs(p, v);
                case "end" -> e.end = readEnd(v);
                case "features" -> e.features = readFeatures(p, v);
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new Bad("malformed JSON object");
        }
    }

    private static String readKey(JsonParser p, JsonToken v) throws IOException, Bad {
        if (v == JsonToken.VALUE_STRING) {
            String k = p.getText();
            if (k.isEmpty()) {
                throw new Bad("\"key\" is empty: every event needs the key of its sequence");
            }
            return k;
        }
        if (v == JsonToken.VALUE_NUMBER_INT) {
            return p.getText();
        }
        throw new Bad("\"key\" must be a string, not " + describe(v));
    }

    private static int readStep(JsonParser p, JsonToken v) throws IOException, Bad {
        if (v == JsonToken.VALUE_NULL) {
            return Event.NO_STEP;
        }
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw new Bad("\"step\" must be a non-negative integer, not " + describe(v) + textOf(p, v));
        }
        if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 0) {
            throw new Bad("\"step\" must be a non-negative integer below 2^31, not " + p.getText());
        }
        return p.getIntValue();
    }

    private static long readTs(JsonParser p, JsonToken v) throws IOException, Bad {
        if (v == JsonToken.VALUE_NULL) {
            return Event.NO_TS;
        }
        if (v != JsonToken.VALUE_NUMBER_INT
                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new Bad("\"ts\" must be epoch milliseconds as an integer, not " + describe(v) + textOf(p, v));
        }
        long ts = p.getLongValue();
        if (ts == Event.NO_TS) {
            throw new Bad("\"ts\" is out of range: " + ts);
        }
        return ts;
    }

    private static boolean readEnd(JsonToken v) throws Bad {
        if (v == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (v == JsonToken.VALUE_FALSE || v == JsonToken.VALUE_NULL) {
            return false;
        }
        throw new Bad("\"end\" must be true or false, not " + describe(v));
    }

    private float[] readFeatures(JsonParser p, JsonToken v) throws IOException, Bad {
        if (v != JsonToken.START_ARRAY) {
            throw new Bad("\"features\" must be an array of " + countText() + " numbers, not " + describe(v));
        }
        float[] buf = new float[featureCount > 0 ? featureCount : 16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new Bad("feature " + n + " is not a number: " + describe(t) + textOf(p, t));
            }
            // Jackson's exact fast path (FastDoubleParser: correctly rounded straight to float32, no String
            // per feature); 3-4x faster than Float.parseFloat(getText()) on Java 17 (docs/BENCHMARKS.md).
            float f = p.getFloatValue();
            if (!Float.isFinite(f)) {
                throw new Bad("feature " + n + " is " + p.getText() + ", beyond float32's range");
            }
            if (n >= buf.length) {
                if (featureCount > 0) {
                    // Count the rest without storing it: the message says how many, the array stays D long.
                    n++;
                    continue;
                }
                buf = java.util.Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = f;
        }
        if (featureCount > 0 && n > featureCount) {
            throw new Bad(wrongCount(featureCount, n));
        }
        return n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
    }

    private String countText() {
        return featureCount > 0 ? String.valueOf(featureCount) : "D";
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> t.toString();
        };
    }

    private static String textOf(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            String s = p.getText();
            return " (" + (t == JsonToken.VALUE_STRING ? "\"" + abbreviate(s) + "\"" : abbreviate(s)) + ")";
        }
        return "";
    }

    /** At most 40 characters, on one line: a dead letter's reason is one line whatever the event held. */
    private static String abbreviate(String s) {
        return oneLine(s.length() <= 40 ? s : s.substring(0, 40) + "…");
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    private static Result bad(String raw, String why, String key) {
        return new Result(null, new DeadLetter(raw, why, key));
    }
}
