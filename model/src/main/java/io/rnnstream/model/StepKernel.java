package io.rnnstream.model;

import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Masking;
import java.util.List;

/**
 * The one step kernel: (state, one input vector) → (new state, output). {@code predict}, the
 * stream and the trainer's evaluation all advance sequences through this class, so their outputs
 * cannot drift apart. Not thread-safe: it owns scratch buffers; make one per thread.
 */
public final class StepKernel {
    private final Model model;
    private final Layer[] layers;
    private final int[] stateOffsets;
    private final float[][] outputs;
    private final float[] scratch;
    private final StepOps ops;
    private final boolean hasMasking;
    /** {@link #stepN}'s per-key layer outputs and scratch, grown to the largest n seen. */
    private float[][][] batchOutputs;
    private float[][] batchScratch = new float[0][];

    /** A kernel running this JVM's variant, {@link StepOps#defaultOps()}, as predict and the stream do. */
    public StepKernel(Model model) {
        this(model, StepOps.defaultOps());
    }

    /**
     * A kernel running the given variant. For tests and benchmarks: outputs may then differ (within
     * 1e-6) from {@link Forward}'s, which always runs {@link StepOps#defaultOps()}.
     */
    public StepKernel(Model model, StepOps ops) {
        this.ops = java.util.Objects.requireNonNull(ops, "ops");
        String why = model.whyNotCausal();
        if (why != null) {
            throw new ModelException("this model cannot run one timestep at a time: " + why);
        }
        this.model = model;
        List<Layer> ls = model.layers();
        this.layers = ls.toArray(new Layer[0]);
        this.stateOffsets = new int[layers.length];
        this.outputs = new float[layers.length][];
        int maxScratch = 0;
        for (int i = 0; i < layers.length; i++) {
            stateOffsets[i] = model.stateOffset(i);
            outputs[i] = new float[layers[i].outputSize()];
            maxScratch = Math.max(maxScratch, layers[i].scratchSize());
        }
        this.scratch = new float[maxScratch];
        this.hasMasking = ls.stream().anyMatch(l -> l instanceof Masking);
        this.batchOutputs = new float[layers.length][0][];
    }

    public Model model() {
        return model;
    }

    /** Which variant runs the arithmetic: "scalar" or e.g. "vector-avx512 (16 lanes)". */
    public String variant() {
        return ops.name();
    }

    /** The variant {@code new StepKernel(model)} runs in this JVM, for logs and the CLI. */
    public static String defaultVariant() {
        return StepOps.defaultOps().name();
    }

    /** A fresh state: all zeros, as Keras starts every sequence. */
    public float[] newState() {
        return new float[model.stateSize()];
    }

    /**
     * Advances {@code state} by one timestep, in place.
     *
     * @param x {@link Model#inputSize()} features
     * @return the model's output at this step ({@link Model#outputSize()} floats); the array is
     *     reused by the next call, so copy what you keep
     */
    public float[] step(float[] state, float[] x) {
        if (x.length != model.inputSize()) {
            throw new ModelException("the model expects " + model.inputSize() + " features per step, got " + x.length);
        }
        float[] in = x;
        boolean masked = false;
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            if (l instanceof Masking mk) {
                masked = mk.isMasked(in);
            }
            l.step(in, state, stateOffsets[i], masked, outputs[i], scratch, ops);
            in = outputs[i];
        }
        return in;
    }

    /**
     * Advances {@code n} keys by one timestep each, in place, as {@link #step} would one after the other
     * (the same bits for every key): each layer's products run for all of them at once, so a weight
     * loaded from memory serves several keys. The states must be distinct arrays.
     *
     * @return the n outputs; the arrays are reused by the next call, so copy what you keep
     */
    public float[][] stepN(float[][] states, float[][] xs, int n) {
        for (int k = 0; k < n; k++) {
            if (xs[k].length != model.inputSize()) {
                throw new ModelException("the model expects " + model.inputSize() + " features per step, got "
                        + xs[k].length);
            }
        }
        growBatch(n);
        if (hasMasking) {
            // A masked key skips its recurrent layers while the others step: one at a time.
            for (int k = 0; k < n; k++) {
                float[] y = step(states[k], xs[k]);
                System.arraycopy(y, 0, batchOutputs[layers.length - 1][k], 0, y.length);
            }
            return batchOutputs[layers.length - 1];
        }
        float[][] in = xs;
        for (int i = 0; i < layers.length; i++) {
            layers[i].stepN(in, states, stateOffsets[i], batchOutputs[i], batchScratch, ops, n);
            in = batchOutputs[i];
        }
        return in;
    }

    private void growBatch(int n) {
        if (batchScratch.length >= n) {
            return;
        }
        float[][][] outs = new float[layers.length][n][];
        float[][] scratchN = new float[n][];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < layers.length; i++) {
                outs[i][k] = k < batchScratch.length ? batchOutputs[i][k] : new float[layers[i].outputSize()];
            }
            scratchN[k] = k < batchScratch.length ? batchScratch[k] : new float[scratch.length];
        }
        batchOutputs = outs;
        batchScratch = scratchN;
    }

    /**
     * Steps a scratch sequence {@code steps} times so that the JIT has compiled the kernel before
     * the first real event: the Vector API runs a hundred times slower until C2 has (about 8,000
     * steps, 0.6 s here), which a stream would otherwise pay on its first events. Touches no caller
     * state and changes no later output.
     */
    public void warmUp(int steps) {
        float[] state = newState();
        float[] x = new float[model.inputSize()];
        int t = model.timesteps() > 0 ? model.timesteps() : 32;
        for (int i = 0; i < steps; i++) {
            x[i % x.length] = (i % 13) / 13f - 0.5f;
            step(state, x);
            if (i % t == t - 1) {
                java.util.Arrays.fill(state, 0f);
            }
        }
    }

    /**
     * Steps bundles of 1 to {@code largest} scratch keys {@code calls} times ({@link #stepN}), so that the
     * JIT compiles the bundled products too (sizes up to 16 take every blocking they have: groups of four
     * and a single-key rest). Touches no caller state and changes no later output.
     */
    public void warmUpBundles(int calls, int largest) {
        int most = Math.max(1, largest);
        float[][] states = new float[most][];
        float[][] xs = new float[most][];
        for (int k = 0; k < most; k++) {
            states[k] = newState();
            xs[k] = new float[model.inputSize()];
        }
        int t = model.timesteps() > 0 ? model.timesteps() : 32;
        for (int c = 0; c < calls; c++) {
            int n = 1 + c % most;
            for (int k = 0; k < n; k++) {
                xs[k][(c + k) % xs[k].length] = ((c + k) % 13) / 13f - 0.5f;
            }
            stepN(states, xs, n);
            if (c % t == t - 1) {
                for (float[] s : states) {
                    java.util.Arrays.fill(s, 0f);
                }
            }
        }
    }

    /**
     * The output the last {@link #step} on {@code state} returned, computed again from the state alone:
     * the top recurrent layer's output is always its h (a masked step repeats it), and what follows it
     * (Dense, Dropout) is stateless, so running those layers on h gives the same floats. This lets a
     * caller keep only the state, not the last output too. Null when the model has no recurrent layer
     * (its output depends on the input alone). The array is reused by the next call.
     */
    public float[] outputOf(float[] state) {
        int top = model.topRecurrentIndex();
        if (top < 0) {
            return null;
        }
        Layer r = layers[top];
        float[] in = outputs[top];
        System.arraycopy(state, stateOffsets[top] + ((io.rnnstream.model.layers.Recurrent) r).hiddenOffset(), in, 0,
                r.outputSize());
        for (int i = top + 1; i < layers.length; i++) {
            layers[i].step(in, state, stateOffsets[i], false, outputs[i], scratch, ops);
            in = outputs[i];
        }
        return in;
    }

    /** The output of layer {@code i} at the last step (e.g. the top recurrent layer's h). */
    public float[] layerOutput(int i) {
        return outputs[i];
    }
}
