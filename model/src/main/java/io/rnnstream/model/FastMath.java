package io.rnnstream.model;

/**
 * Float tanh and sigmoid that are fast and accurate to about 2 ulp over the whole float range:
 * {@link Math#tanh} is not a JIT intrinsic and cost about 60 ns a call, most of a step's time.
 *
 * <p>Each function is a fixed sequence of float operations (with {@link Math#fma} where noted);
 * {@code VectorStepOps} runs the very same sequence lane-wise, so the scalar and vector kernels
 * give bit-identical activations. Measured error bounds are in {@code docs/BENCHMARKS.md} and are
 * checked by {@code FastMathTest} against {@link Math#tanh} on a dense grid.
 */
public final class FastMath {
    private FastMath() {}

    // exp(y), y <= 0: y = k·ln2 + r with |r| <= ln2/2, exp(y) = 2^k · exp(r).
    /** Below this exp's result would leave the normal floats; we clamp (error < 1.2e-38 absolute). */
    static final float EXP_MIN_ARG = -87f;
    static final float LOG2E = 1.44269504f;
    /** ln 2 split so that k·LN2_HI is exact and k·(LN2_HI + LN2_LO) is ln 2·k to ~1e-16. */
    static final float LN2_HI = 0.6931472f;
    static final float LN2_LO = (float) (0.6931471805599453094 - 0.6931472f);
    /** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer (ties to even). */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /** Taylor coefficients 1/n! of exp(r); degree 7 leaves < 5.3e-9 relative error on |r| <= ln2/2. */
    static final float E2 = 1f / 2;
    static final float E3 = (float) (1.0 / 6);
    static final float E4 = (float) (1.0 / 24);
    static final float E5 = (float) (1.0 / 120);
    static final float E6 = (float) (1.0 / 720);
    static final float E7 = (float) (1.0 / 5040);

    // tanh: |x| < TANH_POLY_MAX uses x + x^3·q(x^2) (no cancellation near 0), else (1 − t)/(1 + t),
    // t = exp(−2|x|). q is our least-squares-minimax fit of (tanh x − x)/x^3 on [0, 0.625] for
    // relative error (4.4e-9 before float rounding).
    static final float TANH_POLY_MAX = 0.625f;
    static final float T0 = -0.3333328f;
    static final float T1 = 0.13331442f;
    static final float T2 = -0.053739704f;
    static final float T3 = 0.020639053f;
    static final float T4 = -0.005704953f;

    /** exp(y) for y <= 0 (y below −87 is treated as −87); NaN gives NaN. */
    static float expNonPositive(float y) {
        y = Math.max(y, EXP_MIN_ARG);
        float v = y * LOG2E + ROUND;
        float kf = v - ROUND;
        int k = Float.floatToRawIntBits(v) - ROUND_BITS;
        float r = Math.fma(kf, -LN2_HI, y);
        r = Math.fma(kf, -LN2_LO, r);
        float p = Math.fma(E7, r, E6);
        p = Math.fma(p, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        // 2^k built from its exponent bits; k >= −126 thanks to the clamp, so it is a normal float.
        return p * Float.intBitsToFloat((k + 127) << 23);
    }

    /**
     * tanh(x): computes tanh|x| ≥ 0 and gives it x's sign bit (tanh is odd and never crosses 0),
     * which also keeps −0 as −0; large |x| gives exactly ±1 and NaN gives NaN, as {@link Math#tanh}.
     */
    public static float tanh(float x) {
        float ax = Math.abs(x);
        float mag;
        if (ax < TANH_POLY_MAX) {
            float x2 = ax * ax;
            float q = Math.fma(T4, x2, T3);
            q = Math.fma(q, x2, T2);
            q = Math.fma(q, x2, T1);
            q = Math.fma(q, x2, T0);
            mag = Math.fma(ax * x2, q, ax);
        } else {
            float t = expNonPositive(ax * -2f);
            mag = (1f - t) / (1f + t);
        }
        return Math.copySign(mag, x);
    }

    /** 1 / (1 + exp(−x)), computed from exp(−|x|) so neither tail cancels or overflows. */
    public static float sigmoid(float x) {
        float t = expNonPositive(-Math.abs(x));
        float d = 1f + t;
        return (x < 0f ? t : 1f) / d;
    }
}
