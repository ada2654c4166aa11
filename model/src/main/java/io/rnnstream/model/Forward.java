package io.rnnstream.model;

import io.rnnstream.model.layers.Flatten;
import io.rnnstream.model.layers.Layer;
import io.rnnstream.model.layers.Masking;
import io.rnnstream.model.layers.Recurrent;
import java.util.Arrays;
import java.util.List;

/**
 * Whole-sequence forward passes. A causal model runs as the {@link StepKernel} in a loop, the
 * same code the stream runs per event; only go_backwards and Flatten models, which no stream
 * can serve, take the layer-by-layer path (whose recurrent layers step through the same cells).
 */
public final class Forward {
    private Forward() {}

    /**
     * The head applied at every timestep: (T, K), exactly what the stream emits per event. State
     * starts at zero.
     */
    public static float[][] sequences(Model model, float[][] sequence) {
        if (model.whyNotCausal() == null) {
            return sequences(new StepKernel(model), sequence);
        }
        for (Layer l : model.layers()) {
            if (l instanceof Flatten) {
                throw new ModelException("per-step outputs are not defined: " + l.whyNotCausal());
            }
        }
        return layerByLayer(model, sequence);
    }

    /** {@link #sequences(Model, float[][])} with a kernel the caller keeps (no allocation per call). */
    public static float[][] sequences(StepKernel kernel, float[][] sequence) {
        float[] state = kernel.newState();
        float[][] out = new float[sequence.length][];
        for (int t = 0; t < sequence.length; t++) {
            out[t] = kernel.step(state, sequence[t]).clone();
        }
        return out;
    }

    /**
     * What Keras's {@code predict} gives for one sequence: (T, K) when
     * {@link Model#outputIsSequence()}, else a single row (1, K).
     */
    public static float[][] predict(Model model, float[][] sequence) {
        float[][] steps = model.whyNotCausal() == null ? sequences(new StepKernel(model), sequence)
                : layerByLayer(model, sequence);
        if (model.outputIsSequence()) {
            return steps;
        }
        return new float[][] {steps[steps.length - 1]};
    }

    /** Each layer over the whole sequence in turn; Flatten collapses time to one step. */
    static float[][] layerByLayer(Model model, float[][] sequence) {
        List<Layer> layers = model.layers();
        float[][] xs = sequence;
        boolean[] mask = new boolean[xs.length];
        float[] state = new float[model.stateSize()];
        int maxScratch = 0;
        for (Layer l : layers) {
            maxScratch = Math.max(maxScratch, l.scratchSize());
        }
        float[] scratch = new float[maxScratch];
        StepOps ops = StepOps.defaultOps();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof Flatten f) {
                if (xs.length != f.timesteps()) {
                    throw new ModelException("layer '" + l.name() + "' flattens " + f.timesteps()
                            + " timesteps but the input has " + xs.length);
                }
                float[] flat = new float[l.outputSize()];
                for (int t = 0; t < xs.length; t++) {
                    System.arraycopy(xs[t], 0, flat, t * l.inputSize(), l.inputSize());
                }
                xs = new float[][] {flat};
                mask = new boolean[1];
                continue;
            }
            boolean backwards = l instanceof Recurrent r && r.goBackwards();
            float[][] ys = new float[xs.length][];
            for (int k = 0; k < xs.length; k++) {
                int t = backwards ? xs.length - 1 - k : k;
                if (l instanceof Masking mk) {
                    mask[t] = mk.isMasked(xs[t]);
                }
                float[] y = new float[l.outputSize()];
                l.step(xs[t], state, model.stateOffset(i), mask[t], y, scratch, ops);
                // go_backwards returns its outputs in the order it computed them, as Keras does.
                ys[k] = y;
            }
            if (backwards) {
                boolean[] m = mask.clone();
                for (int k = 0; k < m.length; k++) {
                    mask[k] = m[m.length - 1 - k];
                }
            }
            xs = ys;
        }
        return xs;
    }

    /** Max absolute difference of two equally shaped arrays; for tests and conformance reports. */
    public static double maxAbsDiff(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new IllegalArgumentException("row " + i + " lengths differ: " + Arrays.toString(a[i]));
            }
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs((double) a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
