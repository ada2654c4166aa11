package io.rnnstream.bench;

import io.rnnstream.model.StepKernel;
import io.rnnstream.model.StepOps;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One event's cost in the step kernel: one timestep of one key, head included. A ring of 1,024
 * keys' states is cycled so the state is not always hot in L1, as in a keyed operator.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class StepKernelBenchmark {
    @Param({"simplernn128", "lstm64", "gru64"})
    public String model;

    /**
     * before: the pre-issue-7 loops (Math.tanh, unfused multiply-add); scalar and vector: the two
     * {@link StepOps} variants a model can run.
     */
    @Param({"before", "scalar", "vector"})
    public String kernel;

    private static final int KEYS = 1024;
    private StepKernel step;
    private float[][] states;
    private float[][] inputs;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        StepOps ops = kernel.equals("before") ? new LegacyOps() : StepOps.forName(kernel);
        step = new StepKernel(BenchModels.byName(model), ops);
        states = new float[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            states[k] = step.newState();
        }
        inputs = BenchModels.inputs(4096, 7);
    }

    @Benchmark
    public float step() {
        int n = i++;
        float[] out = step.step(states[n & (KEYS - 1)], inputs[n & 4095]);
        return out[0];
    }
}
