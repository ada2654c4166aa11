package io.rnnstream.model.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnstream.model.layers.Tensor;
import java.util.Random;

/**
 * Random weights and close-enough comparisons for the tests of every module (model's test-jar, see
 * model/pom.xml), so that each module's tests do not carry their own copy. Each helper draws exactly
 * the floats the copies it replaced drew, so the tests' data did not change.
 */
public final class TestTensors {
    private TestTensors() {}

    /** Normal with standard deviation {@code scale}: {@code (float) (nextGaussian() · scale)}, row-major. */
    public static Tensor gaussian(Random r, double scale, int... shape) {
        float[] v = new float[count(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Tensor.of(v, shape);
    }

    /** Uniform over [−width/2, width/2): {@code (nextFloat() − 0.5) · width}, row-major. */
    public static Tensor uniform(Random r, float width, int... shape) {
        float[] v = new float[count(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (r.nextFloat() - 0.5f) * width;
        }
        return Tensor.of(v, shape);
    }

    /** Every element of {@code got} within {@code tolerance} of {@code want}; the message names the first that is not. */
    public static void assertClose(float[] want, float[] got, double tolerance, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs((double) want[i] - got[i]);
            assertTrue(err <= tolerance, what + " [" + i + "]: " + got[i] + " vs " + want[i] + ", error " + err
                    + " > " + tolerance);
        }
    }

    private static int count(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
