package io.rnnstream.bench;

import io.rnnstream.model.StepKernel;
import java.util.concurrent.TimeUnit;
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
 * The shipped batched kernel ({@link StepKernel#stepN}, what the job's step bundles run) against one key
 * at a time ({@code batch} 1: {@link StepKernel#step}): every invocation advances 32 of 1,024 keys by one
 * step, in products of {@code batch} keys; times are per event, head included.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class StepNBenchmark {
    static final int EVENTS = 32;
    private static final int KEYS = 1024;

    @Param({"simplernn128", "lstm64", "gru64"})
    public String model;

    @Param({"1", "4", "8", "16"})
    public int batch;

    private StepKernel kernel;
    private float[][] states;
    private float[][] inputs;
    private final float[][] hs = new float[EVENTS][];
    private final float[][] xs = new float[EVENTS][];
    private final float[][] groupH = new float[16][];
    private final float[][] groupX = new float[16][];
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        kernel = new StepKernel(BenchModels.byName(model));
        states = new float[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            states[k] = kernel.newState();
        }
        inputs = BenchModels.inputs(4096, 7);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public float steps() {
        int base = (next += EVENTS) & (KEYS - 1);
        for (int k = 0; k < EVENTS; k++) {
            hs[k] = states[base + k];
            xs[k] = inputs[(next + k) & 4095];
        }
        float acc = 0;
        if (batch == 1) {
            for (int k = 0; k < EVENTS; k++) {
                acc += kernel.step(hs[k], xs[k])[0];
            }
            return acc;
        }
        for (int b0 = 0; b0 < EVENTS; b0 += batch) {
            System.arraycopy(hs, b0, groupH, 0, batch);
            System.arraycopy(xs, b0, groupX, 0, batch);
            acc += kernel.stepN(groupH, groupX, batch)[0][0];
        }
        return acc;
    }
}
