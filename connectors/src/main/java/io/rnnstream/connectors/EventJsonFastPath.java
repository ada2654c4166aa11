package io.rnnstream.connectors;

import java.nio.charset.StandardCharsets;

/**
 * Reads the common shape of an input event straight off its UTF-8 bytes, in one pass:
 * {@code {"key": "k", "step": 3, "ts": 1764000000000, "features": [0, 0.3031315, ...], "end": false}},
 * the fields in any order, any JSON whitespace. It declines (returns null) anything else: an escape or a
 * non-ASCII character in the key, a field of another name, a value of another type, a number it cannot
 * read exactly, another feature count, text after the object, any doubt. {@link EventParser} then reads
 * the text with Jackson as before, so every refusal and its reason still come from one place, and an
 * event this class accepts is the event Jackson's path makes of the same text ({@code
 * EventJsonFastPathTest} holds the two to that, and its fuzz test searches for a text where they differ).
 *
 * <p>Why it exists: Jackson's tokenizer was about a quarter of the job's task thread on JSON events
 * (docs/BENCHMARKS.md, session 18). Most features of an MNIST row are a bare {@code 0}, and every
 * other one is a float32's shortest decimal (at most 9 significant digits).
 *
 * <p>Numbers are read exactly, as float32 (the value Keras reads): the decimal's digits m (at most 2^53)
 * and its power of ten e (|e| ≤ 22) are both exact doubles, so one IEEE division or multiplication gives
 * the double nearest the decimal (Clinger's fast path). Rounding that double to float32 gives the float32
 * nearest the decimal unless the double lies exactly halfway between two float32s: the decimal and the
 * double are then on the same side of every such midpoint. That one case, and every number outside the
 * fast path's range, is declined.
 */
final class EventJsonFastPath implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** 10^0 .. 10^22: every one an exact double. */
    private static final double[] POW10 = new double[23];
    private static final long MAX_EXACT = 1L << 53;
    private static final int MAX_NUMBER_CHARS = 64;

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private static final byte[] TS = ascii("ts");
    private static final byte[] KEY = ascii("key");
    private static final byte[] END = ascii("end");
    private static final byte[] STEP = ascii("step");
    private static final byte[] FEATURES = ascii("features");
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");

    private final int featureCount;

    /** @param featureCount D, at least 1 */
    EventJsonFastPath(int featureCount) {
        if (featureCount < 1) {
            throw new IllegalArgumentException("the fast path reads a known feature count, not " + featureCount);
        }
        this.featureCount = featureCount;
    }

    /** Declines: the caller reads the text with Jackson. */
    private static final class Decline extends Exception {
        private static final long serialVersionUID = 1L;
        static final Decline INSTANCE = new Decline();

        private Decline() {
            super(null, null, false, false);
        }
    }

    /** {@link #read(byte[])} of the text's UTF-8. */
    Event read(String s) {
        return read(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The event the UTF-8 text holds (its fields as written, its {@code raw} unset), or null to let Jackson
     * read it. Every byte the common shape needs is ASCII, so a byte of a multi-byte character is refused
     * wherever it stands, as the text's character would be.
     */
    Event read(byte[] s) {
        try {
            return object(s);
        } catch (Decline | IndexOutOfBoundsException d) {
            // Out of bounds: the text ended inside the object.
            return null;
        }
    }

    private Event object(byte[] s) throws Decline {
        int n = s.length;
        int i = ws(s, 0);
        expect(s, i++, '{');
        Event e = new Event();
        i = ws(s, i);
        if (at(s, i) == '}') {
            i++;
        } else {
            while (true) {
                expect(s, i++, '"');
                int nameStart = i;
                while (at(s, i) != '"') {
                    i++;
                }
                int nameEnd = i++;
                i = ws(s, i);
                expect(s, i++, ':');
                i = ws(s, i);
                i = afterItem(s, value(s, i, nameStart, nameEnd, e), '}');
                if (i < 0) {
                    i = ~i;
                    break;
                }
            }
        }
        if (ws(s, i) != n) {
            throw Decline.INSTANCE;
        }
        return e;
    }

    /** Reads the named field's value into {@code e}; returns the index after it. */
    private int value(byte[] s, int i, int nameStart, int nameEnd, Event e) throws Decline {
        switch (nameEnd - nameStart) {
            case 2:
                if (startsWith(s, nameStart, TS)) {
                    return ts(s, i, e);
                }
                break;
            case 3:
                if (startsWith(s, nameStart, KEY)) {
                    return key(s, i, e);
                }
                if (startsWith(s, nameStart, END)) {
                    return end(s, i, e);
                }
                break;
            case 4:
                if (startsWith(s, nameStart, STEP)) {
                    return step(s, i, e);
                }
                break;
            case 8:
                if (startsWith(s, nameStart, FEATURES)) {
                    return features(s, i, e);
                }
                break;
            default:
                break;
        }
        throw Decline.INSTANCE;
    }

    private static int key(byte[] s, int i, Event e) throws Decline {
        expect(s, i++, '"');
        int start = i;
        char c;
        while ((c = at(s, i)) != '"') {
            // An escape, a control character (Jackson refuses it) or anything outside ASCII: Jackson decides.
            if (c == '\\' || c < 0x20 || c >= 0x7f) {
                throw Decline.INSTANCE;
            }
            i++;
        }
        if (i == start) {
            throw Decline.INSTANCE;
        }
        // Checked above: printable ASCII, so each byte is its char.
        e.key = new String(s, start, i - start, StandardCharsets.ISO_8859_1);
        return i + 1;
    }

    private static int step(byte[] s, int i, Event e) throws Decline {
        if (startsWith(s, i, NULL)) {
            e.step = Event.NO_STEP;
            return literalEnd(s, i + 4);
        }
        int end = digits(s, i);
        if (end - i > 9) {
            throw Decline.INSTANCE;
        }
        e.step = (int) integer(s, i, end);
        return end;
    }

    private static int ts(byte[] s, int i, Event e) throws Decline {
        if (startsWith(s, i, NULL)) {
            e.ts = Event.NO_TS;
            return literalEnd(s, i + 4);
        }
        boolean neg = at(s, i) == '-';
        int start = neg ? i + 1 : i;
        int end = digits(s, start);
        if (end - start > 18) {
            throw Decline.INSTANCE;
        }
        long v = integer(s, start, end);
        e.ts = neg ? -v : v;
        return end;
    }

    private static int end(byte[] s, int i, Event e) throws Decline {
        if (startsWith(s, i, TRUE)) {
            e.end = true;
            return literalEnd(s, i + 4);
        }
        if (startsWith(s, i, FALSE)) {
            e.end = false;
            return literalEnd(s, i + 5);
        }
        if (startsWith(s, i, NULL)) {
            e.end = false;
            return literalEnd(s, i + 4);
        }
        throw Decline.INSTANCE;
    }

    private int features(byte[] s, int i, Event e) throws Decline {
        expect(s, i++, '[');
        float[] f = new float[featureCount];
        int n = 0;
        i = ws(s, i);
        if (at(s, i) != ']') {
            while (true) {
                if (n == featureCount) {
                    throw Decline.INSTANCE;
                }
                i = afterItem(s, number(s, i, f, n++), ']');
                if (i < 0) {
                    i = ~i;
                    break;
                }
            }
        } else {
            i++;
        }
        if (n != featureCount) {
            throw Decline.INSTANCE;
        }
        e.features = f;
        return i;
    }

    /**
     * After an object's member or an array's element: the index of the next one (past the comma and the
     * whitespace), or, past {@code close}, the complement ({@code ~index}) of the index after it.
     */
    private static int afterItem(byte[] s, int i, char close) throws Decline {
        i = ws(s, i);
        char c = at(s, i++);
        if (c == close) {
            return ~i;
        }
        if (c != ',') {
            throw Decline.INSTANCE;
        }
        return ws(s, i);
    }

    /**
     * One JSON number into {@code out[k]}, exactly as Jackson's {@code getFloatValue} reads it: an integer
     * through its integer value (so {@code -0} is 0, as Jackson's int path makes it), a decimal or an
     * exponent form as the float32 nearest the decimal.
     */
    private static int number(byte[] s, int i, float[] out, int k) throws Decline {
        int start = i;
        boolean neg = false;
        char c = at(s, i);
        if (c == '-') {
            neg = true;
            c = at(s, ++i);
        }
        if (c == '0') {
            c = charOrEnd(s, ++i);
            if (c >= '0' && c <= '9') {
                throw Decline.INSTANCE;
            }
            if (c != '.' && c != 'e' && c != 'E') {
                // By far the most common feature: a bare 0.
                out[k] = 0f;
                return delimited(s, i);
            }
        } else if (c < '1' || c > '9') {
            throw Decline.INSTANCE;
        }
        long m = 0;
        int e10 = 0;
        boolean integer = true;
        while (c >= '0' && c <= '9') {
            m = digit(m, c);
            c = charOrEnd(s, ++i);
        }
        if (c == '.') {
            integer = false;
            c = charOrEnd(s, ++i);
            if (c < '0' || c > '9') {
                throw Decline.INSTANCE;
            }
            while (c >= '0' && c <= '9') {
                m = digit(m, c);
                e10--;
                c = charOrEnd(s, ++i);
            }
        }
        if (c == 'e' || c == 'E') {
            integer = false;
            c = charOrEnd(s, ++i);
            boolean expNeg = c == '-';
            if (c == '-' || c == '+') {
                c = charOrEnd(s, ++i);
            }
            if (c < '0' || c > '9') {
                throw Decline.INSTANCE;
            }
            int x = 0;
            while (c >= '0' && c <= '9') {
                if (x > 1000) {
                    throw Decline.INSTANCE;
                }
                x = x * 10 + (c - '0');
                c = charOrEnd(s, ++i);
            }
            e10 += expNeg ? -x : x;
        }
        if (i - start > MAX_NUMBER_CHARS) {
            // Jackson refuses numbers over 1,000 characters; a long run of zeros is not worth telling apart.
            throw Decline.INSTANCE;
        }
        float v;
        if (m == 0) {
            v = 0f;
        } else {
            if (e10 < -22 || e10 > 22) {
                throw Decline.INSTANCE;
            }
            // One IEEE operation on two exact doubles: the double nearest the decimal.
            double d = e10 < 0 ? m / POW10[-e10] : m * POW10[e10];
            v = (float) d;
            if ((double) v != d && onFloatMidpoint(d, v)) {
                throw Decline.INSTANCE;
            }
            if (!Float.isFinite(v)) {
                throw Decline.INSTANCE;
            }
        }
        out[k] = neg && !(integer && m == 0) ? -v : v;
        return delimited(s, i);
    }

    private static long digit(long m, char c) throws Decline {
        long r = m * 10 + (c - '0');
        if (r > MAX_EXACT) {
            throw Decline.INSTANCE;
        }
        return r;
    }

    /** Whether {@code d} lies exactly halfway between {@code v} (d rounded to float32) and v's other neighbour. */
    private static boolean onFloatMidpoint(double d, float v) {
        float other = d > v ? Math.nextUp(v) : Math.nextDown(v);
        // Two float32s' sum is exact in a double, and so is its half.
        return ((double) v + (double) other) / 2 == d;
    }

    /** A number ends at whitespace, a comma or a closing bracket; anything else is Jackson's to refuse. */
    private static int delimited(byte[] s, int i) throws Decline {
        char c = charOrEnd(s, i);
        if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            return i;
        }
        throw Decline.INSTANCE;
    }

    private static int literalEnd(byte[] s, int i) throws Decline {
        return delimited(s, i);
    }

    private static int digits(byte[] s, int i) throws Decline {
        char c = at(s, i);
        if (c < '0' || c > '9') {
            throw Decline.INSTANCE;
        }
        int start = i;
        do {
            c = charOrEnd(s, ++i);
        } while (c >= '0' && c <= '9');
        if (at(s, start) == '0' && i - start > 1) {
            throw Decline.INSTANCE;
        }
        if (c == '.' || c == 'e' || c == 'E') {
            throw Decline.INSTANCE;
        }
        delimited(s, i);
        return i;
    }

    private static long integer(byte[] s, int start, int end) {
        long v = 0;
        for (int i = start; i < end; i++) {
            v = v * 10 + (at(s, i) - '0');
        }
        return v;
    }

    private static char charOrEnd(byte[] s, int i) {
        return i < s.length ? at(s, i) : '\0';
    }

    /** The byte at {@code i} as a char: ASCII as itself, any byte of a longer UTF-8 sequence as 0x80-0xff. */
    private static char at(byte[] s, int i) {
        return (char) (s[i] & 0xff);
    }

    private static boolean startsWith(byte[] s, int i, byte[] word) {
        if (i < 0 || i + word.length > s.length) {
            return false;
        }
        for (int k = 0; k < word.length; k++) {
            if (s[i + k] != word[k]) {
                return false;
            }
        }
        return true;
    }

    private static int ws(byte[] s, int i) {
        int n = s.length;
        while (i < n) {
            char c = at(s, i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    private static void expect(byte[] s, int i, char c) throws Decline {
        if (at(s, i) != c) {
            throw Decline.INSTANCE;
        }
    }

    private static byte[] ascii(String w) {
        return w.getBytes(StandardCharsets.US_ASCII);
    }
}
