package io.rnnstream.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API variant. Loaded only by name from {@link StepOps} when the JVM has the
 * {@code jdk.incubator.vector} module: this is the one class that links against it.
 *
 * <p>It computes exactly what {@link ScalarStepOps} computes (same fma per term, same order, the
 * same {@link FastMath} operation sequence per lane); it only keeps more of it in registers.
 */
final class VectorStepOps extends StepOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private final String name;

    VectorStepOps() {
        String arch = System.getProperty("os.arch", "");
        int bits = S.vectorBitSize();
        String isa;
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            isa = bits >= 512 ? "avx512" : bits == 256 ? "avx2" : "sse";
        } else {
            isa = arch + "-" + bits + "bit";
        }
        this.name = "vector-" + isa + " (" + L + " lanes)";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    boolean worthwhile() {
        return L >= 4;
    }

    @Override
    public void matVec(float[] x, int xOff, int rows, float[] w, int ld, int col0, int cols, float[] z, int zOff) {
        // Register blocking: a block of output columns stays in vector registers while every row
        // of the input streams through, so each weight is loaded once and each output is loaded and
        // stored once per call. Eight accumulators cover the fma latency (4 cycles, 2 per cycle).
        int j = 0;
        for (; j + 8 * L <= cols; j += 8 * L) {
            block8(x, xOff, rows, w, ld, col0 + j, z, zOff + j);
        }
        for (; j + 4 * L <= cols; j += 4 * L) {
            block4(x, xOff, rows, w, ld, col0 + j, z, zOff + j);
        }
        for (; j + L <= cols; j += L) {
            block1(x, xOff, rows, w, ld, col0 + j, z, zOff + j);
        }
        // Fewer than L columns left: the scalar loop, same arithmetic (layers pad to avoid this).
        for (; j < cols; j++) {
            float acc = z[zOff + j];
            for (int i = 0, k = col0 + j; i < rows; i++, k += ld) {
                acc = Math.fma(x[xOff + i], w[k], acc);
            }
            z[zOff + j] = acc;
        }
    }

    private static void block8(float[] x, int xOff, int rows, float[] w, int ld, int c, float[] z, int zo) {
        FloatVector a0 = FloatVector.fromArray(S, z, zo);
        FloatVector a1 = FloatVector.fromArray(S, z, zo + L);
        FloatVector a2 = FloatVector.fromArray(S, z, zo + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, z, zo + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, z, zo + 4 * L);
        FloatVector a5 = FloatVector.fromArray(S, z, zo + 5 * L);
        FloatVector a6 = FloatVector.fromArray(S, z, zo + 6 * L);
        FloatVector a7 = FloatVector.fromArray(S, z, zo + 7 * L);
        for (int i = 0, k = c; i < rows; i++, k += ld) {
            FloatVector xi = FloatVector.broadcast(S, x[xOff + i]);
            a0 = FloatVector.fromArray(S, w, k).fma(xi, a0);
            a1 = FloatVector.fromArray(S, w, k + L).fma(xi, a1);
            a2 = FloatVector.fromArray(S, w, k + 2 * L).fma(xi, a2);
            a3 = FloatVector.fromArray(S, w, k + 3 * L).fma(xi, a3);
            a4 = FloatVector.fromArray(S, w, k + 4 * L).fma(xi, a4);
            a5 = FloatVector.fromArray(S, w, k + 5 * L).fma(xi, a5);
            a6 = FloatVector.fromArray(S, w, k + 6 * L).fma(xi, a6);
            a7 = FloatVector.fromArray(S, w, k + 7 * L).fma(xi, a7);
        }
        a0.intoArray(z, zo);
        a1.intoArray(z, zo + L);
        a2.intoArray(z, zo + 2 * L);
        a3.intoArray(z, zo + 3 * L);
        a4.intoArray(z, zo + 4 * L);
        a5.intoArray(z, zo + 5 * L);
        a6.intoArray(z, zo + 6 * L);
        a7.intoArray(z, zo + 7 * L);
    }

    private static void block4(float[] x, int xOff, int rows, float[] w, int ld, int c, float[] z, int zo) {
        FloatVector a0 = FloatVector.fromArray(S, z, zo);
        FloatVector a1 = FloatVector.fromArray(S, z, zo + L);
        FloatVector a2 = FloatVector.fromArray(S, z, zo + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, z, zo + 3 * L);
        for (int i = 0, k = c; i < rows; i++, k += ld) {
            FloatVector xi = FloatVector.broadcast(S, x[xOff + i]);
            a0 = FloatVector.fromArray(S, w, k).fma(xi, a0);
            a1 = FloatVector.fromArray(S, w, k + L).fma(xi, a1);
            a2 = FloatVector.fromArray(S, w, k + 2 * L).fma(xi, a2);
            a3 = FloatVector.fromArray(S, w, k + 3 * L).fma(xi, a3);
        }
        a0.intoArray(z, zo);
        a1.intoArray(z, zo + L);
        a2.intoArray(z, zo + 2 * L);
        a3.intoArray(z, zo + 3 * L);
    }

    private static void block1(float[] x, int xOff, int rows, float[] w, int ld, int c, float[] z, int zo) {
        FloatVector a0 = FloatVector.fromArray(S, z, zo);
        for (int i = 0, k = c; i < rows; i++, k += ld) {
            a0 = FloatVector.fromArray(S, w, k).fma(FloatVector.broadcast(S, x[xOff + i]), a0);
        }
        a0.intoArray(z, zo);
    }

    @Override
    public void apply(Activation a, float[] v, int off, int len) {
        int end = off + len;
        int i = off;
        switch (a) {
            case TANH:
                for (; i + L <= end; i += L) {
                    tanh(FloatVector.fromArray(S, v, i)).intoArray(v, i);
                }
                for (; i < end; i++) {
                    v[i] = FastMath.tanh(v[i]);
                }
                return;
            case SIGMOID:
                for (; i + L <= end; i += L) {
                    sigmoid(FloatVector.fromArray(S, v, i)).intoArray(v, i);
                }
                for (; i < end; i++) {
                    v[i] = FastMath.sigmoid(v[i]);
                }
                return;
            default:
                // The rest are cheap (relu, hard_sigmoid, …) or whole-vector (softmax): scalar.
                a.apply(v, off, len);
        }
    }

    // The lane-wise twins of FastMath: the same operations in the same order, so the same bits.

    private static final int SIGN_BIT = 0x80000000;

    /** A constant in every lane (hoisted out of loops by the JIT). */
    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    static FloatVector expNonPositive(FloatVector y) {
        y = y.max(FastMath.EXP_MIN_ARG);
        FloatVector v = y.mul(FastMath.LOG2E).add(FastMath.ROUND);
        FloatVector kf = v.sub(FastMath.ROUND);
        IntVector k = (IntVector) v.viewAsIntegralLanes();
        FloatVector r = kf.fma(c(-FastMath.LN2_HI), y);
        r = kf.fma(c(-FastMath.LN2_LO), r);
        FloatVector p = r.fma(FastMath.E7, FastMath.E6);
        p = p.fma(r, c(FastMath.E5));
        p = p.fma(r, c(FastMath.E4));
        p = p.fma(r, c(FastMath.E3));
        p = p.fma(r, c(FastMath.E2));
        p = p.fma(r, c(1f));
        p = p.fma(r, c(1f));
        FloatVector scale = (FloatVector) k.add(127 - FastMath.ROUND_BITS).lanewise(VectorOperators.LSHL, 23)
                .viewAsFloatingLanes();
        return p.mul(scale);
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector x2 = ax.mul(ax);
        FloatVector q = x2.fma(FastMath.T4, FastMath.T3);
        q = q.fma(x2, c(FastMath.T2));
        q = q.fma(x2, c(FastMath.T1));
        q = q.fma(x2, c(FastMath.T0));
        FloatVector small = ax.mul(x2).fma(q, ax);
        FloatVector t = expNonPositive(ax.mul(-2f));
        FloatVector big = t.neg().add(1f).div(t.add(1f));
        VectorMask<Float> useSmall = ax.lt(FastMath.TANH_POLY_MAX);
        FloatVector mag = big.blend(small, useSmall);
        // copySign(mag, x): mag's sign bit is clear, so OR in x's.
        IntVector sign = ((IntVector) x.viewAsIntegralLanes()).and(SIGN_BIT);
        return (FloatVector) ((IntVector) mag.viewAsIntegralLanes()).or(sign).viewAsFloatingLanes();
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector t = expNonPositive(x.abs().neg());
        FloatVector d = t.add(1f);
        FloatVector num = FloatVector.broadcast(S, 1f).blend(t, x.lt(0f));
        return num.div(d);
    }
}
