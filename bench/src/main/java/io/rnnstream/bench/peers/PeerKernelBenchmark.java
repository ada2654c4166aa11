package io.rnnstream.bench.peers;

import io.rnnstream.bench.BenchModels;
import io.rnnstream.model.Model;
import io.rnnstream.model.StepKernel;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One event's compute, without Flink, for rnnstream's kernel and each peer on the same model
 * ({@link PeerModel}): a ring of 1,024 keys' states as in {@code StepKernelBenchmark}. The ONNX peer
 * reruns a full window of T = 28 inputs per event (its steady state on a continuing stream); DL4J and
 * ND4J swap each key's h in and out as their keyed operators do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PeerKernelBenchmark {
    @Param({"rnnstream", "onnx-window", "dl4j", "nd4j"})
    public String peer;

    private static final int KEYS = 1024;
    private static final int WINDOW = 28;
    private StepKernel kernel;
    private Dl4jPeer dl4j;
    private Nd4jPeer nd4j;
    private OnnxWindowPeer onnx;
    private float[][] states;
    private float[][] inputs;
    private List<float[]> window;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        Model m = PeerModel.load();
        kernel = new StepKernel(m);
        inputs = BenchModels.inputs(4096, 7);
        states = new float[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            states[k] = kernel.newState();
        }
        switch (peer) {
            case "rnnstream" -> { }
            case "dl4j" -> dl4j = new Dl4jPeer(m);
            case "nd4j" -> nd4j = new Nd4jPeer(m);
            case "onnx-window" -> onnx = new OnnxWindowPeer(PeerModel.onnx());
            default -> throw new IllegalArgumentException(peer);
        }
        window = new ArrayList<>();
        for (int s = 0; s < WINDOW; s++) {
            window.add(inputs[s]);
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        if (onnx != null) {
            onnx.close();
        }
    }

    @Benchmark
    public float step() {
        int n = i++;
        int k = n & (KEYS - 1);
        float[] x = inputs[n & 4095];
        switch (peer) {
            case "rnnstream":
                return kernel.step(states[k], x)[0];
            case "dl4j": {
                float[] y = dl4j.step(states[k], x);
                states[k] = dl4j.lastState();
                return y[0];
            }
            case "nd4j": {
                float[] y = nd4j.step(states[k], x);
                states[k] = nd4j.lastState();
                return y[0];
            }
            default: {
                // Slide the window by one input, then rerun all of it.
                window.remove(0);
                window.add(x);
                return onnx.run(window)[0];
            }
        }
    }
}
