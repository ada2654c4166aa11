package io.rnnstream.model;

/**
 * Small array helpers for the layers' steps. The matrix products and activations themselves go
 * through {@link StepOps} (scalar or vector); the benchmark's "before" baseline lives in bench/.
 */
public final class Kernels {
    private Kernels() {}

    /** Copies {@code b} into {@code z}, or zeros {@code z} when there is no bias. */
    public static void init(float[] z, int zOff, float[] b, int bOff, int len) {
        if (b == null) {
            java.util.Arrays.fill(z, zOff, zOff + len, 0f);
        } else {
            System.arraycopy(b, bOff, z, zOff, len);
        }
    }
}
