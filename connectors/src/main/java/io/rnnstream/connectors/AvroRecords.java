package io.rnnstream.connectors;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Events and outputs in Avro's binary encoding (one datum per Kafka record value, no container file and
 * no schema-registry header), after the schemas {@code io/rnnstream/connectors/avro/event.avsc} and
 * {@code output.avsc}, which docs/KAFKA.md quotes. Any Avro library reads and writes these bytes;
 * {@code AvroRecordsTest} checks both directions against Apache Avro's own reader and writer.
 *
 * <p>Written by hand over the byte array rather than through Avro's {@code GenericDatumReader}: a record
 * object per event and a decoder that sizes its arrays from the counts it reads (its default limit is
 * about 2^31 items: a corrupt count can allocate gigabytes before the datum fails) do not fit a stage that must turn every bad record into a one-line dead
 * letter at full speed; the benchmark (docs/BENCHMARKS.md, "Binary format") measured the difference.
 * Floats are their four IEEE-754 bytes, little-endian, as Avro specifies: exact by construction.
 */
public final class AvroRecords {
    private AvroRecords() {}

    /** The largest event read, in bytes: as {@link EventParser#MAX_EVENT_CHARS}, one timestep. */
    public static final int MAX_EVENT_BYTES = EventParser.MAX_EVENT_CHARS;

    /** How much of a refused event's bytes its dead letter keeps when the event is too large. */
    static final int RAW_KEPT_BYTES = 768;

    /** Why a datum does not read: one line, as a dead letter's reason. */
    private static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message, null, false, false);
        }
    }

    /** The text a binary record keeps in {@link Event#raw} and in its dead letter: its bytes in base64. */
    public static String rawText(byte[] value) {
        return Base64.getEncoder().encodeToString(value);
    }

    /**
     * Reads one event. Never throws on bad input: a bad event comes back with its dead letter, whose
     * {@code raw} is the record's bytes in base64.
     *
     * @param recordKey the Kafka record key, used only when the datum's key is null
     * @param featureCount D; 0 or less accepts any count
     */
    public static EventParser.Result event(byte[] value, String recordKey, int featureCount) {
        if (value == null || value.length == 0) {
            return bad("", "empty record: expected an Avro event (schema in docs/KAFKA.md)", recordKey);
        }
        if (value.length > MAX_EVENT_BYTES) {
            return bad(rawText(Arrays.copyOf(value, RAW_KEPT_BYTES)), "event too large: " + value.length
                    + " bytes, the limit is " + MAX_EVENT_BYTES + " (one event is one timestep; the dead letter keeps"
                    + " the first " + RAW_KEPT_BYTES + " bytes)", recordKey);
        }
        String raw = rawText(value);
        Event e = new Event();
        e.raw = raw;
        Reader in = new Reader(value);
        try {
            if (in.isUnion("key")) {
                e.key = in.string("key");
                if (e.key.isEmpty()) {
                    throw new Bad("\"key\" is empty: every event needs the key of its sequence");
                }
            }
            if (in.isUnion("step")) {
                long step = in.varLong("step");
                if (step < 0 || step > Integer.MAX_VALUE) {
                    throw new Bad("\"step\" must be a non-negative integer below 2^31, not " + step);
                }
                e.step = (int) step;
            }
            if (in.isUnion("ts")) {
                e.ts = in.varLong("ts");
                if (e.ts == Event.NO_TS) {
                    throw new Bad("\"ts\" is out of range: " + e.ts);
                }
            }
            e.features = in.floats("features", featureCount);
            e.end = in.bool("end");
            if (in.pos != value.length) {
                throw new Bad((value.length - in.pos) + " bytes after the Avro event: not the event schema of"
                        + " docs/KAFKA.md");
            }
        } catch (Bad b) {
            return bad(raw, b.getMessage(), e.key != null ? e.key : recordKey);
        }
        if (e.key == null && recordKey != null && !recordKey.isEmpty()) {
            e.key = recordKey;
        }
        if (e.key == null) {
            return bad(raw, "missing \"key\": every event needs the key of its sequence (in the datum or as the"
                    + " record key)", null);
        }
        if (featureCount > 0 && e.features.length != featureCount) {
            return bad(raw, EventParser.wrongCount(featureCount, e.features.length), e.key);
        }
        for (int i = 0; i < e.features.length; i++) {
            if (!Float.isFinite(e.features[i])) {
                return bad(raw, "feature " + i + " is " + e.features[i], e.key);
            }
        }
        return new EventParser.Result(e, null);
    }

    /** An event as the job reads it (what {@link #event(byte[], String, int)} reads back to an equal event). */
    public static byte[] event(Event e) {
        byte[] key = e.key == null ? null : e.key.getBytes(StandardCharsets.UTF_8);
        int n = e.features == null ? 0 : e.features.length;
        Writer w = new Writer(32 + (key == null ? 0 : key.length) + 4 * n);
        if (key == null) {
            w.varLong(0);
        } else {
            w.varLong(1);
            w.bytes(key);
        }
        w.optionalLong(e.hasStep(), e.step);
        w.optionalLong(e.hasTs(), e.ts);
        w.floats(e.features);
        w.bool(e.end);
        return w.done();
    }

    /** One output record, after output.avsc. */
    public static byte[] output(OutputRecord r) {
        byte[] key = utf8(r.key);
        byte[] labelName = utf8(r.labelName);
        byte[] model = utf8(r.model);
        byte[] reason = utf8(r.reason);
        int n = (r.output == null ? 0 : r.output.length) + (r.hidden == null ? 0 : r.hidden.length);
        Writer w = new Writer(48 + 4 * n + len(key) + len(labelName) + len(model) + len(reason));
        w.bytes(key == null ? new byte[0] : key);
        w.varLong(r.step);
        w.floats(r.output);
        w.optionalLong(r.labelIndex != OutputRecord.NO_LABEL, r.labelIndex);
        w.optionalBytes(labelName);
        w.bool(r.last);
        w.bool(r.decision);
        w.optionalBytes(model);
        if (r.hidden == null) {
            w.varLong(0);
        } else {
            w.varLong(1);
            w.floats(r.hidden);
        }
        w.optionalBytes(reason);
        return w.done();
    }

    /**
     * Reads one output record (consumers, tests).
     *
     * @throws IllegalArgumentException with a one-line reason when the bytes are not an output datum
     */
    public static OutputRecord readOutput(byte[] value) {
        Reader in = new Reader(value == null ? new byte[0] : value);
        OutputRecord r = new OutputRecord();
        try {
            r.key = in.string("key");
            long step = in.varLong("step");
            if (step < Integer.MIN_VALUE || step > Integer.MAX_VALUE) {
                throw new Bad("\"step\" is beyond an Avro int: " + step);
            }
            r.step = (int) step;
            r.output = in.floats("output", 0);
            if (in.isUnion("label_index")) {
                r.labelIndex = (int) in.varLong("label_index");
            }
            r.labelName = in.isUnion("label") ? in.string("label") : null;
            r.last = in.bool("final");
            r.decision = in.bool("decision");
            r.model = in.isUnion("model") ? in.string("model") : null;
            r.hidden = in.isUnion("hidden") ? in.floats("hidden", 0) : null;
            r.reason = in.isUnion("reason") ? in.string("reason") : null;
            if (in.pos != value.length) {
                throw new Bad((value.length - in.pos) + " bytes after the Avro output");
            }
        } catch (Bad b) {
            throw new IllegalArgumentException(b.getMessage());
        }
        return r;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static EventParser.Result bad(String raw, String why, String key) {
        return new EventParser.Result(null, new DeadLetter(raw, why, key));
    }

    /** Avro's binary decoding over one datum's bytes; every length is checked against what is left. */
    private static final class Reader {
        private final byte[] b;
        int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        private Bad truncated(String field) {
            return new Bad("malformed Avro event: it ends inside \"" + field + "\" (byte " + pos + " of " + b.length
                    + "; schema in docs/KAFKA.md)" + jsonHint());
        }

        /** Text where binary was expected is the likeliest mistake: say so. */
        private String jsonHint() {
            return b.length > 0 && (b[0] == '{' || b[0] == '[') ? ": it looks like JSON, and this job reads Avro"
                    + " (--format)" : "";
        }

        /** A zig-zag varint, as Avro writes ints and longs. */
        long varLong(String field) throws Bad {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= b.length) {
                    throw truncated(field);
                }
                int x = b[pos++];
                raw |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new Bad("malformed Avro event: a varint in \"" + field + "\" runs past 10 bytes" + jsonHint());
        }

        /** The branch of a ["null", T] union: false for null. */
        boolean isUnion(String field) throws Bad {
            long i = varLong(field);
            if (i == 0 || i == 1) {
                return i == 1;
            }
            throw new Bad("malformed Avro event: union branch " + i + " for \"" + field + "\" (0: null, 1: value)"
                    + jsonHint());
        }

        String string(String field) throws Bad {
            long n = varLong(field);
            if (n < 0 || n > b.length - pos) {
                throw new Bad("malformed Avro event: \"" + field + "\" is " + n + " bytes long, " + (b.length - pos)
                        + " are left" + jsonHint());
            }
            String s = new String(b, pos, (int) n, StandardCharsets.UTF_8);
            pos += (int) n;
            return s;
        }

        boolean bool(String field) throws Bad {
            if (pos >= b.length) {
                throw truncated(field);
            }
            byte v = b[pos++];
            if (v == 0 || v == 1) {
                return v == 1;
            }
            throw new Bad("malformed Avro event: \"" + field + "\" is byte " + (v & 0xFF) + ", not a boolean (0 or 1)"
                    + jsonHint());
        }

        /**
         * An array of floats, in as many blocks as the writer chose (a negative count is followed by the
         * block's size in bytes). With {@code expected} > 0, the floats beyond it are counted, not stored.
         */
        float[] floats(String field, int expected) throws Bad {
            float[] out = new float[expected > 0 ? expected : 16];
            int n = 0;
            long total = 0;
            while (true) {
                long count = varLong(field);
                if (count == 0) {
                    break;
                }
                if (count < 0) {
                    count = -count;
                    long size = varLong(field);
                    if (count < 0 || size < 0) {
                        throw new Bad("malformed Avro event: a block of \"" + field + "\" has a negative size");
                    }
                }
                if (count > (b.length - pos) / 4) {
                    throw new Bad("malformed Avro event: \"" + field + "\" announces " + count + " floats, "
                            + (b.length - pos) + " bytes are left" + jsonHint());
                }
                for (long i = 0; i < count; i++) {
                    float f = Float.intBitsToFloat((b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8
                            | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24);
                    pos += 4;
                    if (n < out.length) {
                        out[n++] = f;
                    } else if (expected <= 0) {
                        out = Arrays.copyOf(out, out.length * 2);
                        out[n++] = f;
                    }
                }
                total += count;
            }
            if (expected > 0 && total != expected) {
                throw new Bad(EventParser.wrongCount(expected, total));
            }
            return n == out.length ? out : Arrays.copyOf(out, n);
        }
    }

    /** Avro's binary encoding into one array sized up front (grown only if the guess was short). */
    private static final class Writer {
        private byte[] b;
        private int pos;

        Writer(int size) {
            b = new byte[size];
        }

        private void room(int n) {
            if (pos + n > b.length) {
                b = Arrays.copyOf(b, Math.max(b.length * 2, pos + n));
            }
        }

        void varLong(long v) {
            room(10);
            long n = (v << 1) ^ (v >> 63);
            while ((n & ~0x7FL) != 0) {
                b[pos++] = (byte) ((n & 0x7F) | 0x80);
                n >>>= 7;
            }
            b[pos++] = (byte) n;
        }

        void optionalLong(boolean present, long v) {
            varLong(present ? 1 : 0);
            if (present) {
                varLong(v);
            }
        }

        void bytes(byte[] s) {
            varLong(s.length);
            room(s.length);
            System.arraycopy(s, 0, b, pos, s.length);
            pos += s.length;
        }

        void optionalBytes(byte[] s) {
            varLong(s == null ? 0 : 1);
            if (s != null) {
                bytes(s);
            }
        }

        void bool(boolean v) {
            room(1);
            b[pos++] = (byte) (v ? 1 : 0);
        }

        /** One block and the end marker; an absent array is written empty. */
        void floats(float[] v) {
            int n = v == null ? 0 : v.length;
            if (n > 0) {
                varLong(n);
                room(4 * n);
                for (float f : v) {
                    int x = Float.floatToRawIntBits(f);
                    b[pos] = (byte) x;
                    b[pos + 1] = (byte) (x >>> 8);
                    b[pos + 2] = (byte) (x >>> 16);
                    b[pos + 3] = (byte) (x >>> 24);
                    pos += 4;
                }
            }
            varLong(0);
        }

        byte[] done() {
            return pos == b.length ? b : Arrays.copyOf(b, pos);
        }
    }
}
