package io.rnnstream.bench;

import io.rnnstream.model.Activation;
import io.rnnstream.model.StepOps;

/**
 * The kernel as it was before issue 7, for side-by-side runs: the unfused {@code z += x·w} loop
 * and {@link Math#tanh} / {@link Math#exp} activations.
 */
final class LegacyOps extends StepOps {
    @Override
    public String name() {
        return "scalar-before";
    }

    @Override
    public void matVec(float[] x, int xOff, int rows, float[] w, int ld, int col0, int cols, float[] z, int zOff) {
        // z[zOff .. zOff+cols) += x[xOff .. xOff+rows) · w's columns [col0, col0+cols), unfused.
        for (int i = 0; i < rows; i++) {
            final float xi = x[xOff + i];
            final int row = i * ld + col0;
            for (int j = 0; j < cols; j++) {
                z[zOff + j] += xi * w[row + j];
            }
        }
    }

    @Override
    public void apply(Activation a, float[] v, int off, int len) {
        switch (a) {
            case TANH:
                for (int i = off; i < off + len; i++) {
                    v[i] = (float) Math.tanh(v[i]);
                }
                return;
            case SIGMOID:
                for (int i = off; i < off + len; i++) {
                    v[i] = (float) (1.0 / (1.0 + Math.exp(-v[i])));
                }
                return;
            default:
                a.apply(v, off, len);
        }
    }
}
