package io.rnnstream.model;

/**
 * The two primitives every layer's step is built from: a vector–matrix product and an
 * element-wise activation. Everything else in a step (gate arithmetic, state updates) is plain
 * loops shared by all variants, so variants can only differ here.
 *
 * <p>Two variants exist: {@link #scalar()} (plain loops; runs on any JVM) and {@link #vector()}
 * (the incubating Vector API, only when the JVM runs with {@code --add-modules jdk.incubator.vector}).
 * Both sum every product in the same order with one fused multiply-add per term and share the
 * activations of {@link FastMath}, so today they give bit-identical results; the contract is only
 * that they agree within 1e-6.
 *
 * <p>The system property {@value #PROPERTY} ({@code auto} | {@code vector} | {@code scalar}) picks
 * {@link #defaultOps()} once per JVM. {@link StepKernel} and {@link Forward} always use it, so
 * {@code predict} and the stream run the same variant and stay bit-identical.
 */
public abstract class StepOps {
    /** System property choosing the default variant: {@code auto} (default), {@code vector} or {@code scalar}. */
    public static final String PROPERTY = "rnnstream.kernel";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_CLASS = "io.rnnstream.model.VectorStepOps";

    /** Subclass only for benchmarks and tests; models run {@link #scalar()} or {@link #vector()}. */
    protected StepOps() {}

    /** What ran, for logs and the CLI: "scalar" or e.g. "vector-avx512 (16 lanes)". */
    public abstract String name();

    /**
     * {@code z[zOff .. zOff+cols) += x[xOff .. xOff+rows) · W[:, col0 .. col0+cols)} where W is
     * row-major (rows, ld). Each z[j] accumulates its terms in row order, one
     * {@code fma(x_i, w_ij, z_j)} per row.
     */
    public abstract void matVec(float[] x, int xOff, int rows, float[] w, int ld, int col0, int cols, float[] z,
            int zOff);

    /**
     * {@link #matVec} for {@code n} keys at once: {@code zs[k][zOff ..] += xs[k][xOff ..] · W[:, col0 ..]} for
     * k in 0..n, each output's terms in the same order with the same fma as {@link #matVec}, so each key
     * gets the bits it would get alone. A variant may load each weight once for several keys; this one
     * loops.
     */
    public void matVecN(float[][] xs, int xOff, int rows, float[] w, int ld, int col0, int cols, float[][] zs,
            int zOff, int n) {
        for (int k = 0; k < n; k++) {
            matVec(xs[k], xOff, rows, w, ld, col0, cols, zs[k], zOff);
        }
    }

    /** Applies {@code a} in place to {@code v[off .. off+len)}. */
    public abstract void apply(Activation a, float[] v, int off, int len);

    @Override
    public String toString() {
        return name();
    }

    private static final StepOps SCALAR = new ScalarStepOps();

    /** Plain loops; the fallback everywhere. */
    public static StepOps scalar() {
        return SCALAR;
    }

    /** True when this JVM can run the vector variant (it was started with the incubator module). */
    public static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * The Vector API variant.
     *
     * @throws ModelException when the JVM lacks {@code --add-modules jdk.incubator.vector}
     */
    public static StepOps vector() {
        return VectorHolder.get();
    }

    /** The vector variant where it is available and worthwhile, else scalar. */
    public static StepOps auto() {
        if (!vectorAvailable()) {
            return SCALAR;
        }
        try {
            StepOps v = VectorHolder.get();
            return v.worthwhile() ? v : SCALAR;
        } catch (ModelException e) {
            return SCALAR;
        }
    }

    /** {@code "scalar"}, {@code "vector"} or {@code "auto"}, as the system property {@value #PROPERTY} takes. */
    public static StepOps forName(String name) {
        switch (name == null ? "auto" : name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "":
            case "auto":
                return auto();
            case "scalar":
                return scalar();
            case "vector":
                return vector();
            default:
                throw new ModelException("-D" + PROPERTY + " must be auto, vector or scalar, got '" + name + "'");
        }
    }

    /** The variant this JVM runs, from {@value #PROPERTY}; resolved once, so every kernel agrees. */
    public static StepOps defaultOps() {
        return DefaultHolder.DEFAULT;
    }

    /** False when the vector variant would not beat scalar (e.g. vectors of fewer than 4 floats). */
    boolean worthwhile() {
        return true;
    }

    private static final class DefaultHolder {
        static final StepOps DEFAULT = forName(System.getProperty(PROPERTY, "auto"));
    }

    /** Loads the vector class only on demand and only when its module is there. */
    private static final class VectorHolder {
        private static StepOps instance;
        private static ModelException failure;

        static synchronized StepOps get() {
            if (instance != null) {
                return instance;
            }
            if (failure == null) {
                if (!vectorAvailable()) {
                    failure = new ModelException("the vector kernel needs the JVM option --add-modules "
                            + VECTOR_MODULE + "; add it, or run with -D" + PROPERTY + "=scalar");
                } else {
                    try {
                        // By name, so that no class that links against the Vector API is loaded
                        // unless the module is present.
                        instance = (StepOps) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
                        return instance;
                    } catch (ReflectiveOperationException | LinkageError e) {
                        failure = new ModelException("the vector kernel could not start (" + e
                                + "); run with -D" + PROPERTY + "=scalar");
                    }
                }
            }
            throw failure;
        }
    }
}
