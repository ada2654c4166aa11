package io.rnnstream.model;

/**
 * The arithmetic of one step, as plain loops over {@code float[]}: no framework in the hot path.
 * Weights keep Keras's row-major (inputs, outputs) layout, so the inner loop runs over contiguous
 * outputs and the JIT can vectorise it.
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
