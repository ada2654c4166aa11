package io.rnnstream.connectors;

/**
 * A float32's shortest decimal, written straight into the output record's bytes: the text Java 19+'s
 * {@code Float.toString} and Jackson's fast writer (Schubfach) give, without the three objects Jackson makes
 * per number (its writer, a buffer and a String). The ten floats of each output were a fifth of the job's
 * task thread through Kafka with Jackson's writer, and a tenth with this one (docs/BENCHMARKS.md, session 27).
 *
 * <p>How it decides, using only decimals it can check. For a precision p (1 to 9 significant digits) the
 * two p-digit decimals next to v are found by scaling v by a power of ten in double arithmetic. A
 * decimal rounds to v exactly when it lies strictly between the two midpoints from v to its float
 * neighbours (both exact doubles); the decimal's double (one or two roundings) is compared with them.
 * The shortest p with such a decimal wins, and of its two the one nearer v (Java's rule: with one digit
 * enough, the nearest of one or two digits). Every comparison that the doubles' rounding could get wrong
 * (a decimal within 2^-49 of a midpoint, two candidates nearly equally far from v) and every subnormal
 * is declined: {@link #write} returns -1 and the caller uses Jackson. {@code Float32TextTest} holds the
 * two to the same text: a sample of 20 million bit patterns in every build, and all 2^32 on request.
 */
final class Float32Text {
    /** Declines: no text, Jackson writes this one. */
    static final int DECLINED = -1;
    /** The most characters {@link #write} uses: "-1.2345678E-38". */
    static final int MAX_CHARS = 15;

    /** 10^0 .. 10^46, each the double nearest it (exact up to 10^22). */
    private static final double[] POW10 = new double[47];
    /** 10^-0 .. 10^-46, each the double nearest it. */
    private static final double[] NEG_POW10 = new double[47];
    /** "00" to "99". */
    private static final byte[] DIGIT_PAIRS = new byte[200];
    /** 10^0 .. 10^9. */
    private static final int[] INT_POW10 = new int[10];
    private static final double LOG10_2 = 0.30102999566398120;
    /** How near (relative) a decimal's double may come to a midpoint, or two distances to each other. */
    private static final double MARGIN = 0x1p-49;

    static {
        for (int k = 0; k < POW10.length; k++) {
            POW10[k] = Double.parseDouble("1e" + k);
            NEG_POW10[k] = Double.parseDouble("1e-" + k);
        }
        for (int k = 0; k < 100; k++) {
            DIGIT_PAIRS[2 * k] = (byte) ('0' + k / 10);
            DIGIT_PAIRS[2 * k + 1] = (byte) ('0' + k % 10);
        }
        int p = 1;
        for (int k = 0; k < INT_POW10.length; k++) {
            INT_POW10[k] = p;
            p *= 10;
        }
    }

    private Float32Text() {}

    /** Thrown inside to decline; never escapes. */
    private static final class Decline extends Exception {
        private static final long serialVersionUID = 1L;
        static final Decline INSTANCE = new Decline();

        private Decline() {
            super(null, null, false, false);
        }
    }

    /**
     * Writes finite {@code v} at {@code buf[pos]} (room for {@link #MAX_CHARS} needed) and returns the index
     * after it, or {@link #DECLINED}.
     */
    static int write(float v, byte[] buf, int pos) {
        if (v == 0) {
            if (Float.floatToRawIntBits(v) != 0) {
                buf[pos++] = '-';
            }
            buf[pos] = '0';
            buf[pos + 1] = '.';
            buf[pos + 2] = '0';
            return pos + 3;
        }
        float a = Math.abs(v);
        if (a < Float.MIN_NORMAL || !Float.isFinite(a)) {
            return DECLINED;
        }
        try {
            if (v < 0) {
                buf[pos++] = '-';
            }
            return positive(a, buf, pos);
        } catch (Decline d) {
            return DECLINED;
        }
    }

    private static int positive(float a, byte[] buf, int pos) throws Decline {
        double x = a;
        // The two midpoints to a's neighbours: a decimal strictly between them reads back as a.
        double below = (x + Math.nextDown(a)) / 2;
        // Above the largest float the bound is as far as below it: past it a decimal reads as infinity.
        double above = a == Float.MAX_VALUE ? x + (x - Math.nextDown(a)) / 2 : (x + Math.nextUp(a)) / 2;
        // 10^e <= x < 10^(e+1), from the binary exponent, corrected once.
        int e = (int) Math.floor(Math.getExponent(a) * LOG10_2);
        if (x * pow10(-(e + 1)) >= 1) {
            e++;
        }
        int p = 8;
        long d;
        long at8 = nearest(x, e, 8, below, above);
        if (at8 < 0) {
            d = nearest(x, e, 9, below, above);
            p = 9;
            if (d < 0) {
                throw Decline.INSTANCE;
            }
        } else {
            d = at8;
            // Shorter ones: down while a decimal of one digit fewer still reads back. Trailing zeros are
            // the same decimal on a coarser grid, so the search skips them (1.0 takes two tries, not nine).
            while (true) {
                if (d == INT_POW10[p]) {
                    // The next power of ten: one digit.
                    p = 1;
                    break;
                }
                while (p > 1 && d % 10 == 0) {
                    d /= 10;
                    p--;
                }
                if (p == 1) {
                    break;
                }
                long shorter = nearest(x, e, p - 1, below, above);
                if (shorter < 0) {
                    break;
                }
                d = shorter;
                p--;
            }
            if (p == 1) {
                // Java's rule: when one digit is enough, the nearest of the one- and two-digit decimals.
                d = nearest(x, e, 2, below, above);
                p = 2;
                if (d < 0) {
                    throw Decline.INSTANCE;
                }
            }
        }
        int exp = e;
        if (d == INT_POW10[p]) {
            // The upper neighbour was the next power of ten.
            d = INT_POW10[p - 1];
            exp++;
        }
        int digits = p;
        int sig = (int) d;
        while (digits > 1 && sig % 10 == 0) {
            sig /= 10;
            digits--;
        }
        return text(sig, digits, exp, buf, pos);
    }

    /**
     * Of the two p-digit decimals next to x (multiples of 10^(e-p+1)), the significand of the one nearer x
     * that reads back as x; -1 when neither does. Works in the scaled domain: x and the two midpoints times
     * 10^s, so a candidate is an integer compared with two doubles.
     */
    private static long nearest(double x, int e, int p, double below, double above) throws Decline {
        int s = p - 1 - e;
        double p10 = pow10(s);
        // Each within 2^-52 (relative) of its exact value: under 10^9 that is < 2^-22 absolute.
        double scaled = x * p10;
        double lo = below * p10;
        double hi = above * p10;
        if (scaled < INT_POW10[p - 1] || scaled >= INT_POW10[p]) {
            throw Decline.INSTANCE;
        }
        double floor = Math.floor(scaled);
        double toFloor = scaled - floor;
        double toCeil = floor + 1 - scaled;
        if (toFloor < 0x1p-20) {
            return readsBack(floor, lo, hi) ? (long) floor : -1;
        }
        if (toCeil < 0x1p-20) {
            return readsBack(floor + 1, lo, hi) ? (long) floor + 1 : -1;
        }
        boolean down = readsBack(floor, lo, hi);
        boolean up = readsBack(floor + 1, lo, hi);
        if (down && up) {
            if (Math.abs(toFloor - toCeil) < 0x1p-20) {
                throw Decline.INSTANCE;
            }
            return toFloor < toCeil ? (long) floor : (long) floor + 1;
        }
        return down ? (long) floor : up ? (long) floor + 1 : -1;
    }

    /** Whether the integer n lies strictly between the scaled midpoints, declining where doubles cannot tell. */
    private static boolean readsBack(double n, double lo, double hi) throws Decline {
        double margin = n * MARGIN;
        if (Math.abs(n - lo) <= margin || Math.abs(n - hi) <= margin) {
            throw Decline.INSTANCE;
        }
        return n > lo && n < hi;
    }

    /** 10^k, rounded once (exact for 0 <= k <= 22). */
    private static double pow10(int k) throws Decline {
        if (k >= 0) {
            if (k >= POW10.length) {
                throw Decline.INSTANCE;
            }
            return POW10[k];
        }
        if (-k >= POW10.length) {
            throw Decline.INSTANCE;
        }
        return NEG_POW10[-k];
    }

    /**
     * Java's layout of d (digits significant digits) times 10^(exp-digits+1): plain from 10^-3 up to 10^7,
     * else one digit, a point, the rest and "E" with the exponent; at least one digit after the point.
     */
    private static int text(int d, int digits, int exp, byte[] buf, int pos) {
        if (exp >= 0 && exp < 7) {
            digitsAt(d, digits, buf, pos);
            if (digits <= exp + 1) {
                for (int i = digits; i <= exp; i++) {
                    buf[pos + i] = '0';
                }
                pos += exp + 1;
                buf[pos] = '.';
                buf[pos + 1] = '0';
                return pos + 2;
            }
            // Make room for the point after the integer digits.
            for (int i = pos + digits; i > pos + exp + 1; i--) {
                buf[i] = buf[i - 1];
            }
            buf[pos + exp + 1] = '.';
            return pos + digits + 1;
        }
        if (exp < 0 && exp >= -3) {
            buf[pos++] = '0';
            buf[pos++] = '.';
            for (int i = -1; i > exp; i--) {
                buf[pos++] = '0';
            }
            digitsAt(d, digits, buf, pos);
            return pos + digits;
        }
        digitsAt(d, digits, buf, pos + 1);
        buf[pos] = buf[pos + 1];
        buf[pos + 1] = '.';
        pos += digits + 1;
        if (digits == 1) {
            buf[pos++] = '0';
        }
        buf[pos++] = 'E';
        if (exp < 0) {
            buf[pos++] = '-';
            exp = -exp;
        }
        if (exp >= 10) {
            buf[pos++] = (byte) ('0' + exp / 10);
        }
        buf[pos++] = (byte) ('0' + exp % 10);
        return pos;
    }

    /** d's n decimal digits into buf[at, at + n), two at a time. */
    private static void digitsAt(int d, int n, byte[] buf, int at) {
        int i = at + n;
        while (i - at >= 2) {
            int q = d / 100;
            int r = (d - q * 100) * 2;
            buf[--i] = DIGIT_PAIRS[r + 1];
            buf[--i] = DIGIT_PAIRS[r];
            d = q;
        }
        if (i > at) {
            buf[--i] = (byte) ('0' + d);
        }
    }
}
