package io.rnnstream.connectors;

/**
 * Reads the common shape of an input event straight off its text, in one pass over the characters:
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

    /** The event the text holds (its fields as written, its {@code raw} unset), or null to let Jackson read it. */
    Event read(String s) {
        try {
            return object(s);
        } catch (Decline | IndexOutOfBoundsException d) {
            // Out of bounds: the text ended inside the object.
            return null;
        }
    }

    private Event object(String s) throws Decline {
        int n = s.length();
        int i = ws(s, 0);
        expect(s, i++, '{');
        Event e = new Event();
        i = ws(s, i);
        if (s.charAt(i) == '}') {
            i++;
        } else {
            while (true) {
                expect(s, i++, '"');
                int nameStart = i;
                while (s.charAt(i) != '"') {
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
    private int value(String s, int i, int nameStart, int nameEnd, Event e) throws Decline {
        switch (nameEnd - nameStart) {
            case 2:
                if (s.startsWith("ts", nameStart)) {
                    return ts(s, i, e);
                }
                break;
            case 3:
                if (s.startsWith("key", nameStart)) {
                    return key(s, i, e);
                }
                if (s.startsWith("end", nameStart)) {
                    return end(s, i, e);
                }
                break;
            case 4:
                if (s.startsWith("step", nameStart)) {
                    return step(s, i, e);
                }
                break;
            case 8:
                if (s.startsWith("features", nameStart)) {
                    return features(s, i, e);
                }
                break;
            default:
                break;
        }
        throw Decline.INSTANCE;
    }

    private static int key(String s, int i, Event e) throws Decline {
        expect(s, i++, '"');
        int start = i;
        char c;
        while ((c = s.charAt(i)) != '"') {
            // An escape, a control character (Jackson refuses it) or anything outside ASCII: Jackson decides.
            if (c == '\\' || c < 0x20 || c >= 0x7f) {
                throw Decline.INSTANCE;
            }
            i++;
        }
        if (i == start) {
            throw Decline.INSTANCE;
        }
        e.key = s.substring(start, i);
        return i + 1;
    }

    private static int step(String s, int i, Event e) throws Decline {
        if (s.startsWith("null", i)) {
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

    private static int ts(String s, int i, Event e) throws Decline {
        if (s.startsWith("null", i)) {
            e.ts = Event.NO_TS;
            return literalEnd(s, i + 4);
        }
        boolean neg = s.charAt(i) == '-';
        int start = neg ? i + 1 : i;
        int end = digits(s, start);
        if (end - start > 18) {
            throw Decline.INSTANCE;
        }
        long v = integer(s, start, end);
        e.ts = neg ? -v : v;
        return end;
    }

    private static int end(String s, int i, Event e) throws Decline {
        if (s.startsWith("true", i)) {
            e.end = true;
            return literalEnd(s, i + 4);
        }
        if (s.startsWith("false", i)) {
            e.end = false;
            return literalEnd(s, i + 5);
        }
        if (s.startsWith("null", i)) {
            e.end = false;
            return literalEnd(s, i + 4);
        }
        throw Decline.INSTANCE;
    }

    private int features(String s, int i, Event e) throws Decline {
        expect(s, i++, '[');
        float[] f = new float[featureCount];
        int n = 0;
        i = ws(s, i);
        if (s.charAt(i) != ']') {
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
    private static int afterItem(String s, int i, char close) throws Decline {
        i = ws(s, i);
        char c = s.charAt(i++);
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
    private static int number(String s, int i, float[] out, int k) throws Decline {
        int start = i;
        boolean neg = false;
        char c = s.charAt(i);
        if (c == '-') {
            neg = true;
            c = s.charAt(++i);
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
    private static int delimited(String s, int i) throws Decline {
        char c = charOrEnd(s, i);
        if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            return i;
        }
        throw Decline.INSTANCE;
    }

    private static int literalEnd(String s, int i) throws Decline {
        return delimited(s, i);
    }

    private static int digits(String s, int i) throws Decline {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
            throw Decline.INSTANCE;
        }
        int start = i;
        do {
            c = charOrEnd(s, ++i);
        } while (c >= '0' && c <= '9');
        if (s.charAt(start) == '0' && i - start > 1) {
            throw Decline.INSTANCE;
        }
        if (c == '.' || c == 'e' || c == 'E') {
            throw Decline.INSTANCE;
        }
        delimited(s, i);
        return i;
    }

    private static long integer(String s, int start, int end) {
        long v = 0;
        for (int i = start; i < end; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }

    private static char charOrEnd(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static int ws(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    private static void expect(String s, int i, char c) throws Decline {
        if (s.charAt(i) != c) {
            throw Decline.INSTANCE;
        }
    }
}
