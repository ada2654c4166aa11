package io.rnnstream.model;

/** Plain loops over {@code float[]}: runs on any JVM. */
final class ScalarStepOps extends StepOps {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void matVec(float[] x, int xOff, int rows, float[] w, int ld, int col0, int cols, float[] z, int zOff) {
        // Eight outputs at a time live in locals (registers) while every row streams past: each
        // weight is read once, the outputs are not reloaded per row, and the eight independent fma
        // chains hide the fma latency. (The plain row-by-row loop does not vectorise here: C2
        // cannot prove that z and w are different arrays.)
        int j = 0;
        for (; j + 8 <= cols; j += 8) {
            final int zo = zOff + j;
            float a0 = z[zo];
            float a1 = z[zo + 1];
            float a2 = z[zo + 2];
            float a3 = z[zo + 3];
            float a4 = z[zo + 4];
            float a5 = z[zo + 5];
            float a6 = z[zo + 6];
            float a7 = z[zo + 7];
            for (int i = 0, k = col0 + j; i < rows; i++, k += ld) {
                final float xi = x[xOff + i];
                a0 = Math.fma(xi, w[k], a0);
                a1 = Math.fma(xi, w[k + 1], a1);
                a2 = Math.fma(xi, w[k + 2], a2);
                a3 = Math.fma(xi, w[k + 3], a3);
                a4 = Math.fma(xi, w[k + 4], a4);
                a5 = Math.fma(xi, w[k + 5], a5);
                a6 = Math.fma(xi, w[k + 6], a6);
                a7 = Math.fma(xi, w[k + 7], a7);
            }
            z[zo] = a0;
            z[zo + 1] = a1;
            z[zo + 2] = a2;
            z[zo + 3] = a3;
            z[zo + 4] = a4;
            z[zo + 5] = a5;
            z[zo + 6] = a6;
            z[zo + 7] = a7;
        }
        for (; j < cols; j++) {
            float acc = z[zOff + j];
            for (int i = 0, k = col0 + j; i < rows; i++, k += ld) {
                acc = Math.fma(x[xOff + i], w[k], acc);
            }
            z[zOff + j] = acc;
        }
    }

    @Override
    public void apply(Activation a, float[] v, int off, int len) {
        a.apply(v, off, len);
    }
}
