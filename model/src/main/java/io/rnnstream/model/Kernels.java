package io.rnnstream.model;

/**
 * Small array helpers for the layers' steps. The matrix products and activations themselves go
 * through {@link StepOps} (scalar or vector); {@link #vecMatAdd} is the original unfused loop,
 * kept as the "before" baseline of the benchmark.
 */
public final class Kernels {
    private Kernels() {}

    /**
     * {@code z[zOff .. zOff+cols) += x[xOff .. xOff+rows) · w[wOff ..]} where {@code w} is a
     * row-major (rows, ld) matrix of which columns {@code [col0, col0+cols)} are used.
     */
    public static void vecMatAdd(float[] x, int xOff, int rows, float[] w, int ld, int col0, int cols,
            float[] z, int zOff) {
        for (int i = 0; i < rows; i++) {
            final float xi = x[xOff + i];
            final int row = i * ld + col0;
            for (int j = 0; j < cols; j++) {
                z[zOff + j] += xi * w[row + j];
            }
        }
    }

    /** Copies {@code b} into {@code z}, or zeros {@code z} when there is no bias. */
    public static void init(float[] z, int zOff, float[] b, int bOff, int len) {
        if (b == null) {
            java.util.Arrays.fill(z, zOff, zOff + len, 0f);
        } else {
            System.arraycopy(b, bOff, z, zOff, len);
        }
    }
}
