package io.rnnstream.trainer.nn;

import java.util.Random;

/** Keras's default initialisers, drawn from a seeded {@link Random} so that runs repeat exactly. */
public final class Init {
    private Init() {}

    /** glorot_uniform: U(−l, l) with l = sqrt(6 / (fan_in + fan_out)); (fanIn, fanOut) row-major. */
    public static float[] glorotUniform(Random rnd, int fanIn, int fanOut) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        float[] w = new float[fanIn * fanOut];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
        return w;
    }

    /**
     * orthogonal (gain 1) of shape (rows, cols), as Keras builds it: the Q of a QR decomposition of
     * a Gaussian (max, min) matrix with R's diagonal made positive, transposed when rows < cols.
     * Gram–Schmidt gives that Q directly, its R having a positive diagonal by construction.
     */
    public static float[] orthogonal(Random rnd, int rows, int cols) {
        int n = Math.min(rows, cols);
        int len = Math.max(rows, cols);
        double[][] v = new double[n][len];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < len; j++) {
                v[i][j] = rnd.nextGaussian();
            }
        }
        for (int i = 0; i < n; i++) {
            // Twice, for orthogonality to float precision.
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < i; k++) {
                    double dot = 0;
                    for (int j = 0; j < len; j++) {
                        dot += v[i][j] * v[k][j];
                    }
                    for (int j = 0; j < len; j++) {
                        v[i][j] -= dot * v[k][j];
                    }
                }
            }
            double norm = 0;
            for (int j = 0; j < len; j++) {
                norm += v[i][j] * v[i][j];
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < len; j++) {
                v[i][j] /= norm;
            }
        }
        float[] w = new float[rows * cols];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < len; j++) {
                if (rows < cols) {
                    w[i * cols + j] = (float) v[i][j]; // Q transposed: the vectors are rows
                } else {
                    w[j * cols + i] = (float) v[i][j]; // Q: the vectors are columns
                }
            }
        }
        return w;
    }
}
