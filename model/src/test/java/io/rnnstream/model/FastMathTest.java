package io.rnnstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The error of {@link FastMath}'s tanh and sigmoid against double-precision references, on a
 * dense grid of float bit patterns covering the whole float range (both signs, subnormals,
 * huge values), and that the vector variant gives the very same bits.
 */
class FastMathTest {
    /** Every 61st positive float bit pattern (about 35 million values), both signs, plus edges. */
    private static float[] grid() {
        int n = 0x7f800000 / 61 + 1;
        float[] xs = new float[2 * n + 8];
        int k = 0;
        for (int b = 0; b < 0x7f800000; b += 61) {
            float x = Float.intBitsToFloat(b);
            xs[k++] = x;
            xs[k++] = -x;
        }
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (float e : edges) {
            xs[k++] = e;
        }
        return java.util.Arrays.copyOf(xs, k);
    }

    private static final float[] GRID = grid();

    /** {max ulp error, max absolute error} over the grid; ulps of the correctly rounded float result. */
    private static double[] error(float[] xs, java.util.function.IntToDoubleFunction got, DoubleUnaryOperator exact,
            float minResultForUlp) {
        double maxUlp = 0;
        double maxAbs = 0;
        for (int i = 0; i < xs.length; i++) {
            double want = exact.applyAsDouble(xs[i]);
            double g = got.applyAsDouble(i);
            double abs = Math.abs(g - want);
            maxAbs = Math.max(maxAbs, abs);
            if (Math.abs(want) >= minResultForUlp) {
                maxUlp = Math.max(maxUlp, abs / Math.ulp((float) want));
            }
        }
        return new double[] {maxUlp, maxAbs};
    }

    @Test
    void tanhIsWithinTwoUlpEverywhere() {
        float[] xs = GRID;
        double[] e = error(xs, i -> FastMath.tanh(xs[i]), Math::tanh, 0f);
        System.out.printf("FastMath.tanh: max %.3f ulp, max abs %.3g over %d floats%n", e[0], e[1], xs.length);
        assertTrue(e[0] <= 2, "tanh ulp error " + e[0]); // measured 1.50
        assertTrue(e[1] <= 1e-7, "tanh abs error " + e[1]);
    }

    @Test
    void sigmoidIsWithinTwoAndAHalfUlpAboveTheClamp() {
        float[] xs = GRID;
        double[] e = error(xs, i -> FastMath.sigmoid(xs[i]), x -> 1.0 / (1.0 + Math.exp(-x)), 0x1p-125f);
        System.out.printf("FastMath.sigmoid: max %.3f ulp (results >= 2^-125), max abs %.3g%n", e[0], e[1]);
        assertTrue(e[0] <= 2.5, "sigmoid ulp error " + e[0]); // measured 2.33
        assertTrue(e[1] <= 1e-7, "sigmoid abs error " + e[1]);
    }

    @Test
    void specialValues() {
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FastMath.tanh(-0f)));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(FastMath.tanh(0f)));
        assertEquals(1f, FastMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FastMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(1f, FastMath.tanh(20f));
        assertEquals(-1f, FastMath.tanh(-1e30f));
        assertTrue(Float.isNaN(FastMath.tanh(Float.NaN)));
        assertEquals(0.5f, FastMath.sigmoid(0f));
        assertEquals(0.5f, FastMath.sigmoid(-0f));
        assertEquals(1f, FastMath.sigmoid(Float.POSITIVE_INFINITY));
        assertTrue(FastMath.sigmoid(Float.NEGATIVE_INFINITY) < 2e-38f);
        assertTrue(FastMath.sigmoid(Float.NEGATIVE_INFINITY) >= 0f);
        assertTrue(Float.isNaN(FastMath.sigmoid(Float.NaN)));
        float tiny = 1e-30f;
        assertEquals(tiny, FastMath.tanh(tiny));
        assertEquals(Float.MIN_VALUE, FastMath.tanh(Float.MIN_VALUE));
    }

    @Test
    void vectorGivesTheSameBitsAsScalar() {
        assumeTrue(StepOps.vectorAvailable(), "JVM without jdk.incubator.vector");
        StepOps v = StepOps.vector();
        float[] nan = {Float.NaN, -Float.NaN, Float.intBitsToFloat(0x7fc00001)};
        float[] xs = java.util.Arrays.copyOf(GRID, GRID.length + nan.length);
        System.arraycopy(nan, 0, xs, GRID.length, nan.length);
        for (Activation a : new Activation[] {Activation.TANH, Activation.SIGMOID}) {
            float[] got = xs.clone();
            v.apply(a, got, 0, got.length);
            for (int i = 0; i < xs.length; i++) {
                float want = a.apply(xs[i]);
                if (Float.isNaN(want)) {
                    assertTrue(Float.isNaN(got[i]), a + "(NaN)");
                } else if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got[i])) {
                    throw new AssertionError(a + "(" + xs[i] + "): scalar " + want + ", vector " + got[i]);
                }
            }
        }
    }
}
