package io.rnnstream.connectors;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The output record's JSON written straight into UTF-8 bytes: the bytes {@link RecordJson#output} would
 * give once encoded, without Jackson's generator, its text buffer, the String of the record and its
 * encoding. Every float is Jackson's text of it (Schubfach, {@link NumberOutput}), written by {@link Float32Text}
 * without Jackson's objects, or by Jackson where Float32Text declines one. Only strings of
 * printable ASCII without a quote or backslash are written here, since they need no escape and are their
 * own UTF-8; any other string declines the record, and {@link RecordJson} writes it through Jackson.
 * {@code RecordJsonTest} holds the two paths to the same bytes.
 */
final class OutputJsonFastPath {
    private static final byte[] KEY = bytesOf("{\"key\":");
    private static final byte[] STEP = bytesOf(",\"step\":");
    private static final byte[] OUTPUT = bytesOf(",\"output\":");
    private static final byte[] LABEL = bytesOf(",\"label\":");
    private static final byte[] FINAL_TRUE = bytesOf(",\"final\":true");
    private static final byte[] FINAL_FALSE = bytesOf(",\"final\":false");
    private static final byte[] DECISION_TRUE = bytesOf(",\"decision\":true");
    private static final byte[] DECISION_FALSE = bytesOf(",\"decision\":false");
    private static final byte[] MODEL = bytesOf(",\"model\":");
    private static final byte[] HIDDEN = bytesOf(",\"hidden\":");
    private static final byte[] REASON = bytesOf(",\"reason\":");
    private static final byte[] NULL = bytesOf("null");

    /** One buffer per thread: a record is written into it and copied out at its exact length. */
    private static final ThreadLocal<OutputJsonFastPath> BUFFERS = ThreadLocal.withInitial(OutputJsonFastPath::new);

    private byte[] buf = new byte[512];
    private int n;

    private OutputJsonFastPath() {}

    /** The record's JSON as UTF-8, or null where a string in it needs what only Jackson writes. */
    static byte[] write(OutputRecord r) {
        OutputJsonFastPath w = BUFFERS.get();
        w.n = 0;
        return w.record(r) ? Arrays.copyOf(w.buf, w.n) : null;
    }

    private boolean record(OutputRecord r) {
        if (!string(KEY, r.key)) {
            return false;
        }
        put(STEP);
        integer(r.step);
        put(OUTPUT);
        floats(r.output);
        if (r.labelName != null) {
            if (!string(LABEL, r.labelName)) {
                return false;
            }
        } else if (r.labelIndex != OutputRecord.NO_LABEL) {
            put(LABEL);
            integer(r.labelIndex);
        }
        put(r.last ? FINAL_TRUE : FINAL_FALSE);
        put(r.decision ? DECISION_TRUE : DECISION_FALSE);
        if (!string(MODEL, r.model)) {
            return false;
        }
        if (r.hidden != null) {
            put(HIDDEN);
            floats(r.hidden);
        }
        if (r.reason != null && !string(REASON, r.reason)) {
            return false;
        }
        put('}');
        return true;
    }

    /**
     * Writes {@code field}, then {@code s} in quotes, when {@code s} is printable ASCII with no quote or
     * backslash; false else (null too: Jackson writes a null string as {@code null}).
     */
    private boolean string(byte[] field, String s) {
        if (s == null) {
            return false;
        }
        int len = s.length();
        put(field);
        ensure(len + 2);
        byte[] b = buf;
        int at = n;
        b[at++] = '"';
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
            b[at++] = (byte) c;
        }
        b[at++] = '"';
        n = at;
        return true;
    }

    private void floats(float[] v) {
        if (v == null) {
            put(NULL);
            return;
        }
        put('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                put(',');
            }
            float f = v[i];
            if (Float.isFinite(f)) {
                ensure(Float32Text.MAX_CHARS);
                int end = Float32Text.write(f, buf, n);
                if (end >= 0) {
                    n = end;
                } else {
                    ascii(NumberOutput.toString(f, true));
                }
            } else {
                put('"');
                ascii(Float.toString(f));
                put('"');
            }
        }
        put(']');
    }

    private void integer(int v) {
        if (v < 0) {
            if (v == Integer.MIN_VALUE) {
                ascii(Integer.toString(v));
                return;
            }
            put('-');
            v = -v;
        }
        int digits = 1;
        for (int p = v; p >= 10; p /= 10) {
            digits++;
        }
        ensure(digits);
        int at = n + digits;
        n = at;
        do {
            buf[--at] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
    }

    /** A string known to be ASCII (a number's or a non-finite float's text). */
    private void ascii(String s) {
        int len = s.length();
        ensure(len);
        for (int i = 0; i < len; i++) {
            buf[n + i] = (byte) s.charAt(i);
        }
        n += len;
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, n, b.length);
        n += b.length;
    }

    private void put(char c) {
        ensure(1);
        buf[n++] = (byte) c;
    }

    private void ensure(int more) {
        if (n + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }
    }

    private static byte[] bytesOf(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
