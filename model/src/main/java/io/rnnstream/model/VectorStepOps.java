package io.rnnstream.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    /**
     * 512-bit vectors come with 32 registers (AVX-512), room for 4 keys × 4 vectors of accumulators,
     * 4 weight vectors and a broadcast; with 16 (AVX2) that block spills, and 4 keys × 2 vectors fits.
     */
    private static final boolean WIDE_REGISTER_FILE = S.vectorBitSize() >= 512;

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

    @Override
    public void matVecN(float[][] xs, int xOff, int rows, float[] w, int ld, int col0, int cols, float[][] zs,
            int zOff, int n) {
        // Four keys share each weight vector the block loads, and every group of four takes a column
        // slab before the next slab starts, so the slab (rows × 2 vectors: 8 KB of a 128 × 128 matrix
        // at 8 lanes) is read from L2 once per bundle and from L1 by the other groups. Each key's
        // outputs take exactly the fma sequence matVec gives them, whatever the blocking.
        int full = n / 4 * 4;
        int j = 0;
        if (WIDE_REGISTER_FILE) {
            for (; j + 4 * L <= cols; j += 4 * L) {
                for (int k = 0; k < full; k += 4) {
                    keys4block4(xs[k], xs[k + 1], xs[k + 2], xs[k + 3], xOff, rows, w, ld, col0 + j, zs[k],
                            zs[k + 1], zs[k + 2], zs[k + 3], zOff + j);
                }
            }
        }
        for (; j + 2 * L <= cols; j += 2 * L) {
            for (int k = 0; k < full; k += 4) {
                keys4block2(xs[k], xs[k + 1], xs[k + 2], xs[k + 3], xOff, rows, w, ld, col0 + j, zs[k], zs[k + 1],
                        zs[k + 2], zs[k + 3], zOff + j);
            }
        }
        for (; j + L <= cols; j += L) {
            for (int k = 0; k < full; k += 4) {
                keys4block1(xs[k], xs[k + 1], xs[k + 2], xs[k + 3], xOff, rows, w, ld, col0 + j, zs[k], zs[k + 1],
                        zs[k + 2], zs[k + 3], zOff + j);
            }
        }
        if (j < cols) {
            for (int k = 0; k < full; k++) {
                scalarColumns(xs[k], xOff, rows, w, ld, col0, j, cols, zs[k], zOff);
            }
        }
        for (int k = full; k < n; k++) {
            matVec(xs[k], xOff, rows, w, ld, col0, cols, zs[k], zOff);
        }
    }

    private static void scalarColumns(float[] x, int xOff, int rows, float[] w, int ld, int col0, int from, int cols,
            float[] z, int zOff) {
        for (int j = from; j < cols; j++) {
            float acc = z[zOff + j];
            for (int i = 0, k = col0 + j; i < rows; i++, k += ld) {
                acc = Math.fma(x[xOff + i], w[k], acc);
            }
            z[zOff + j] = acc;
        }
    }

    private static void keys4block4(float[] x0, float[] x1, float[] x2, float[] x3, int xOff, int rows, float[] w,
            int ld, int c, float[] z0, float[] z1, float[] z2, float[] z3, int zo) {
        FloatVector a00 = FloatVector.fromArray(S, z0, zo);
        FloatVector a01 = FloatVector.fromArray(S, z0, zo + L);
        FloatVector a02 = FloatVector.fromArray(S, z0, zo + 2 * L);
        FloatVector a03 = FloatVector.fromArray(S, z0, zo + 3 * L);
        FloatVector a10 = FloatVector.fromArray(S, z1, zo);
        FloatVector a11 = FloatVector.fromArray(S, z1, zo + L);
        FloatVector a12 = FloatVector.fromArray(S, z1, zo + 2 * L);
        FloatVector a13 = FloatVector.fromArray(S, z1, zo + 3 * L);
        FloatVector a20 = FloatVector.fromArray(S, z2, zo);
        FloatVector a21 = FloatVector.fromArray(S, z2, zo + L);
        FloatVector a22 = FloatVector.fromArray(S, z2, zo + 2 * L);
        FloatVector a23 = FloatVector.fromArray(S, z2, zo + 3 * L);
        FloatVector a30 = FloatVector.fromArray(S, z3, zo);
        FloatVector a31 = FloatVector.fromArray(S, z3, zo + L);
        FloatVector a32 = FloatVector.fromArray(S, z3, zo + 2 * L);
        FloatVector a33 = FloatVector.fromArray(S, z3, zo + 3 * L);
        for (int i = 0, k = c; i < rows; i++, k += ld) {
            FloatVector w0 = FloatVector.fromArray(S, w, k);
            FloatVector w1 = FloatVector.fromArray(S, w, k + L);
            FloatVector w2 = FloatVector.fromArray(S, w, k + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, w, k + 3 * L);
            FloatVector v = FloatVector.broadcast(S, x0[xOff + i]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            a02 = w2.fma(v, a02);
            a03 = w3.fma(v, a03);
            v = FloatVector.broadcast(S, x1[xOff + i]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            a12 = w2.fma(v, a12);
            a13 = w3.fma(v, a13);
            v = FloatVector.broadcast(S, x2[xOff + i]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            a22 = w2.fma(v, a22);
            a23 = w3.fma(v, a23);
            v = FloatVector.broadcast(S, x3[xOff + i]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
            a32 = w2.fma(v, a32);
            a33 = w3.fma(v, a33);
        }
        a00.intoArray(z0, zo);
        a01.intoArray(z0, zo + L);
        a02.intoArray(z0, zo + 2 * L);
        a03.intoArray(z0, zo + 3 * L);
        a10.intoArray(z1, zo);
        a11.intoArray(z1, zo + L);
        a12.intoArray(z1, zo + 2 * L);
        a13.intoArray(z1, zo + 3 * L);
        a20.intoArray(z2, zo);
        a21.intoArray(z2, zo + L);
        a22.intoArray(z2, zo + 2 * L);
        a23.intoArray(z2, zo + 3 * L);
        a30.intoArray(z3, zo);
        a31.intoArray(z3, zo + L);
        a32.intoArray(z3, zo + 2 * L);
        a33.intoArray(z3, zo + 3 * L);
    }

    private static void keys4block2(float[] x0, float[] x1, float[] x2, float[] x3, int xOff, int rows, float[] w,
            int ld, int c, float[] z0, float[] z1, float[] z2, float[] z3, int zo) {
        FloatVector a00 = FloatVector.fromArray(S, z0, zo);
        FloatVector a01 = FloatVector.fromArray(S, z0, zo + L);
        FloatVector a10 = FloatVector.fromArray(S, z1, zo);
        FloatVector a11 = FloatVector.fromArray(S, z1, zo + L);
        FloatVector a20 = FloatVector.fromArray(S, z2, zo);
        FloatVector a21 = FloatVector.fromArray(S, z2, zo + L);
        FloatVector a30 = FloatVector.fromArray(S, z3, zo);
        FloatVector a31 = FloatVector.fromArray(S, z3, zo + L);
        for (int i = 0, k = c; i < rows; i++, k += ld) {
            FloatVector w0 = FloatVector.fromArray(S, w, k);
            FloatVector w1 = FloatVector.fromArray(S, w, k + L);
            FloatVector v = FloatVector.broadcast(S, x0[xOff + i]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(S, x1[xOff + i]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(S, x2[xOff + i]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(S, x3[xOff + i]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
        }
        a00.intoArray(z0, zo);
        a01.intoArray(z0, zo + L);
        a10.intoArray(z1, zo);
        a11.intoArray(z1, zo + L);
        a20.intoArray(z2, zo);
        a21.intoArray(z2, zo + L);
        a30.intoArray(z3, zo);
        a31.intoArray(z3, zo + L);
    }

    private static void keys4block1(float[] x0, float[] x1, float[] x2, float[] x3, int xOff, int rows, float[] w,
            int ld, int c, float[] z0, float[] z1, float[] z2, float[] z3, int zo) {
        FloatVector a0 = FloatVector.fromArray(S, z0, zo);
        FloatVector a1 = FloatVector.fromArray(S, z1, zo);
        FloatVector a2 = FloatVector.fromArray(S, z2, zo);
        FloatVector a3 = FloatVector.fromArray(S, z3, zo);
        for (int i = 0, k = c; i < rows; i++, k += ld) {
            FloatVector wv = FloatVector.fromArray(S, w, k);
            a0 = wv.fma(FloatVector.broadcast(S, x0[xOff + i]), a0);
            a1 = wv.fma(FloatVector.broadcast(S, x1[xOff + i]), a1);
            a2 = wv.fma(FloatVector.broadcast(S, x2[xOff + i]), a2);
            a3 = wv.fma(FloatVector.broadcast(S, x3[xOff + i]), a3);
        }
        a0.intoArray(z0, zo);
        a1.intoArray(z1, zo);
        a2.intoArray(z2, zo);
        a3.intoArray(z3, zo);
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
        switch (a) {
            case TANH:
                tanh(v, off, off + len);
                return;
            case SIGMOID:
                sigmoid(v, off, off + len);
                return;
            default:
                // The rest are cheap (relu, hard_sigmoid, …) or whole-vector (softmax): scalar.
                a.apply(v, off, len);
        }
    }

    // The lane-wise twins of FastMath.tanh and FastMath.sigmoid: the same operations in the same
    // order, so the same bits. Each is one method taking arrays, with exp written out inside the
    // loop and its constants broadcast inside it (C2 hoists them): a FloatVector passed to or
    // returned from a call the JIT does not inline, or kept across the loop, can end up boxed on
    // the heap, which cost a third of an LSTM step before this was done.

    private static final int SIGN_BIT = 0x80000000;

    /** {@code v[from .. to) = tanh(v[from .. to))}. */
    static void tanh(float[] v, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector one = FloatVector.broadcast(S, 1f);
            FloatVector minArg = FloatVector.broadcast(S, FastMath.EXP_MIN_ARG);
            FloatVector log2e = FloatVector.broadcast(S, FastMath.LOG2E);
            FloatVector round = FloatVector.broadcast(S, FastMath.ROUND);
            FloatVector negLn2Hi = FloatVector.broadcast(S, -FastMath.LN2_HI);
            FloatVector negLn2Lo = FloatVector.broadcast(S, -FastMath.LN2_LO);
            FloatVector e7 = FloatVector.broadcast(S, FastMath.E7);
            FloatVector e6 = FloatVector.broadcast(S, FastMath.E6);
            FloatVector e5 = FloatVector.broadcast(S, FastMath.E5);
            FloatVector e4 = FloatVector.broadcast(S, FastMath.E4);
            FloatVector e3 = FloatVector.broadcast(S, FastMath.E3);
            FloatVector e2 = FloatVector.broadcast(S, FastMath.E2);
            FloatVector t4 = FloatVector.broadcast(S, FastMath.T4);
            FloatVector t3 = FloatVector.broadcast(S, FastMath.T3);
            FloatVector t2 = FloatVector.broadcast(S, FastMath.T2);
            FloatVector t1 = FloatVector.broadcast(S, FastMath.T1);
            FloatVector t0 = FloatVector.broadcast(S, FastMath.T0);
            FloatVector polyMax = FloatVector.broadcast(S, FastMath.TANH_POLY_MAX);
            FloatVector x = FloatVector.fromArray(S, v, i);
            FloatVector ax = x.abs();
            // |x| < 0.625: |x| + |x|^3·q(x^2)
            FloatVector x2 = ax.mul(ax);
            FloatVector q = x2.fma(t4, t3);
            q = q.fma(x2, t2);
            q = q.fma(x2, t1);
            q = q.fma(x2, t0);
            FloatVector small = ax.mul(x2).fma(q, ax);
            // else (1 − t)/(1 + t), t = exp(−2|x|) (FastMath.expNonPositive, written out)
            FloatVector y = ax.mul(-2f).max(minArg);
            FloatVector n = y.mul(log2e).add(round);
            FloatVector kf = n.sub(round);
            IntVector k = (IntVector) n.viewAsIntegralLanes();
            FloatVector r = kf.fma(negLn2Hi, y);
            r = kf.fma(negLn2Lo, r);
            FloatVector p = r.fma(e7, e6);
            p = p.fma(r, e5);
            p = p.fma(r, e4);
            p = p.fma(r, e3);
            p = p.fma(r, e2);
            p = p.fma(r, one);
            p = p.fma(r, one);
            FloatVector scale = (FloatVector) k.add(127 - FastMath.ROUND_BITS)
                    .lanewise(VectorOperators.LSHL, 23).viewAsFloatingLanes();
            FloatVector t = p.mul(scale);
            FloatVector big = t.neg().add(one).div(t.add(one));
            // (A compare against a vector rather than a float: with the float form JDK 17's C2 left
            // this loop boxing vectors on the heap, 3 KB per call; -prof gc in the benchmark shows it.)
            FloatVector mag = big.blend(small, ax.compare(VectorOperators.LT, polyMax));
            // copySign(mag, x): mag's sign bit is clear, so OR in x's.
            IntVector sign = ((IntVector) x.viewAsIntegralLanes()).and(SIGN_BIT);
            ((IntVector) mag.viewAsIntegralLanes()).or(sign).viewAsFloatingLanes().intoArray(v, i);
        }
        for (; i < to; i++) {
            v[i] = FastMath.tanh(v[i]);
        }
    }

    /** {@code v[from .. to) = sigmoid(v[from .. to))}. */
    static void sigmoid(float[] v, int from, int to) {
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector one = FloatVector.broadcast(S, 1f);
            FloatVector minArg = FloatVector.broadcast(S, FastMath.EXP_MIN_ARG);
            FloatVector log2e = FloatVector.broadcast(S, FastMath.LOG2E);
            FloatVector round = FloatVector.broadcast(S, FastMath.ROUND);
            FloatVector negLn2Hi = FloatVector.broadcast(S, -FastMath.LN2_HI);
            FloatVector negLn2Lo = FloatVector.broadcast(S, -FastMath.LN2_LO);
            FloatVector e7 = FloatVector.broadcast(S, FastMath.E7);
            FloatVector e6 = FloatVector.broadcast(S, FastMath.E6);
            FloatVector e5 = FloatVector.broadcast(S, FastMath.E5);
            FloatVector e4 = FloatVector.broadcast(S, FastMath.E4);
            FloatVector e3 = FloatVector.broadcast(S, FastMath.E3);
            FloatVector e2 = FloatVector.broadcast(S, FastMath.E2);
            FloatVector zero = FloatVector.zero(S);
            FloatVector x = FloatVector.fromArray(S, v, i);
            // t = exp(−|x|) (FastMath.expNonPositive, written out)
            FloatVector y = x.abs().neg().max(minArg);
            FloatVector n = y.mul(log2e).add(round);
            FloatVector kf = n.sub(round);
            IntVector k = (IntVector) n.viewAsIntegralLanes();
            FloatVector r = kf.fma(negLn2Hi, y);
            r = kf.fma(negLn2Lo, r);
            FloatVector p = r.fma(e7, e6);
            p = p.fma(r, e5);
            p = p.fma(r, e4);
            p = p.fma(r, e3);
            p = p.fma(r, e2);
            p = p.fma(r, one);
            p = p.fma(r, one);
            FloatVector scale = (FloatVector) k.add(127 - FastMath.ROUND_BITS)
                    .lanewise(VectorOperators.LSHL, 23).viewAsFloatingLanes();
            FloatVector t = p.mul(scale);
            // 1/(1 + t) for x >= 0, t/(1 + t) for x < 0
            one.blend(t, x.compare(VectorOperators.LT, zero)).div(t.add(one)).intoArray(v, i);
        }
        for (; i < to; i++) {
            v[i] = FastMath.sigmoid(v[i]);
        }
    }
}
