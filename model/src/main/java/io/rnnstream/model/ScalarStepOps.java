package io.rnnstream.model;

/** Plain loops over {@code float[]}; C2 vectorises the fma loop itself where it can. */
final class ScalarStepOps extends StepOps {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void matVec(float[] x, int xOff, int rows, float[] w, int ld, int col0, int cols, float[] z, int zOff) {
        // Row by row over contiguous outputs (Keras's (in, out) layout): the inner loop streams one
        // weight row and the outputs, which the JIT turns into vector fmas.
        for (int i = 0; i < rows; i++) {
            final float xi = x[xOff + i];
            final int row = i * ld + col0;
            for (int j = 0; j < cols; j++) {
                z[zOff + j] = Math.fma(xi, w[row + j], z[zOff + j]);
            }
        }
    }

    @Override
    public void apply(Activation a, float[] v, int off, int len) {
        a.apply(v, off, len);
    }
}
