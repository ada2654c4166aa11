package io.rnnstream.bench;

import io.rnnstream.model.Activation;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import io.rnnstream.model.StepOps;
import io.rnnstream.model.layers.Dense;
import io.rnnstream.model.layers.Layer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Would micro-batching across keys pay? The issue allows it only if a benchmark shows it wins, so
 * this measures its best case at the kernel level before anything is built in the operator:
 * {@code batch} keys' SimpleRNN(128) steps computed as one (batch × 156) · (156 × 128) product, each
 * weight vector loaded once for four keys (register blocking over rows as well as columns), against
 * the shipped kernel stepping the same keys one by one. Both sum every output's terms in the same
 * order with the same fma, so their outputs are bit-identical (checked in setUp). Every invocation
 * advances 32 keys by one step; times are per event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class MicroBatchBenchmark {
    static final int EVENTS = 32;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Keys per product: 1 is the shipped kernel, one key at a time. */
    @Param({"1", "8", "32"})
    public int batch;

    /**
     * Rows (keys) per register block: 4 × 4 vectors (16 accumulators, each weight vector used four
     * times) or 2 × 4 (8 accumulators, as many as the shipped kernel keeps, each weight used twice).
     */
    @Param({"2", "4"})
    public int rows;

    private static final int KEYS = 1024;
    private StepKernel kernel;
    private StepOps ops;
    private Dense head;
    private int d;
    private int m;
    private float[] w;
    private float[] u;
    private float[] bias;
    private float[][] states;
    private float[][] inputs;
    private float[][] z;
    private float[] y;
    private float[] scratch;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Model model = BenchModels.byName("simplernn128");
        ops = StepOps.vector();
        kernel = new StepKernel(model, ops);
        Layer rnn = model.layers().get(0);
        head = (Dense) model.layers().get(1);
        d = rnn.inputSize();
        m = rnn.outputSize();
        if (m % (4 * S.length()) != 0) {
            throw new IllegalStateException("the prototype needs units in blocks of " + 4 * S.length());
        }
        w = rnn.weights().get("kernel").data();
        u = rnn.weights().get("recurrent_kernel").data();
        bias = rnn.weights().get("bias").data();
        states = new float[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            states[k] = kernel.newState();
        }
        inputs = BenchModels.inputs(4096, 7);
        z = new float[EVENTS][m];
        y = new float[64];
        scratch = new float[64];
        check();
    }

    /** The batched product gives the shipped kernel's floats, bit for bit, over a few sequences. */
    private void check() {
        float[][] a = new float[EVENTS][];
        float[][] b = new float[EVENTS][];
        for (int k = 0; k < EVENTS; k++) {
            a[k] = kernel.newState();
            b[k] = kernel.newState();
        }
        float[][] c = new float[EVENTS][];
        for (int k = 0; k < EVENTS; k++) {
            c[k] = kernel.newState();
        }
        float[][] xs = new float[EVENTS][];
        for (int t = 0; t < 30; t++) {
            float[] want = null;
            for (int k = 0; k < EVENTS; k++) {
                xs[k] = inputs[(t * EVENTS + k) & 4095];
                want = kernel.step(a[k], xs[k]).clone();
            }
            for (int r0 = 0; r0 < EVENTS; r0 += 4) {
                stepBatch(b, xs, r0, 4);
            }

            for (int r0 = 0; r0 < EVENTS; r0 += 2) {
                stepBatch2(c, xs, r0);
            }
            for (int k = 0; k < EVENTS; k++) {
                if (!Arrays.equals(a[k], b[k]) || !Arrays.equals(a[k], c[k])) {
                    throw new IllegalStateException("batched state differs at step " + t + " key " + k);
                }
            }
            if (!Arrays.equals(want, Arrays.copyOf(y, want.length))) {
                throw new IllegalStateException("batched output differs at step " + t);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public float step() {
        int base = (next += EVENTS) & (KEYS - 1);
        float acc = 0;
        if (batch == 1) {
            for (int k = 0; k < EVENTS; k++) {
                acc += kernel.step(states[base + k], inputs[(base + k) & 4095])[0];
            }
            return acc;
        }
        float[][] hs = new float[EVENTS][];
        float[][] xs = new float[EVENTS][];
        for (int k = 0; k < EVENTS; k++) {
            hs[k] = states[base + k];
            xs[k] = inputs[(base + k) & 4095];
        }
        for (int b0 = 0; b0 < EVENTS; b0 += batch) {
            for (int r0 = b0; r0 < b0 + batch; r0 += rows) {
                if (rows == 4) {
                    stepBatch(hs, xs, r0, 4);
                } else {
                    stepBatch2(hs, xs, r0);
                }
                acc += y[0];
            }
        }
        return acc;
    }

    /**
     * Rows r0..r0+3: z = b + x·W + h·U in four rows × four vectors of accumulators, each weight vector
     * loaded once for the four rows; then tanh, h ← z and the head per row (y holds the last row's).
     * Input i runs over x then h (rows of W then of U): the kernel's summation order.
     */
    private void stepBatch(float[][] hs, float[][] xs, int r0, int rows) {
        int lanes = S.length();
        float[] h0 = hs[r0];
        float[] h1 = hs[r0 + 1];
        float[] h2 = hs[r0 + 2];
        float[] h3 = hs[r0 + 3];
        float[] x0 = xs[r0];
        float[] x1 = xs[r0 + 1];
        float[] x2 = xs[r0 + 2];
        float[] x3 = xs[r0 + 3];
        for (int j = 0; j < m; j += 4 * lanes) {
            FloatVector a00 = FloatVector.fromArray(S, bias, j);
            FloatVector a01 = FloatVector.fromArray(S, bias, j + lanes);
            FloatVector a02 = FloatVector.fromArray(S, bias, j + 2 * lanes);
            FloatVector a03 = FloatVector.fromArray(S, bias, j + 3 * lanes);
            FloatVector a10 = a00, a11 = a01, a12 = a02, a13 = a03;
            FloatVector a20 = a00, a21 = a01, a22 = a02, a23 = a03;
            FloatVector a30 = a00, a31 = a01, a32 = a02, a33 = a03;
            for (int i = 0; i < d + m; i++) {
                boolean fromX = i < d;
                float[] wt = fromX ? w : u;
                int o = (fromX ? i : i - d) * m + j;
                FloatVector w0 = FloatVector.fromArray(S, wt, o);
                FloatVector w1 = FloatVector.fromArray(S, wt, o + lanes);
                FloatVector w2 = FloatVector.fromArray(S, wt, o + 2 * lanes);
                FloatVector w3 = FloatVector.fromArray(S, wt, o + 3 * lanes);
                FloatVector v = FloatVector.broadcast(S, fromX ? x0[i] : h0[i - d]);
                a00 = v.fma(w0, a00); a01 = v.fma(w1, a01); a02 = v.fma(w2, a02); a03 = v.fma(w3, a03);
                v = FloatVector.broadcast(S, fromX ? x1[i] : h1[i - d]);
                a10 = v.fma(w0, a10); a11 = v.fma(w1, a11); a12 = v.fma(w2, a12); a13 = v.fma(w3, a13);
                v = FloatVector.broadcast(S, fromX ? x2[i] : h2[i - d]);
                a20 = v.fma(w0, a20); a21 = v.fma(w1, a21); a22 = v.fma(w2, a22); a23 = v.fma(w3, a23);
                v = FloatVector.broadcast(S, fromX ? x3[i] : h3[i - d]);
                a30 = v.fma(w0, a30); a31 = v.fma(w1, a31); a32 = v.fma(w2, a32); a33 = v.fma(w3, a33);
            }
            // The new h may only replace the old one after every column block has read it.
            store(z[0], j, lanes, a00, a01, a02, a03);
            store(z[1], j, lanes, a10, a11, a12, a13);
            store(z[2], j, lanes, a20, a21, a22, a23);
            store(z[3], j, lanes, a30, a31, a32, a33);
        }
        finish(hs, r0, rows);
    }

    /** Rows r0, r0+1 in two rows × four vectors of accumulators (as many as the shipped kernel keeps). */
    private void stepBatch2(float[][] hs, float[][] xs, int r0) {
        int lanes = S.length();
        float[] h0 = hs[r0];
        float[] h1 = hs[r0 + 1];
        float[] x0 = xs[r0];
        float[] x1 = xs[r0 + 1];
        for (int j = 0; j < m; j += 4 * lanes) {
            FloatVector a00 = FloatVector.fromArray(S, bias, j);
            FloatVector a01 = FloatVector.fromArray(S, bias, j + lanes);
            FloatVector a02 = FloatVector.fromArray(S, bias, j + 2 * lanes);
            FloatVector a03 = FloatVector.fromArray(S, bias, j + 3 * lanes);
            FloatVector a10 = a00, a11 = a01, a12 = a02, a13 = a03;
            for (int i = 0; i < d + m; i++) {
                boolean fromX = i < d;
                float[] wt = fromX ? w : u;
                int o = (fromX ? i : i - d) * m + j;
                FloatVector w0 = FloatVector.fromArray(S, wt, o);
                FloatVector w1 = FloatVector.fromArray(S, wt, o + lanes);
                FloatVector w2 = FloatVector.fromArray(S, wt, o + 2 * lanes);
                FloatVector w3 = FloatVector.fromArray(S, wt, o + 3 * lanes);
                FloatVector v = FloatVector.broadcast(S, fromX ? x0[i] : h0[i - d]);
                a00 = v.fma(w0, a00); a01 = v.fma(w1, a01); a02 = v.fma(w2, a02); a03 = v.fma(w3, a03);
                v = FloatVector.broadcast(S, fromX ? x1[i] : h1[i - d]);
                a10 = v.fma(w0, a10); a11 = v.fma(w1, a11); a12 = v.fma(w2, a12); a13 = v.fma(w3, a13);
            }
            store(z[0], j, lanes, a00, a01, a02, a03);
            store(z[1], j, lanes, a10, a11, a12, a13);
        }
        finish(hs, r0, 2);
    }

    /** tanh, h ← z and the head, per row. */
    private void finish(float[][] hs, int r0, int rows) {
        for (int r = 0; r < rows; r++) {
            ops.apply(Activation.TANH, z[r], 0, m);
            float[] h = hs[r0 + r];
            System.arraycopy(z[r], 0, h, 0, m);
            head.step(h, h, 0, false, y, scratch, ops);
        }
    }

    private static void store(float[] to, int j, int lanes, FloatVector a, FloatVector b, FloatVector c,
            FloatVector e) {
        a.intoArray(to, j);
        b.intoArray(to, j + lanes);
        c.intoArray(to, j + 2 * lanes);
        e.intoArray(to, j + 3 * lanes);
    }
}
